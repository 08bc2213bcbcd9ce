"""The offline plan: every layer's real program under the mock engine, in graph order.

Each layer's exports feed its consumers' StackReferences, exactly as the deployed stacks would,
so a broken contract or a bad config shows here, on a laptop, before any cloud call.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from ops.environment.environment import Environment
from ops.environment.stack_files import project_dir
from ops.plan.mock_engine import OfflineCloud, PlannedResource, run_program
from shared.layers import deploy_order, layer_names, upstream
from shared.plan_values import SECRET_MASK
from shared.settings import ConfigError

Status = Literal["planned", "failed", "skipped"]


@dataclass
class LayerPlan:
    """One layer's planned resources and exports, or why it has none."""

    layer: str
    status: Status
    resources: list[PlannedResource] = field(default_factory=list)
    exports: dict[str, Any] = field(default_factory=dict)
    secret_exports: tuple[str, ...] = ()
    error: str | None = None
    # The data sources the program called: (token, arguments).
    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    def custom_resources(self) -> list[PlannedResource]:
        """The cloud resources (no components, providers or stack references), sorted by type, name."""
        return sorted(
            (r for r in self.resources if r.custom and not r.type.startswith("pulumi:")),
            key=lambda r: (r.type, r.name),
        )

    def by_type(self, token: str) -> list[PlannedResource]:
        """Resources of one type token, sorted by name."""
        return sorted((r for r in self.resources if r.type == token), key=lambda r: r.name)

    def one(self, token: str) -> PlannedResource:
        """The single resource of a type; raises if there are none or several."""
        found = self.by_type(token)
        if len(found) != 1:
            raise LookupError(f"expected one {token} in {self.layer}, found {len(found)}")
        return found[0]

    def named(self, name: str) -> PlannedResource:
        """The resource with this logical name."""
        for r in self.resources:
            if r.name == name:
                return r
        raise LookupError(f"no resource named {name!r} in {self.layer}")


@dataclass
class PlatformPlan:
    """The whole platform for one environment."""

    env: str
    layers: list[LayerPlan]

    def layer(self, name: str) -> LayerPlan:
        """The plan of one layer."""
        for lp in self.layers:
            if lp.layer == name:
                return lp
        raise LookupError(f"layer {name!r} is not in this plan")

    @property
    def ok(self) -> bool:
        """True when no layer failed."""
        return all(lp.status == "planned" for lp in self.layers)

    def all_resources(self) -> list[tuple[str, PlannedResource]]:
        """(layer, resource) for every cloud resource of the platform."""
        return [(lp.layer, r) for lp in self.layers for r in lp.custom_resources()]

    def to_dict(self) -> dict[str, Any]:
        """Everything, JSON-ready: each resource with all its inputs, each export."""
        return {
            "env": self.env,
            "layers": [
                {
                    "layer": lp.layer,
                    "status": lp.status,
                    "error": lp.error,
                    "resources": [
                        {"type": r.type, "name": r.name, "id": r.id, "inputs": r.inputs}
                        for r in sorted(lp.resources, key=lambda r: (r.type, r.name))
                    ],
                    "exports": {
                        k: (SECRET_MASK if k in lp.secret_exports else v) for k, v in sorted(lp.exports.items())
                    },
                }
                for lp in self.layers
            ],
        }


def plan_platform(
    environment: Environment,
    *,
    layers: Iterable[str] | None = None,
    cloud: OfflineCloud | None = None,
    config_overrides: Mapping[str, Mapping[str, str]] | None = None,
) -> PlatformPlan:
    """Plan `layers` (default: all) of the loaded `environment` plus everything upstream of them, in
    dependency order.

    `config_overrides` maps a layer to extra `<namespace>:<key>` values (tests, what-ifs).
    A layer whose upstream was not planned is "skipped". Settings mistakes become a "failed" layer
    with the one-line message, never an exception.
    """
    wanted = set(layer_names() if layers is None else layers)
    for name in list(wanted):
        wanted.update(upstream(name))
    cloud = cloud or OfflineCloud()
    results: dict[str, LayerPlan] = {}
    for name in deploy_order(wanted):
        blocked = [u for u in upstream(name) if results[u].status != "planned"]
        if blocked:
            results[name] = LayerPlan(name, "skipped", error=f"upstream not planned: {', '.join(blocked)}")
            continue
        try:
            config = environment.values(name)
            config.update((config_overrides or {}).get(name, {}))
            run = run_program(
                project_dir(name, environment.projects_dir) / "__main__.py",
                project=name,
                stack=environment.name,
                config=config,
                cloud=cloud,
                stack_outputs={u: results[u].exports for u in upstream(name)},
            )
        except ConfigError as e:
            results[name] = LayerPlan(name, "failed", error=str(e))
            continue
        results[name] = LayerPlan(name, "planned", run.resources, run.exports, run.secret_exports, calls=run.calls)
    return PlatformPlan(environment.name, [results[n] for n in deploy_order(wanted)])
