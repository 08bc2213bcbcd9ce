"""Invoke tasks that need neither the Pulumi CLI nor AWS: the offline plan."""

from __future__ import annotations

from pathlib import Path

from invoke.context import Context
from invoke.exceptions import Exit
from invoke.tasks import task

from ops.cli import check_env, check_layer, console
from ops.plan import plan_platform
from ops.plan_report import print_plan, write_json
from shared.layers import LAYER_NAMES


@task(
    help={
        "env": "Environment (stack) to plan, e.g. prod or dev.",
        "json": "Also write the whole plan (every resource with all inputs, every export) to this JSON file.",
        "layer": f"Plan only this layer and what it depends on ({', '.join(LAYER_NAMES)}); default: all.",
    }
)
def plan(c: Context, env: str = "prod", json: str = "", layer: str = "") -> None:
    """Plan the whole platform offline: every layer's program under Pulumi's mock engine, in order."""
    check_env(env)
    layers = [check_layer(layer)] if layer else None
    with console.status(f"planning {env} offline…"):
        result = plan_platform(env, layers=layers)
    print_plan(result, console)
    if json:
        write_json(result, Path(json))
        console.print(f"plan written to {json}")
    if not result.ok:
        raise Exit("the plan failed: fix the settings named above and run it again", code=1)
