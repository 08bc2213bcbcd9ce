"""Which zone `invoke dns` checks, and its name servers, found through the layer that declares it.

The layer whose lifecycle declares a `DnsZone` names the domain and, optionally, an existing zone
in its stack config. The name servers come from:

- an existing zone: Route53 `GetHostedZone` (its delegation set); the name to delegate is then
  that zone's own, which may be a parent of the domain;
- a zone the layer creates: the layer's stack output; when the stack exists but the output is not
  there (a first update that failed, e.g. waiting for the certificate, writes no outputs), the
  public zone of that exact name in Route53, so the delegation can be made before the next run.

Every failure is a `ZoneLookupError` with one line saying what is missing and what to run.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from ops.aws import describe_aws_error, error_code
from ops.dns.delegation import normalize
from ops.environment.stack_files import PROJECTS_DIR, StackConfigError, stack_config
from ops.stacks.engine import EngineError, StackEngine
from shared.layers import layer_names, lifecycle
from shared.lifecycle import DnsZone
from shared.settings import ConfigError, parse_settings


class ZoneLookupError(Exception):
    """The zone or its name servers cannot be found; one line saying why and what to do."""


@dataclass(frozen=True)
class ZoneConfig:
    """The domain and the existing zone (if any) one environment's config names."""

    layer: str
    declaration: DnsZone
    domain: str
    zone_id: str
    delegation_set_id: str = ""

    def key(self, name: str) -> str:
        """A config key of the declaring layer, as the user writes it (`<namespace>:<key>`)."""
        return f"{self.layer}:{name}"


@dataclass(frozen=True)
class ZoneServers:
    """The name the parent must delegate, the zone's name servers, and where they were read."""

    domain: str
    name_servers: tuple[str, ...]
    source: str


def zone_config(env: str, projects_dir: Path = PROJECTS_DIR) -> ZoneConfig:
    """The declaring layer's domain and zone id in `env`, read through its settings (a bad value is refused)."""
    owners = [(name, zone) for name in layer_names() if (zone := lifecycle(name).dns_zone) is not None]
    if not owners:
        raise ZoneLookupError("no layer declares a public DNS zone: there is no delegation to check")
    layer, declaration = owners[0]
    try:
        values = stack_config(layer, env, projects_dir).values
        settings = parse_settings(lifecycle(layer).settings, values, namespace=layer, env=env)
    except (ConfigError, StackConfigError) as e:
        raise ZoneLookupError(f"config of {layer}/{env}: {'; '.join(str(e).splitlines())}") from None
    given = settings.model_dump(by_alias=True)
    reserved = str(given.get(declaration.delegation_set_key, "")) if declaration.delegation_set_key else ""
    return ZoneConfig(
        layer, declaration, str(given[declaration.domain_key]), str(given[declaration.zone_id_key]), reserved
    )


def _aws_failure(what: str, error: ClientError | BotoCoreError) -> ZoneLookupError:
    return ZoneLookupError(f"cannot read {what} from Route53: {describe_aws_error(error)}")


def _hosted_zone(route53: Any, zone_id: str) -> dict[str, Any]:
    try:
        found: dict[str, Any] = route53.get_hosted_zone(Id=zone_id)
    except ClientError as e:
        if error_code(e) in ("NoSuchHostedZone", "InvalidInput"):
            raise ZoneLookupError(f"Route53 has no hosted zone {zone_id} in this account") from None
        raise _aws_failure(f"hosted zone {zone_id}", e) from None
    except BotoCoreError as e:
        raise _aws_failure(f"hosted zone {zone_id}", e) from None
    return found


def existing_zone(config: ZoneConfig, route53: Any) -> ZoneServers:
    """The name servers of the existing zone the config names (`GetHostedZone`)."""
    where = f"{config.key(config.declaration.zone_id_key)} = {config.zone_id!r}"
    try:
        found = _hosted_zone(route53, config.zone_id)
    except ZoneLookupError as e:
        raise ZoneLookupError(f"{where}: {e}") from None
    if found["HostedZone"].get("Config", {}).get("PrivateZone"):
        raise ZoneLookupError(f"{where}: is a private zone; public DNS cannot delegate to it")
    return ZoneServers(
        domain=normalize(found["HostedZone"]["Name"]),
        name_servers=tuple(found.get("DelegationSet", {}).get("NameServers", [])),
        source=f"Route53 zone {config.zone_id}",
    )


def zone_named(domain: str, route53: Any) -> ZoneServers | None:
    """The one public zone called exactly `domain` (`ListHostedZonesByName`), or None when there is none."""
    try:
        listed = route53.list_hosted_zones_by_name(DNSName=domain, MaxItems="100")["HostedZones"]
    except (ClientError, BotoCoreError) as e:
        raise _aws_failure(f"the zones named {domain}", e) from None
    ids = sorted(
        z["Id"].rsplit("/", 1)[-1]
        for z in listed
        if normalize(z["Name"]) == normalize(domain) and not z.get("Config", {}).get("PrivateZone")
    )
    if not ids:
        return None
    if len(ids) > 1:
        raise ZoneLookupError(
            f"Route53 holds {len(ids)} public zones named {domain} ({', '.join(ids)}): keep the one the stack "
            "manages and delete the others, or the parent cannot tell which to delegate to"
        )
    servers = _hosted_zone(route53, ids[0]).get("DelegationSet", {}).get("NameServers", [])
    return ZoneServers(normalize(domain), tuple(servers), f"Route53 zone {ids[0]}")


def created_zone(config: ZoneConfig, env: str, engine: StackEngine, route53: Callable[[], Any]) -> ZoneServers:
    """The name servers of the zone the layer created: its stack output, else the zone of that name in Route53."""
    layer, output = config.layer, config.declaration.name_servers_output
    deploy = f"`invoke deploy --layer {layer} --env {env}`"
    try:
        exists = engine.state(layer, env).exists
        outputs = engine.outputs(layer, env) if exists else {}
    except EngineError as e:
        raise ZoneLookupError(f"cannot read the stack {layer}/{env}: {e}") from None
    if not exists:
        if config.delegation_set_id:
            return reserved_servers(config, route53())
        raise ZoneLookupError(
            f"the zone of {config.domain} does not exist yet: reserve its name servers first with "
            f"`invoke dns --env {env} --reserve`, add the NS record it prints, then {deploy}"
        )
    servers = outputs.get(output)
    if servers is not None and servers.value:
        return ZoneServers(normalize(config.domain), tuple(servers.value), f"output {output} of {layer}/{env}")
    found = zone_named(config.domain, route53())
    if found is None:
        raise ZoneLookupError(f"the zone of {config.domain} does not exist yet: {deploy} creates it")
    return ZoneServers(found.domain, found.name_servers, f"{found.source}; {layer}/{env} has no {output} output yet")


def zone_servers(
    config: ZoneConfig, env: str, *, engine: Callable[[], StackEngine], route53: Callable[[], Any]
) -> ZoneServers:
    """The zone to check and its name servers; `engine` and `route53` are made only when needed."""
    if config.zone_id:
        return existing_zone(config, route53())
    return created_zone(config, env, engine(), route53)


def reserved_servers(config: ZoneConfig, route53: Any) -> ZoneServers:
    """The name servers of the reusable delegation set the config names (`GetReusableDelegationSet`)."""
    where = f"{config.key(config.declaration.delegation_set_key)} = {config.delegation_set_id!r}"
    try:
        found = route53.get_reusable_delegation_set(Id=config.delegation_set_id)["DelegationSet"]
    except (ClientError, BotoCoreError) as e:
        raise ZoneLookupError(f"{where}: {_aws_failure('the delegation set', e)}") from None
    return ZoneServers(
        normalize(config.domain),
        tuple(found.get("NameServers", [])),
        f"reusable delegation set {config.delegation_set_id}",
    )


@dataclass(frozen=True)
class Reservation:
    """A reusable delegation set: the four name servers a zone created later will use."""

    id: str
    name_servers: tuple[str, ...]
    created: bool


def reserve_name_servers(route53: Any, caller_reference: str) -> Reservation:
    """The reusable delegation set made for `caller_reference`, created on the first call (idempotent).

    Route53 refuses a second `CreateReusableDelegationSet` with the same caller reference, so an
    existing set is found by it first; running it again hands back the same four servers.
    """
    try:
        listed: list[dict[str, Any]] = []
        marker = None
        while True:  # ListReusableDelegationSets pages with Marker / NextMarker
            page = route53.list_reusable_delegation_sets(**({"Marker": marker} if marker else {}))
            listed += page["DelegationSets"]
            marker = page.get("NextMarker") if page.get("IsTruncated") else None
            if not marker:
                break
        mine = next((s for s in listed if s.get("CallerReference") == caller_reference), None)
        created = mine is None
        if mine is None:
            mine = route53.create_reusable_delegation_set(CallerReference=caller_reference)["DelegationSet"]
    except (ClientError, BotoCoreError) as e:
        raise _aws_failure("the reusable delegation sets", e) from None
    return Reservation(str(mine["Id"]).rsplit("/", 1)[-1], tuple(mine.get("NameServers", [])), created)
