"""Shared helpers of the policy tests: run one rule on one hand-made resource."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from payments_policy.model import PolicyContext, PolicyInput
from payments_policy.rules import rule

TAGS = {"Environment": "production", "Layer": "network", "ManagedBy": "pulumi", "Project": "payments"}


def violations(
    rule_id: str,
    token: str,
    props: dict[str, Any],
    *,
    name: str = "thing-payments-prod",
    stack: str = "prod",
    others: Iterable[PolicyInput] = (),
    config: dict[str, Any] | None = None,
) -> list[str]:
    """What rule `rule_id` says about one resource (with `others` in the same stack)."""
    resource = PolicyInput(token, name, props)
    ctx = PolicyContext(stack=stack, resources=(resource, *others), config=config or {})
    r = rule(rule_id)
    assert r.applies_to(resource), f"{rule_id} does not look at {token}"
    return r.check(resource, ctx)
