"""Running a layer's real Pulumi program under Pulumi's mock engine, with no network call.

`run_program` executes `projects/<layer>/__main__.py` exactly as `pulumi up` would (same
module, same config strings), but every resource registration and data-source call is answered
by `OfflineCloud`:

- resources echo their inputs; outputs only AWS can know (IDs, ARNs, DNS names) become
  `(known after apply: <resource>.<output>)` so the plan shows them as such;
- data sources answer from `OfflineCloud`'s account, region and secret payloads;
- StackReferences answer with the exports of the upstream layers planned before.
"""

from __future__ import annotations

import json
import runpy
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pulumi
from pulumi.runtime import mocks as pulumi_mocks
from pulumi.runtime import settings as pulumi_settings
from pulumi.runtime.stack import run_pulumi_func
from pulumi.runtime.sync_await import _sync_await

from shared.aws_schema import output_shapes
from shared.plan_values import SECRET_MASK, computed

ORGANIZATION = "organization"  # the local file backend's organization name
# Input keys whose values never appear in a plan, whatever the program passed.
SENSITIVE_KEYS = frozenset({"password", "masterPassword", "secretString", "secretBinary", "privateKey"})


def plain_numbers(value: Any) -> Any:
    """The wire carries every number as a float; give integral ones back their int form."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, list):
        return [plain_numbers(v) for v in value]
    if isinstance(value, dict):
        return {k: plain_numbers(v) for k, v in value.items()}
    return value


DEFAULT_DB_SECRET = json.dumps({"username": "payments_app", "password": "offline-stand-in-password"})


@dataclass(frozen=True)
class OfflineZone:
    """A hosted zone the account holds (for the lookups that adopt a kept zone)."""

    zone_id: str
    name: str
    tags: tuple[tuple[str, str], ...] = ()
    name_servers: tuple[str, ...] = ()
    private: bool = False


@dataclass
class OfflineCloud:
    """The answers the mock engine gives in place of AWS."""

    account_id: str = "123456789012"
    region: str = "ap-northeast-2"
    # secret id -> SecretString; None means "any secret id answers with DEFAULT_DB_SECRET".
    secrets: dict[str, str] | None = None
    # What the account already holds beyond that: none by default, so the plan is a first deploy.
    # A test sets them to plan a rebuild after a teardown kept some (`shared.adoption`).
    buckets: tuple[str, ...] = ()
    zones: tuple[OfflineZone, ...] = ()
    aliases: tuple[tuple[str, str], ...] = ()  # (alias name, target key id)
    delegation_sets: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (id, name servers)


@dataclass
class PlannedResource:
    """One resource registration as the program made it."""

    type: str
    name: str
    inputs: dict[str, Any]
    custom: bool
    id: str | None = None


# Outputs whose shape matters to downstream program logic (objects the generic stand-ins skip).
def _acm_certificate(name: str, inputs: dict[str, Any]) -> dict[str, Any]:
    domains = [inputs.get("domainName"), *(inputs.get("subjectAlternativeNames") or [])]
    return {
        "domainValidationOptions": [
            {
                "domainName": d,
                "resourceRecordName": computed(name, f"validation[{d}].name"),
                "resourceRecordType": "CNAME",
                "resourceRecordValue": computed(name, f"validation[{d}].value"),
            }
            for d in domains
            if d
        ]
    }


def _rds_instance(name: str, inputs: dict[str, Any]) -> dict[str, Any]:
    port = inputs.get("port") or 5432
    return {
        "address": computed(name, "address"),
        "endpoint": computed(name, "endpoint"),
        "port": port,
    }


STATE_STANDINS: dict[str, Callable[[str, dict[str, Any]], dict[str, Any]]] = {
    "aws:acm/certificate:Certificate": _acm_certificate,
    "aws:rds/instance:Instance": _rds_instance,
}


class PlanMocks(pulumi.runtime.Mocks):
    """Records registrations and answers them from `OfflineCloud` and upstream exports."""

    def __init__(self, cloud: OfflineCloud, stack_outputs: Mapping[str, Mapping[str, Any]]) -> None:
        self.cloud = cloud
        self.stack_outputs = stack_outputs
        self.resources: list[PlannedResource] = []
        self.calls: list[tuple[str, dict[str, Any]]] = []

    # resources ------------------------------------------------------------------------
    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str | None, dict[str, Any]]:
        inputs = plain_numbers(dict(args.inputs))
        if args.typ == "pulumi:pulumi:StackReference":
            return self._stack_reference(args.name, inputs)
        state: dict[str, Any] = {}
        for prop, shape in output_shapes(args.typ).items():
            if prop in inputs:
                continue
            state[prop] = computed(args.name, prop) if shape == "str" else [computed(args.name, prop)]
        standin = STATE_STANDINS.get(args.typ)
        if standin:
            state.update(standin(args.name, inputs))
        state.update(inputs)
        resource_id = computed(args.name, "id") if args.custom else None
        if args.typ.startswith("pulumi:providers:"):
            resource_id = f"{args.name}-provider-id"
        shown = {k: SECRET_MASK if k in SENSITIVE_KEYS else v for k, v in inputs.items()}
        self.resources.append(PlannedResource(args.typ, args.name, shown, bool(args.custom), resource_id))
        return resource_id, state

    def _stack_reference(self, logical: str, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        ref_name = str(inputs.get("name", ""))
        parts = ref_name.split("/")
        project = parts[1] if len(parts) == 3 else ref_name
        outputs = dict(self.stack_outputs.get(project, {}))
        self.resources.append(PlannedResource("pulumi:pulumi:StackReference", logical, inputs, True, ref_name))
        return ref_name, {"name": ref_name, "outputs": outputs, "secretOutputNames": []}

    # data sources -----------------------------------------------------------------------
    def call(self, args: pulumi.runtime.MockCallArgs) -> dict[str, Any]:  # type: ignore[override]
        self.calls.append((args.token, dict(args.args)))
        handler = CALLS.get(args.token)
        if handler is None:
            raise NotImplementedError(
                f"the offline engine has no answer for {args.token}; add one to ops.plan.mock_engine.CALLS"
            )
        return handler(self.cloud, dict(args.args))


def _caller_identity(cloud: OfflineCloud, _: dict[str, Any]) -> dict[str, Any]:
    return {
        "accountId": cloud.account_id,
        "arn": f"arn:aws:iam::{cloud.account_id}:user/offline-plan",
        "userId": "AIDAOFFLINEPLAN",
        "id": cloud.account_id,
    }


def _partition(_cloud: OfflineCloud, _: dict[str, Any]) -> dict[str, Any]:
    return {"partition": "aws", "dnsSuffix": "amazonaws.com", "id": "aws", "reverseDnsPrefix": "com.amazonaws"}


def _secret_version(cloud: OfflineCloud, args: dict[str, Any]) -> dict[str, Any]:
    secret_id = str(args.get("secretId", ""))
    if cloud.secrets is None:
        payload = DEFAULT_DB_SECRET
    elif secret_id in cloud.secrets:
        payload = cloud.secrets[secret_id]
    else:
        raise LookupError(f"Secrets Manager can't find the specified secret: {secret_id}")
    arn = (
        secret_id
        if secret_id.startswith("arn:")
        else (f"arn:aws:secretsmanager:{cloud.region}:{cloud.account_id}:secret:{secret_id}-AbCdEf")
    )
    return {
        "arn": arn,
        "id": arn,
        "secretId": secret_id,
        "secretString": payload,
        "versionId": "offline",
        "versionStages": ["AWSCURRENT"],
    }


def _secret(cloud: OfflineCloud, args: dict[str, Any]) -> dict[str, Any]:
    version = _secret_version(cloud, {"secretId": args.get("arn") or args.get("name")})
    return {
        "arn": version["arn"],
        "id": version["arn"],
        "name": args.get("name") or version["secretId"],
        "kmsKeyId": "",
    }


def _elb_service_account(cloud: OfflineCloud, _: dict[str, Any]) -> dict[str, Any]:
    # The regional ELB log-delivery account for ap-northeast-2 (AWS documentation).
    return {"arn": "arn:aws:iam::600734575887:root", "id": "600734575887", "region": cloud.region}


def _secret_or_failure(cloud: OfflineCloud, args: dict[str, Any]) -> Any:
    # A provider reports a secret it cannot find as a failed invoke, which the program can catch
    # (the data layer turns it into a ConfigError); a raising mock would crash the engine instead.
    try:
        return _secret(cloud, args)
    except LookupError as e:
        return {}, [("name", str(e))]


def _kms_key(cloud: OfflineCloud, args: dict[str, Any]) -> dict[str, Any]:
    # DescribeKey accepts a key id, key ARN, alias name or alias ARN; aliases under aws/ are
    # AWS managed keys. An alias answers with a stand-in key id derived from its name.
    key_id = str(args.get("keyId", ""))
    alias = key_id.split(":")[-1] if "alias/" in key_id else ""
    if ":key/" in key_id:
        arn = key_id
    else:
        uuid = f"offline-{alias.removeprefix('alias/').replace('/', '-')}" if alias else key_id
        arn = f"arn:aws:kms:{cloud.region}:{cloud.account_id}:key/{uuid}"
    manager = "AWS" if alias.startswith("alias/aws/") else "CUSTOMER"
    return {"arn": arn, "id": arn, "keyId": arn.rsplit("/", 1)[-1], "keyManager": manager, "enabled": True}


def _buckets(cloud: OfflineCloud, args: dict[str, Any]) -> dict[str, Any]:
    # ListBuckets with its prefix and region filters.
    prefix, region = str(args.get("prefix") or ""), str(args.get("bucketRegion") or cloud.region)
    found = [b for b in cloud.buckets if b.startswith(prefix) and region == cloud.region]
    return {
        "buckets": [
            {"name": b, "bucketArn": f"arn:aws:s3:::{b}", "bucketRegion": cloud.region, "creationDate": ""}
            for b in sorted(found)
        ],
        "prefix": prefix,
        "bucketRegion": region,
        "region": cloud.region,
    }


def _zones(cloud: OfflineCloud, _: dict[str, Any]) -> dict[str, Any]:
    return {"id": cloud.account_id, "ids": [z.zone_id for z in cloud.zones]}


def _zone(cloud: OfflineCloud, args: dict[str, Any]) -> Any:
    found = next((z for z in cloud.zones if z.zone_id == args.get("zoneId")), None)
    if found is None:  # a failed invoke, as the provider reports it (see _secret_or_failure)
        return {}, [("zoneId", f"no matching Route 53 Hosted Zone found: {args.get('zoneId')}")]
    return {
        "id": found.zone_id,
        "zoneId": found.zone_id,
        "name": found.name,
        "privateZone": found.private,
        "nameServers": list(found.name_servers),
        "tags": dict(found.tags),
        "arn": f"arn:aws:route53:::hostedzone/{found.zone_id}",
    }


def _delegation_set(cloud: OfflineCloud, args: dict[str, Any]) -> Any:
    servers = dict(cloud.delegation_sets).get(str(args.get("id")))
    if servers is None:
        return {}, [("id", f"NoSuchDelegationSet: {args.get('id')}")]
    return {"id": args["id"], "nameServers": list(servers), "arn": f"arn:aws:route53:::delegationset/{args['id']}"}


def _alias(cloud: OfflineCloud, args: dict[str, Any]) -> Any:
    name = str(args.get("name", ""))
    key_id = dict(cloud.aliases).get(name)
    if key_id is None:
        return {}, [("name", f"NotFoundException: Alias {name} is not found")]
    key_arn = f"arn:aws:kms:{cloud.region}:{cloud.account_id}:key/{key_id}"
    return {
        "id": f"arn:aws:kms:{cloud.region}:{cloud.account_id}:{name}",
        "arn": f"arn:aws:kms:{cloud.region}:{cloud.account_id}:{name}",
        "name": name,
        "targetKeyId": key_id,
        "targetKeyArn": key_arn,
    }


CALLS: dict[str, Callable[[OfflineCloud, dict[str, Any]], Any]] = {
    "aws:index/getCallerIdentity:getCallerIdentity": _caller_identity,
    "aws:index/getPartition:getPartition": _partition,
    "aws:secretsmanager/getSecretVersion:getSecretVersion": _secret_version,
    "aws:secretsmanager/getSecret:getSecret": _secret_or_failure,
    "aws:kms/getKey:getKey": _kms_key,
    "aws:elb/getServiceAccount:getServiceAccount": _elb_service_account,
    "aws:s3/getBuckets:getBuckets": _buckets,
    "aws:route53/getZones:getZones": _zones,
    "aws:route53/getZone:getZone": _zone,
    "aws:route53/getDelegationSet:getDelegationSet": _delegation_set,
    "aws:kms/getAlias:getAlias": _alias,
}


@dataclass
class ProgramRun:
    """What one program registered and exported."""

    resources: list[PlannedResource]
    exports: dict[str, Any]
    secret_exports: tuple[str, ...] = field(default_factory=tuple)
    # The data sources it called: (token, arguments), in call order.
    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)


def _resolve(value: Any) -> tuple[Any, bool]:
    output = pulumi.Output.from_input(value)
    return _sync_await(output.future()), bool(_sync_await(output.is_secret()))


def run_program(
    main: Path,
    *,
    project: str,
    stack: str,
    config: Mapping[str, str],
    cloud: OfflineCloud,
    stack_outputs: Mapping[str, Mapping[str, Any]],
) -> ProgramRun:
    """Run one Pulumi program under mocks and return its registrations and exports.

    Raises whatever the program raises (a `ConfigError` for bad input).
    """
    mocks = PlanMocks(cloud, stack_outputs)
    pulumi.runtime.set_all_config(dict(config))
    pulumi_settings.set_root_resource(None)  # type: ignore[arg-type]
    pulumi_settings.SETTINGS.rpc_manager.clear()
    pulumi_mocks.set_mocks(mocks, project=project, stack=stack, preview=False, organization=ORGANIZATION)
    root = pulumi_settings.get_root_resource()

    def program() -> None:
        runpy.run_path(str(main), run_name="__main__")

    _sync_await(run_pulumi_func(program))
    exports: dict[str, Any] = {}
    secret: list[str] = []
    for name, value in getattr(root, "outputs", {}).items():
        exports[name], is_secret = _resolve(value)
        if is_secret:
            secret.append(name)
    return ProgramRun(resources=mocks.resources, exports=exports, secret_exports=tuple(secret), calls=mocks.calls)
