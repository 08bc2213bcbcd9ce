"""Pricing a whole plan: each cloud resource through its rule, as free, or as not priced."""

from __future__ import annotations

from ops.cost.assumptions import Usage, load_usage
from ops.cost.model import Charge, CostEstimate, ResourceCost
from ops.cost.prices import PriceTable, load_prices
from ops.cost.rules import RULES, PricingContext
from ops.plan.mock_engine import PlannedResource
from ops.plan.platform import PlatformPlan

NOT_PRICED = "not priced: the price table has no rule or price for this type"


def price_resource(layer: str, resource: PlannedResource, ctx: PricingContext) -> ResourceCost:
    """One resource's charges: its rule's, the free reason, or a single not-priced charge."""
    rule = RULES.get(resource.type)
    if rule is not None:
        return ResourceCost(layer, resource.name, resource.type, tuple(rule(resource, ctx)))
    reason = ctx.table.free.get(resource.type)
    if reason is not None:
        return ResourceCost(layer, resource.name, resource.type, (Charge(f"free: {reason}", 0.0),), free=True)
    return ResourceCost(layer, resource.name, resource.type, (Charge(NOT_PRICED, None),))


def estimate(plan: PlatformPlan, table: PriceTable | None = None, usage: Usage | None = None) -> CostEstimate:
    """The monthly cost of every planned resource of `plan` (defaults: the repository's files)."""
    table = table or load_prices()
    usage = usage or load_usage(plan.env)
    ctx = PricingContext(plan, table, usage)
    resources = tuple(price_resource(layer, r, ctx) for layer, r in plan.all_resources())
    return CostEstimate(
        env=plan.env,
        resources=resources,
        layer_names=tuple(lp.layer for lp in plan.layers if lp.status == "planned"),
        assumptions=usage.shown(),
        price_source=f"{table.region} on-demand {table.currency}, read {table.read_on}",
    )


def monthly_by_layer(plan: PlatformPlan) -> dict[str, float]:
    """Layer -> estimated monthly USD, for the planned layers only (the plan summary's column)."""
    return estimate(plan).by_layer()
