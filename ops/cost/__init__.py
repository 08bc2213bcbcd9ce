"""The monthly cost of a planned platform, offline: price table, usage assumptions, rules, report."""

from ops.cost.model import Charge, CostEstimate, ResourceCost
from ops.cost.pricing import estimate, monthly_by_layer

__all__ = ["Charge", "CostEstimate", "ResourceCost", "estimate", "monthly_by_layer"]
