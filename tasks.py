"""Command line of the payments platform: `invoke --list` shows every task.

Offline (no Pulumi CLI, no AWS):  invoke plan --env prod [--json plan.json]
"""

from __future__ import annotations

from pathlib import Path

from invoke.collection import Collection
from invoke.context import Context
from invoke.exceptions import Exit
from invoke.tasks import task
from rich.console import Console

from ops.plan import plan_platform
from ops.plan_report import print_plan, write_json
from ops.stack_config import environments
from shared.layers import LAYER_NAMES, UnknownLayerError, get_layer

console = Console()


def _check_env(env: str) -> str:
    known = environments()
    if env not in known:
        raise Exit(f"unknown environment {env!r}: expected one of {', '.join(known)} "
                   "(an environment is a Pulumi.<env>.yaml in every project)", code=2)
    return env


def _check_layer(layer: str) -> str:
    try:
        return get_layer(layer).name
    except UnknownLayerError as e:
        raise Exit(str(e), code=2) from None


@task(
    help={
        "env": "Environment (stack) to plan, e.g. prod or dev.",
        "json": "Also write the whole plan (every resource with all inputs, every export) to this JSON file.",
        "layer": f"Plan only this layer and what it depends on ({', '.join(LAYER_NAMES)}); default: all.",
    }
)
def plan(c: Context, env: str = "prod", json: str = "", layer: str = "") -> None:
    """Plan the whole platform offline: every layer's program under Pulumi's mock engine, in order."""
    _check_env(env)
    layers = [_check_layer(layer)] if layer else None
    with console.status(f"planning {env} offline…"):
        result = plan_platform(env, layers=layers)
    print_plan(result, console)
    if json:
        write_json(result, Path(json))
        console.print(f"plan written to {json}")
    if not result.ok:
        raise Exit("the plan failed: fix the settings named above and run it again", code=1)


namespace = Collection(plan)
