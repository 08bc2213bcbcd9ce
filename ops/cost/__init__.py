"""The monthly cost of a planned platform, offline: price table, usage assumptions, rules, report."""

from ops.cost.estimate import estimate, monthly_by_layer
from ops.cost.model import Charge, CostEstimate, ResourceCost

__all__ = ["Charge", "CostEstimate", "ResourceCost", "estimate", "monthly_by_layer"]
