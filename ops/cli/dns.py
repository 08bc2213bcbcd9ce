"""Invoke task that checks the domain's delegation in public DNS: `invoke dns --env E`."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

from invoke.context import Context
from invoke.exceptions import Exit
from invoke.tasks import task

from ops.cli.common import check_env, console, interruptible, pulumi_engine

if TYPE_CHECKING:
    from ops.dns.zone import ZoneConfig
    from ops.environment.environment import Environment
    from ops.stacks.engine import StackEngine


def _engine() -> StackEngine:
    """The Automation API engine (needs the Pulumi CLI), made only when a stack output is read."""
    return pulumi_engine(exit_code=2)


def _route53(environment: Environment) -> Any:
    """A Route53 client in the environment's account (as its role, when the stacks name one)."""
    from ops.aws import AwsClients
    from ops.bootstrap.accounts import AccountGuardError, enter_account
    from ops.environment.account import AccountConfigError, environment_account

    try:
        account = environment_account(environment)
        return enter_account(AwsClients(account.region), account, purpose="dns").client("route53")
    except (AccountConfigError, AccountGuardError) as e:
        raise Exit(str(e), code=2) from None


def _public_dns() -> Any:
    """Public DNS through the system's resolver."""
    from ops.dns.delegation import PublicDns

    return PublicDns()


def _reserve(config: ZoneConfig, environment: Environment) -> ZoneConfig:
    """Reserve the zone's name servers (once per environment) and say which config line names them."""
    from ops.dns.zone import ZoneLookupError, reserve_name_servers

    key = config.key(config.declaration.delegation_set_key) if config.declaration.delegation_set_key else ""
    if config.zone_id:
        raise ZoneLookupError(
            f"{config.key(config.declaration.zone_id_key)} names an existing zone: its name servers are "
            "already fixed, there is nothing to reserve"
        )
    if not key:
        raise ZoneLookupError(f"the {config.layer} layer cannot use reserved name servers")
    env = environment.name
    reservation = reserve_name_servers(_route53(environment), f"{config.layer}-{config.domain}-{env}")
    verb = "reserved" if reservation.created else "already reserved"
    console.print(
        f"{verb}: delegation set {reservation.id} ({', '.join(reservation.name_servers)})",
        markup=False,
        highlight=False,
        soft_wrap=True,
    )
    if config.delegation_set_id != reservation.id:
        console.print(
            f"set `{key}: {reservation.id}` in projects/{config.layer}/Pulumi.{env}.yaml (and commit it): "
            "the zone the first deploy creates then uses these servers",
            markup=False,
            highlight=False,
            soft_wrap=True,
        )
    return dataclasses.replace(config, delegation_set_id=reservation.id)


@task(
    help={
        "env": "Environment whose domain to check, e.g. prod or dev.",
        "reserve": "Before the first deploy of a new zone: reserve its four name servers (a Route53 reusable "
        "delegation set, created once per environment) and print the NS record to add and the config line "
        "to set, so the delegation is in place before the certificate waits for it (default: off).",
        "wait": "Minutes to keep checking, every 30 seconds, until the parent delegates (default 0: check once).",
    }
)
@interruptible
def dns(c: Context, env: str = "", reserve: bool = False, wait: int = 0) -> None:
    """Show the zone's name servers and whether the parent domain delegates to them.

    Exit 0 when it does, 1 when it does not (the NS record to add is printed), 2 when it could not
    be checked (no zone yet, AWS or DNS unreachable).
    """
    environment = check_env(env)
    if wait < 0:
        raise Exit(f"--wait {wait} is invalid: expected 0 or more minutes", code=2)
    # Imported here so `invoke --list` and `--help` need neither dnspython nor the layers' packages.
    from ops.dns.delegation import check_delegation, ns_record_text, wait_for_delegation
    from ops.dns.zone import ZoneLookupError, zone_config, zone_servers

    try:
        config = zone_config(environment)
        if reserve:
            config = _reserve(config, environment)
        zone = zone_servers(config, env, engine=_engine, route53=lambda: _route53(environment))
    except ZoneLookupError as e:
        raise Exit(str(e), code=2) from None
    console.print(
        f"{zone.domain}: the zone's name servers ({zone.source}): {', '.join(zone.name_servers)}",
        markup=False,
        highlight=False,
        soft_wrap=True,
    )
    public = _public_dns()
    result = check_delegation(zone.domain, zone.name_servers, public)
    if not result.delegated and wait:
        console.print(f"waiting up to {wait} minutes for the delegation to appear in public DNS…")
        result = wait_for_delegation(
            lambda: check_delegation(zone.domain, zone.name_servers, public),
            timeout=wait * 60,
            interval=30,
            on_tick=lambda status, left: console.print(f"  {status.state} ({left / 60:.0f} min left)"),
        )
    if result.state == "unreachable":
        raise Exit(result.line(), code=2)
    console.print(result.line(), markup=False, highlight=False, soft_wrap=True)
    if not result.delegated:
        record = ns_record_text(zone.domain, zone.name_servers, result.parent)
        console.print(record, markup=False, highlight=False, soft_wrap=True)
        raise Exit(code=1)
