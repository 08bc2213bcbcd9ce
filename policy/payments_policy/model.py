"""What a rule sees: one resource (type token, camelCase props, logical name) and its context.

Both callers build the same shapes: the offline plan from `PlannedResource.inputs` (the mock
engine already records camelCase engine names and marks cloud-only values as
`(known after apply: <resource>.<prop>)`), the CrossGuard pack from `args.props` through
`payments_policy.engine_props` (which turns the engine's unknown sentinels into the same marker).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from shared.plan_values import COMPUTED_PREFIX, is_computed

_MARKER = re.compile(r"^\(known after apply: (?P<name>[^.()]+)\.(?P<prop>[^()]*)\)$")


def unknown(resource: str, prop: str) -> str:
    """The marker for a value only the cloud knows (the mock engine's own spelling)."""
    return f"{COMPUTED_PREFIX}{resource}.{prop})"


def is_unknown(value: Any) -> bool:
    """Whether `value` is (or contains) a value only known after apply."""
    return is_computed(value)


def referenced_name(value: Any) -> str | None:
    """The logical name of the resource a `(known after apply: <name>.<prop>)` value comes from."""
    if not isinstance(value, str):
        return None
    match = _MARKER.match(value)
    return match.group("name") if match else None


@dataclass(frozen=True)
class PolicyInput:
    """One resource as the rules see it."""

    type: str
    name: str
    props: Mapping[str, Any]

    def get(self, key: str, default: Any = None) -> Any:
        """A top-level prop (camelCase), or `default`."""
        return self.props.get(key, default)


@dataclass(frozen=True)
class PolicyContext:
    """The stack being checked and, for stack-scoped rules, every resource of it."""

    stack: str
    resources: Sequence[PolicyInput] = ()
    # Policy configuration (CrossGuard `--policy-pack-config`, or the defaults offline).
    config: Mapping[str, Any] = field(default_factory=dict)

    def of_type(self, *tokens: str) -> list[PolicyInput]:
        """Every resource whose type is one of `tokens`."""
        return [r for r in self.resources if r.type in tokens]

    @staticmethod
    def refers_to(value: Any, target: PolicyInput, *identity_props: str) -> bool:
        """Whether `value` points at `target`: a marker naming it, or one of its literal identities."""
        if referenced_name(value) == target.name:
            return True
        for prop in ("id", "arn", *identity_props):
            own = target.get(prop)
            if isinstance(own, str) and not is_unknown(own) and own == value:
                return True
        return False


Check = Callable[[PolicyInput, PolicyContext], list[str]]


@dataclass(frozen=True)
class Rule:
    """One mandatory policy: an id, what it demands, the types it looks at, and its check.

    `scope="resource"` rules need nothing but the resource itself; `scope="stack"` rules also
    look at other resources of the stack (which bucket a load balancer logs to, which group a
    rule opens), so the CrossGuard pack runs them as stack validations.
    """

    id: str
    description: str
    check: Check
    types: tuple[str, ...] | None = None  # None: every resource
    scope: Literal["resource", "stack"] = "resource"

    def applies_to(self, resource: PolicyInput) -> bool:
        """Whether this rule looks at `resource` at all."""
        return self.types is None or resource.type in self.types
