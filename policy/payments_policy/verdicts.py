"""Running every rule over a set of resources: the verdicts `invoke plan` prints.

The offline plan calls `evaluate` with the whole platform's planned resources (their
`PlannedResource.inputs` are already camelCase, unknowns already marked), so the verdicts
are exactly what the CrossGuard pack would report stack by stack.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from payments_policy.model import PolicyContext, PolicyInput, Rule
from payments_policy.rules import RULES


@dataclass(frozen=True)
class Violation:
    """One resource breaking one rule."""

    rule: str
    resource: str  # logical name, prefixed with its layer when known ("edge/alb-payments-prod")
    type: str
    message: str


@dataclass(frozen=True)
class Verdict:
    """One rule's outcome over every resource it applies to."""

    rule: Rule
    checked: int
    violations: tuple[Violation, ...] = field(default_factory=tuple)

    @property
    def passed(self) -> bool:
        """True when no resource breaks the rule."""
        return not self.violations


def evaluate(
    resources: Iterable[tuple[str, PolicyInput]],
    stack: str,
    *,
    rules: Iterable[Rule] = RULES,
    config: Mapping[str, Any] | None = None,
) -> list[Verdict]:
    """Apply `rules` to `(label, resource)` pairs of one stack; one verdict per rule, in rule order.

    `label` names the resource in a violation (e.g. its layer); "" means just its logical name.
    """
    pairs = list(resources)
    ctx = PolicyContext(stack=stack, resources=tuple(r for _, r in pairs), config=dict(config or {}))
    verdicts = []
    for rule in rules:
        checked, found = 0, []
        for label, r in pairs:
            if not rule.applies_to(r):
                continue
            checked += 1
            where = f"{label}/{r.name}" if label else r.name
            found += [Violation(rule.id, where, r.type, message) for message in rule.check(r, ctx)]
        verdicts.append(Verdict(rule, checked, tuple(found)))
    return verdicts


def plan_verdicts(
    plan: Any, *, rules: Iterable[Rule] = RULES, config: Mapping[str, Any] | None = None
) -> list[Verdict]:
    """Verdicts over every resource of an offline `ops.plan.platform.PlatformPlan` (planned layers only).

    Components are included (their names carry the suffix too); providers, stack references
    and the stack itself are engine plumbing and are not.
    """
    pairs = [
        (lp.layer, PolicyInput(r.type, r.name, r.inputs))
        for lp in plan.layers
        if lp.status == "planned"
        for r in sorted(lp.resources, key=lambda r: (r.type, r.name))
        if not r.type.startswith("pulumi:")
    ]
    return evaluate(pairs, plan.env, rules=rules, config=config)
