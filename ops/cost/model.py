"""What an estimate is made of: charges, per-resource costs, and the estimate of an environment."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Status = Literal["priced", "free", "not priced"]


@dataclass(frozen=True)
class Charge:
    """One priced quantity of a resource: what is priced, and its monthly USD (None: not priced)."""

    item: str
    monthly_usd: float | None
    # Usage assumptions (keys of `Usage`) the figure depends on.
    assumptions: tuple[str, ...] = ()


@dataclass(frozen=True)
class ResourceCost:
    """A planned resource and its charges."""

    layer: str
    name: str
    type: str
    charges: tuple[Charge, ...]
    free: bool = False

    @property
    def status(self) -> Status:
        """Not priced when any charge lacks a price: a partial figure must never pass for a full one."""
        if any(c.monthly_usd is None for c in self.charges):
            return "not priced"
        return "free" if self.free else "priced"

    @property
    def monthly_usd(self) -> float:
        """The sum of the priced charges."""
        return sum(c.monthly_usd for c in self.charges if c.monthly_usd is not None)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: the resource, its status and total, and each charge."""
        return {
            "layer": self.layer,
            "resource": self.name,
            "type": self.type,
            "status": self.status,
            "monthly_usd": round(self.monthly_usd, 6),
            "charges": [
                {
                    "item": c.item,
                    "monthly_usd": None if c.monthly_usd is None else round(c.monthly_usd, 6),
                    "assumptions": list(c.assumptions),
                }
                for c in self.charges
            ],
        }


@dataclass(frozen=True)
class CostEstimate:
    """The monthly cost of one environment's plan: every resource, per layer, in total."""

    env: str
    resources: tuple[ResourceCost, ...]
    # The layers in plan order (a layer with no resources still has a subtotal of 0).
    layer_names: tuple[str, ...]
    assumptions: dict[str, Any] = field(default_factory=dict)
    price_source: str = ""

    def layer(self, name: str) -> list[ResourceCost]:
        """The resources of one layer."""
        return [r for r in self.resources if r.layer == name]

    def by_layer(self) -> dict[str, float]:
        """Layer -> monthly USD of its priced charges."""
        return {name: sum(r.monthly_usd for r in self.layer(name)) for name in self.layer_names}

    @property
    def total(self) -> float:
        """Monthly USD of every priced charge."""
        return sum(r.monthly_usd for r in self.resources)

    @property
    def not_priced(self) -> list[ResourceCost]:
        """Resources whose cost (or part of it) the price table does not know."""
        return [r for r in self.resources if r.status == "not priced"]

    def to_dict(self) -> dict[str, Any]:
        """The `--json` document: env, total, per-layer subtotals, resources and assumptions."""
        return {
            "env": self.env,
            "total_monthly_usd": round(self.total, 2),
            "layers": {name: round(usd, 2) for name, usd in self.by_layer().items()},
            "resources": [r.to_dict() for r in self.resources],
            "not_priced": [r.name for r in self.not_priced],
            "assumptions": self.assumptions,
            "prices": self.price_source,
        }
