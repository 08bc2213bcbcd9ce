"""The layer graph: the single definition of which layer depends on which.

Every ordering decision (offline plan, deploy, preview, teardown) is derived from `LAYERS`,
so adding a layer or an edge is a one-line change here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Layer:
    """One micro-stack: a Pulumi project under `projects/<name>/`."""

    name: str
    depends_on: tuple[str, ...] = ()
    description: str = ""
    # Config values teardown sets (then applies) before `destroy`, to lift deletion protection
    # from exactly the resources this layer's stack owns.
    teardown_config: tuple[tuple[str, str], ...] = ()
    # Resource types the teardown flip updates (a targeted `up`): only these take the new values.
    teardown_targets: tuple[str, ...] = ()
    # The only input properties that targeted update may change on those resources; any other
    # pending difference means undeployed code, and teardown stops instead of shipping it.
    teardown_properties: tuple[str, ...] = ()


LAYERS: tuple[Layer, ...] = (
    Layer("network", (), "VPC, subnets, gateways, routes, security groups, flow logs"),
    Layer(
        "data",
        ("network",),
        "RDS PostgreSQL Multi-AZ, its KMS key and parameter group",
        teardown_config=(("deletionProtection", "false"),),
        teardown_targets=("aws:rds/instance:Instance",),
        teardown_properties=("deletionProtection",),
    ),
    Layer(
        "edge",
        ("network",),
        "Route53 zone, CAA, ACM certificate, WAF web ACL, ALB, listeners, target group",
        teardown_config=(("albDeletionProtection", "false"),),
        teardown_targets=("aws:lb/loadBalancer:LoadBalancer",),
        teardown_properties=("enableDeletionProtection",),
    ),
    Layer("compute", ("network", "data", "edge"), "ECS Fargate service, autoscaling, IAM, logs"),
)

LAYER_NAMES: tuple[str, ...] = tuple(layer.name for layer in LAYERS)
_BY_NAME = {layer.name: layer for layer in LAYERS}


class UnknownLayerError(ValueError):
    """A layer name that is not in the graph."""


def get_layer(name: str) -> Layer:
    """Return the layer called `name`, or raise `UnknownLayerError` listing the valid names."""
    try:
        return _BY_NAME[name]
    except KeyError:
        raise UnknownLayerError(f"unknown layer {name!r}: expected one of {', '.join(LAYER_NAMES)}") from None


def upstream(name: str) -> tuple[str, ...]:
    """All layers `name` depends on, directly or transitively, in graph order."""
    seen: set[str] = set()
    stack = list(get_layer(name).depends_on)
    while stack:
        dep = stack.pop()
        if dep not in seen:
            seen.add(dep)
            stack.extend(get_layer(dep).depends_on)
    return tuple(n for n in LAYER_NAMES if n in seen)


def downstream(name: str) -> tuple[str, ...]:
    """All layers that depend on `name`, directly or transitively, in graph order."""
    get_layer(name)
    return tuple(other for other in LAYER_NAMES if name in upstream(other))


def waves(selected: Iterable[str] | None = None) -> list[tuple[str, ...]]:
    """Group the selected layers (default: all) into waves for deployment.

    Every layer in a wave depends only on layers in earlier waves, so the layers of one wave
    may run at the same time: `[("network",), ("data", "edge"), ("compute",)]`.
    """
    chosen = [get_layer(n).name for n in (LAYER_NAMES if selected is None else selected)]
    done: set[str] = set()
    result: list[tuple[str, ...]] = []
    remaining = [n for n in LAYER_NAMES if n in chosen]
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
