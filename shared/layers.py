"""The layer registry and graph: the single definition of which layers exist and which depends on which.

Every ordering decision (offline plan, deploy, preview, teardown) is derived from `LAYERS`,
so adding a layer or an edge is a one-line change here.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from shared.lifecycle import LayerLifecycle


@dataclass(frozen=True)
class Layer:
    """One micro-stack: a Pulumi project under `projects/<name>/` and its package.

    The package (default `payments_<name>`) has a `lifecycle` module whose `LIFECYCLE`
    (`shared.lifecycle.LayerLifecycle`) tells the tooling everything else about the layer.
    """

    name: str
    depends_on: tuple[str, ...] = ()
    description: str = ""
    package: str = ""

    @property
    def package_name(self) -> str:
        """The importable package of the layer's code."""
        return self.package or f"payments_{self.name}"


# The registry: one line per layer. A new layer is its folder (`projects/<name>/` with its package
# and `lifecycle` module) plus one line here.
LAYERS: tuple[Layer, ...] = (
    Layer("network", (), "VPC, subnets, gateways, routes, security groups, flow logs"),
    Layer("data", ("network",), "RDS PostgreSQL Multi-AZ, its KMS key and parameter group"),
    Layer("edge", ("network",), "Route53 zone, CAA, ACM certificate, WAF web ACL, ALB, listeners, target group"),
    Layer("compute", ("network", "data", "edge"), "ECS Fargate service, autoscaling, IAM, logs"),
)

LAYER_NAMES: tuple[str, ...] = tuple(layer.name for layer in LAYERS)


def layer_names() -> tuple[str, ...]:
    """The registered layers' names, in registry order (read at call time, so a test may register one)."""
    return tuple(layer.name for layer in LAYERS)


class UnknownLayerError(ValueError):
    """A layer name that is not in the graph."""


def get_layer(name: str) -> Layer:
    """Return the layer called `name`, or raise `UnknownLayerError` listing the valid names."""
    for layer in LAYERS:
        if layer.name == name:
            return layer
    raise UnknownLayerError(f"unknown layer {name!r}: expected one of {', '.join(layer_names())}")


def lifecycle(name: str) -> LayerLifecycle:
    """The `LIFECYCLE` the layer's package declares (imported on first use: it loads Pulumi)."""
    module = importlib.import_module(f"{get_layer(name).package_name}.lifecycle")
    found: LayerLifecycle = module.LIFECYCLE
    return found


def upstream(name: str) -> tuple[str, ...]:
    """All layers `name` depends on, directly or transitively, in graph order."""
    seen: set[str] = set()
    stack = list(get_layer(name).depends_on)
    while stack:
        dep = stack.pop()
        if dep not in seen:
            seen.add(dep)
            stack.extend(get_layer(dep).depends_on)
    return tuple(n for n in layer_names() if n in seen)


def downstream(name: str) -> tuple[str, ...]:
    """All layers that depend on `name`, directly or transitively, in graph order."""
    get_layer(name)
    return tuple(other for other in layer_names() if name in upstream(other))


def waves(selected: Iterable[str] | None = None) -> list[tuple[str, ...]]:
    """Group the selected layers (default: all) into waves for deployment.

    Every layer in a wave depends only on layers in earlier waves, so the layers of one wave
    may run at the same time: `[("network",), ("data", "edge"), ("compute",)]`.
    """
    chosen = [get_layer(n).name for n in (layer_names() if selected is None else selected)]
    done: set[str] = set()
    result: list[tuple[str, ...]] = []
    remaining = [n for n in layer_names() if n in chosen]
    while remaining:
        wave = tuple(n for n in remaining if all(d in done or d not in chosen for d in get_layer(n).depends_on))
        if not wave:  # pragma: no cover - LAYERS is acyclic; a test keeps it so
            raise ValueError(f"dependency cycle among layers: {remaining}")
        result.append(wave)
        done.update(wave)
        remaining = [n for n in remaining if n not in wave]
    return result


def deploy_order(selected: Iterable[str] | None = None) -> list[str]:
    """Selected layers (default: all) flattened into one valid deploy order."""
    return [name for wave in waves(selected) for name in wave]


def teardown_order(selected: Iterable[str] | None = None) -> list[str]:
    """Selected layers (default: all) in an order that destroys dependents first."""
    return list(reversed(deploy_order(selected)))
