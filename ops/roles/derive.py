"""A layer's IAM rights derived from its offline plan, through the one table in `ops.roles.actions`.

`deploy_statements(plan, layer, scope)` walks the resources the layer's program registers and the
data sources it calls, looks each type up in the table and grants its actions on that resource's
ARNs in this environment (or on its tags), plus `iam:PassRole` on exactly the roles its resources
are handed, KMS grants through the one service that uses a key, the service-linked roles AWS makes
on first use, and what the layer's preflight checks read. `read_statements` is the same walk with
the describe/list/get actions only (the drift role). A type the table lacks stops the derivation
with one line: a new resource type is a new row, never a wildcard.

The statements are grouped (same resources and condition: one statement) and sorted, so the same
plan always gives the same bytes.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ops.environment.environment import Environment
from ops.plan.mock_engine import PlannedResource
from ops.plan.platform import LayerPlan, PlatformPlan
from ops.roles.actions import CALLS, LOOKUPS, TABLE, Account, Named, Rights, Tagged, Under, Zone
from shared.layers import lifecycle
from shared.plan_values import COMPUTED_PREFIX
from shared.settings import ConfigError, StackSettings, parse_settings
from shared.tags import standard_tags

Statement = dict[str, Any]
_MARKER = re.compile(re.escape(COMPUTED_PREFIX) + r"([^.)]+)\.(.*)\)$")
_BRACKETED = re.compile(r"\[([^\]]+)\]")


class DerivationError(ValueError):
    """The plan holds something the table cannot grant; one line naming it and what to add."""


@dataclass
class AccountScope:
    """The environment a policy is derived for: its account and names (a `GrantContext` for preflight)."""

    env: str
    service: str
    account: str
    region: str
    partition: str = "aws"
    environment: Environment | None = None
    _parsed: dict[str, StackSettings | None] = field(default_factory=dict, repr=False)

    def settings(self, layer: str) -> StackSettings | None:
        """A layer's validated settings in this environment, or None."""
        if layer not in self._parsed:
            parsed = None
            if self.environment is not None and layer in self.environment.layers:
                try:
                    parsed = parse_settings(
                        lifecycle(layer).settings, self.environment.values(layer), namespace=layer, env=self.env
                    )
                except ConfigError:
                    parsed = None
            self._parsed[layer] = parsed
        return self._parsed[layer]

    def tags(self, layer: str) -> dict[str, str]:
        """The tags every resource of `layer` carries here (what the tag conditions ask for)."""
        tags = standard_tags(env=self.env, project=self.service, layer=layer)
        return {k: v for k, v in tags.items() if k in ("Project", "Environment", "Layer")}

    def fill(self, template: str, **values: str) -> str:
        """An ARN template with this account's fields and `values` filled in."""
        return template.format(partition=self.partition, region=self.region, account=self.account, **values)


class Policy:
    """Grants collected by (resources, condition), rendered as few, sorted statements."""

    def __init__(self) -> None:
        self._grants: dict[tuple[str, str], set[str]] = {}

    def allow(self, actions: Iterable[str], resources: Iterable[str], condition: Mapping[str, Any] | None = None):
        """Allow `actions` on each of `resources` under `condition`."""
        actions = set(actions)
        if not actions:
            return
        key_condition = json.dumps(condition or {}, sort_keys=True)
        for resource in resources:
            self._grants.setdefault((resource, key_condition), set()).update(actions)

    def statements(self, sid: str) -> list[Statement]:
        """One statement per service and condition (`*` apart), its actions and resources merged; sorted.

        Merging within a service keeps every right on the layer's own resources: an action applies
        only to ARNs of its own resource types, so an action listed beside another type's ARN grants
        nothing there. Rights on `*` never merge with rights on ARNs. Sids are `<sid>1`, `<sid>2`, ...
        """
        merged: dict[tuple[str, str, bool], tuple[set[str], set[str]]] = {}
        for (resource, condition), actions in self._grants.items():
            for action in actions:
                key = (action.split(":")[0], condition, resource == "*")
                found = merged.setdefault(key, (set(), set()))
                found[0].add(action)
                found[1].add(resource)
        rows = sorted(
            (tuple(sorted(actions)), condition, tuple(sorted(resources)))
            for (_, condition, _), (actions, resources) in merged.items()
        )
        rows.sort(key=lambda r: r[2] == ("*",))
        out: list[Statement] = []
        for n, (acts, cond, res) in enumerate(rows, 1):
            statement: Statement = {
                "Sid": f"{sid}{n}",
                "Effect": "Allow",
                "Action": list(acts) if len(acts) > 1 else acts[0],
                "Resource": list(res) if len(res) > 1 else res[0],
            }
            if cond != "{}":
                statement["Condition"] = json.loads(cond)
            out.append(statement)
        return out


@dataclass(frozen=True)
class Target:
    """Where a planned resource's rights apply: its ARNs, its name, and the layer whose tags scope it."""

    arns: tuple[str, ...]
    name: str = ""
    tagged_by: str = ""  # the owning layer, when the resource is scoped by tags (AWS-assigned id)


class _Walk:
    """One derivation over a platform plan."""

    def __init__(self, plan: PlatformPlan, scope: AccountScope) -> None:
        self.plan, self.scope = plan, scope
        self.by_name: dict[str, tuple[str, PlannedResource]] = {
            r.name: (lp.layer, r) for lp in plan.layers for r in lp.resources if r.custom
        }

    def rights(self, resource: PlannedResource) -> Rights:
        found = TABLE.get(resource.type)
        if found is None:
            raise DerivationError(
                f"{resource.name} is a {resource.type}, which ops/roles/actions.py has no IAM rights for: "
                "add its row (actions from the service's Service Authorization Reference page)"
            )
        return found

    def referenced(self, value: Any) -> tuple[str, PlannedResource] | None:
        """The planned resource a `(known after apply: <name>.<prop>)` value comes from."""
        match = _MARKER.match(value) if isinstance(value, str) else None
        return self.by_name.get(match.group(1)) if match else None

    def target(self, layer: str, resource: PlannedResource) -> Target:
        scope = self.rights(resource).scope
        if isinstance(scope, Named):
            given = resource.inputs.get(scope.name_input)
            plain = isinstance(given, str) and given and COMPUTED_PREFIX not in given
            # Pulumi names a resource whose name the program leaves unset: its logical name, "-" and a suffix.
            name = str(given).removeprefix(scope.strip) if plain else f"{resource.name}-*"
            extra = {
                key: self.name_of(resource.inputs.get(key))
                for key in re.findall(r"\{(\w+)\}", " ".join(scope.arns))
                if key not in ("partition", "region", "account", "name")
            }
            return Target(tuple(self.scope.fill(t, name=name, **extra) for t in scope.arns), name)
        if isinstance(scope, Under):
            value = resource.inputs.get(scope.input)
            ref = self.referenced(value) or self.named(str(value))
            if ref is None:  # an existing resource the config names by its ARN
                if not str(value).startswith("arn:"):
                    raise DerivationError(
                        f"{resource.name}: its {scope.input} {value!r} is neither a planned resource nor an ARN"
                    )
                return Target((str(value),), str(value))
            parent = self.target(*ref)
            if scope.arns:
                return Target(tuple(self.scope.fill(t, name=parent.name) for t in scope.arns), parent.name)
            return parent
        if isinstance(scope, Tagged):
            return Target(tuple(self.scope.fill(t) for t in scope.arns), tagged_by=layer)
        if isinstance(scope, Account):
            return Target(tuple(self.scope.fill(t) for t in scope.arns))
        zone = resource.inputs.get("zoneId")
        ref = self.referenced(zone)
        if ref is not None:
            return self.target(*ref)
        return Target((self.scope.fill("arn:{partition}:route53:::hostedzone/{zone}", zone=str(zone)),))

    def named(self, name: str) -> tuple[str, PlannedResource] | None:
        """The planned resource whose own name (a `Named` scope's input) is `name`."""
        for layer, resource in self.by_name.values():
            scope = TABLE[resource.type].scope if resource.type in TABLE else None
            if isinstance(scope, Named) and resource.inputs.get(scope.name_input) == name:
                return layer, resource
        return None

    def name_of(self, value: Any) -> str:
        ref = self.referenced(value)
        return self.target(*ref).name if ref else str(value)

    def tag_condition(self, layer: str, key: str) -> dict[str, Any]:
        return {"StringEquals": {f"aws:{key}/{k}": v for k, v in sorted(self.scope.tags(layer).items())}}

    def on(self, target: Target, policy: Policy, actions: Iterable[str], extra: Mapping[str, str] | None = None):
        """Allow `actions` on `target` (under its tags when it is scoped by them)."""
        condition = self.tag_condition(target.tagged_by, "ResourceTag") if target.tagged_by else {}
        if extra:
            condition = {"StringEquals": {**condition.get("StringEquals", {}), **extra}}
        policy.allow(actions, target.arns, condition)


def _nested(inputs: Mapping[str, Any], path: str) -> Any:
    value: Any = inputs
    for part in path.split("."):
        value = value.get(part) if isinstance(value, Mapping) else None
    return value


def _layer_plan(plan: PlatformPlan, layer: str) -> LayerPlan:
    found = plan.layer(layer)
    if found.status != "planned":
        raise DerivationError(f"{layer} has no plan to derive its rights from ({found.status}: {found.error})")
    return found


def _resources(lp: LayerPlan) -> list[PlannedResource]:
    return [r for r in lp.custom_resources() if not r.type.startswith("pulumi:")]


def deploy_statements(plan: PlatformPlan, layer: str, scope: AccountScope) -> list[Statement]:
    """What deploying `layer` as planned takes in AWS (its state backend rights are separate)."""
    walk, policy = _Walk(plan, scope), Policy()
    lp = _layer_plan(plan, layer)
    zones: dict[tuple[str, ...], set[str]] = {}
    # Tag-on-create rights, merged into one statement per tagging action: (tags, key) -> actions, ARNs.
    tag_on_create: dict[tuple[str, str], tuple[set[str], set[str]]] = {}
    for resource in _resources(lp):
        rights = walk.rights(resource)
        target = walk.target(layer, resource)
        if isinstance(rights.scope, Zone):
            zones.setdefault(target.arns, set()).update(_record_names(resource, rights.scope))
            walk.on(target, policy, rights.read)
        else:
            walk.on(target, policy, (*rights.create, *rights.change, *rights.read))
        if isinstance(rights.scope, Tagged):
            created = walk.tag_condition(layer, "RequestTag")
            policy.allow(rights.create, target.arns, created)
            policy.allow(rights.create_any, ("*",), created)
            creates = set(rights.create) - {rights.scope.tag_on_create}
            if rights.scope.tag_on_create and creates:
                found = tag_on_create.setdefault(
                    (rights.scope.tag_on_create, rights.scope.create_action_key), (set(), set())
                )
                found[0].update(creates)
                found[1].update(target.arns)
        else:
            policy.allow(rights.create_any, ("*",))
        policy.allow((*rights.change_any, *rights.read_any), ("*",))
        for path in rights.acts_on:
            other = walk.referenced(_nested(resource.inputs, path))
            if other is not None:
                walk.on(walk.target(*other), policy, (*rights.create, *rights.change))
        for path in rights.passes_roles:
            role = walk.referenced(_nested(resource.inputs, path))
            if role is not None:
                policy.allow(("iam:PassRole",), walk.target(*role).arns)
            elif isinstance(value := _nested(resource.inputs, path), str) and value.startswith("arn:"):
                policy.allow(("iam:PassRole",), (value,))
        every = (*rights.create, *rights.change, *rights.read, *rights.create_any, *rights.change_any, *rights.read_any)
        service = every[0].split(":")[0]
        for path in rights.keys_via_service:
            kms_key = walk.referenced(_nested(resource.inputs, path))
            if kms_key is not None:
                via = {"kms:ViaService": f"{service}.{scope.region}.amazonaws.com"}
                walk.on(walk.target(*kms_key), policy, ("kms:CreateGrant", "kms:DescribeKey"), via)
        if rights.service_linked_role:
            linked = f"arn:{scope.partition}:iam::{scope.account}:role/aws-service-role/{rights.service_linked_role}/*"
            named = {"StringEquals": {"iam:AWSServiceName": rights.service_linked_role}}
            policy.allow(("iam:CreateServiceLinkedRole",), (linked,), named)
        for made_actions, input_name, template in rights.by_input:
            given = resource.inputs.get(input_name)
            if isinstance(given, str) and given and COMPUTED_PREFIX not in given:
                policy.allow(made_actions, (scope.fill(template, value=given),))
        for also_actions, templates in rights.also:
            policy.allow(also_actions, tuple(scope.fill(t) for t in templates))
    for (tag_action, key_name), (creates, tagged_arns) in tag_on_create.items():
        made: dict[str, Any] = {**walk.tag_condition(layer, "RequestTag")["StringEquals"], key_name: sorted(creates)}
        policy.allow((tag_action,), tagged_arns, {"StringEquals": made})
    for zone_arns, names in zones.items():
        records = {"ForAllValues:StringLike": {"route53:ChangeResourceRecordSetsNormalizedRecordNames": sorted(names)}}
        policy.allow(("route53:ChangeResourceRecordSets",), zone_arns, records)
    for token, args in lp.calls:
        _call(walk, policy, token, args)
    for check in lifecycle(layer).preflight:
        for grant in check.grants(scope) if check.grants else ():
            policy.allow(grant.actions, grant.resources)
    return policy.statements("Deploy")


def read_statements(plan: PlatformPlan, layers: Iterable[str], scope: AccountScope) -> list[Statement]:
    """What reading `layers`' resources back takes (describe, list, get): the drift check's rights."""
    walk, policy = _Walk(plan, scope), Policy()
    for layer in layers:
        for resource in _resources(_layer_plan(plan, layer)):
            rights = walk.rights(resource)
            walk.on(walk.target(layer, resource), policy, rights.read)
            policy.allow(rights.read_any, ("*",))
    return policy.statements("Read")


def _record_names(resource: PlannedResource, zone: Zone) -> set[str]:
    """The normalized names (lower case, no final dot) a record may be written under."""
    name = str(resource.inputs.get("name", ""))
    if COMPUTED_PREFIX in name:
        keys = _BRACKETED.findall(name)
        if not keys:
            raise DerivationError(f"{resource.name}: its record name is known only after apply: {name}")
        return {zone.computed.format(key=k.rstrip(".").lower()) for k in keys}
    return {name.rstrip(".").lower()}


def _call(walk: _Walk, policy: Policy, token: str, args: Mapping[str, Any]) -> None:
    """Rights for one data source call of the program."""
    if token not in CALLS:
        raise DerivationError(
            f"the program calls {token}, which ops/roles/actions.py has no IAM rights for: add it to CALLS"
        )
    for found_actions, arns in LOOKUPS.get(token, ()):
        policy.allow(found_actions, tuple(a if a == "*" else walk.scope.fill(a) for a in arns))
    actions, names = CALLS[token]
    value = next((str(args[n]) for n in names if args.get(n)), "")
    if not actions or not value:
        return
    scope = walk.scope
    if value.startswith("arn:"):
        policy.allow(actions, (value,))
    elif token.startswith("aws:secretsmanager/"):
        # Secrets Manager appends six characters to a secret's name in its ARN (its user guide writes
        # `-??????` for them in IAM policies).
        policy.allow(
            actions, (scope.fill("arn:{partition}:secretsmanager:{region}:{account}:secret:{n}-??????", n=value),)
        )
    elif value.startswith("alias/"):
        # DescribeKey through an alias is authorized on the key it names (KMS: kms:RequestAlias).
        key = scope.fill("arn:{partition}:kms:{region}:{account}:key/*")
        policy.allow(actions, (key,), {"StringEquals": {"kms:RequestAlias": value}})
    else:
        policy.allow(actions, (scope.fill("arn:{partition}:kms:{region}:{account}:key/{k}", k=value),))


def upstream_projects(plan: PlatformPlan, layer: str) -> tuple[str, ...]:
    """The projects whose stacks the layer reads through StackReference, as its plan registers them."""
    projects = {
        str(r.id).split("/")[1] if str(r.id).count("/") == 2 else str(r.id)
        for r in _layer_plan(plan, layer).resources
        if r.type == "pulumi:pulumi:StackReference"
    }
    return tuple(sorted(projects))
