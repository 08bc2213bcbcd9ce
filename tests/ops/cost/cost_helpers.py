"""Shared by the cost tests: one resource's charges, and synthetic plans of hand-made resources."""

from __future__ import annotations

from typing import Any

from ops.cost.model import CostEstimate, ResourceCost
from ops.plan.mock_engine import PlannedResource
from ops.plan.platform import LayerPlan, PlatformPlan
from shared.plan_values import computed


def resource(est: CostEstimate, name: str) -> ResourceCost:
    """The priced resource with this logical name."""
    return next(r for r in est.resources if r.name == name)


def charges(est: CostEstimate, name: str) -> list[float | None]:
    """The monthly USD of each charge of one resource, in order."""
    return [c.monthly_usd for c in resource(est, name).charges]


def planned(token: str, name: str, **inputs: Any) -> PlannedResource:
    """A hand-made planned cloud resource."""
    return PlannedResource(type=token, name=name, inputs=inputs, custom=True)


def synthetic_plan(env: str, *resources: PlannedResource, layer: str = "edge") -> PlatformPlan:
    """A plan of one layer holding exactly `resources`."""
    return PlatformPlan(env, [LayerPlan(layer, "planned", list(resources))])


def ref(name: str, prop: str = "id") -> str:
    """How the plan shows a reference to another resource's cloud-only output."""
    return computed(name, prop)
