"""Invoke tasks that need neither the Pulumi CLI nor AWS: the offline plan and the diagram."""

from __future__ import annotations

from pathlib import Path

from invoke.context import Context
from invoke.exceptions import Exit
from invoke.tasks import task
from payments_policy.verdicts import Verdict, plan_verdicts
from rich.console import Console
from rich.table import Table
from rich.text import Text

from ops.cli.common import check_env, check_layer, console
from ops.docs.diagram import diagram_paths, write_diagram
from ops.plan.platform import plan_platform
from ops.plan.report import print_plan, write_json
from shared.layers import layer_names


def print_verdicts(verdicts: list[Verdict], out: Console) -> None:
    """One row per rule: PASSED or FAILED, how many resources it checked, each offender and why."""
    table = Table(title="policy verdicts (payments_policy: the rules of the CrossGuard pack)", title_justify="left")
    table.add_column("rule", style="bold", no_wrap=True)
    table.add_column("verdict", no_wrap=True)
    table.add_column("checked", justify="right")
    table.add_column("offending resources", overflow="fold")
    for v in verdicts:
        verdict = Text("PASSED", style="green") if v.passed else Text("FAILED", style="bold red")
        offenders = "\n".join(f"{x.resource} ({x.type}): {x.message}" for x in v.violations)
        table.add_row(v.rule.id, verdict, str(v.checked), Text(offenders, style="red"))
    out.print(table)


@task(
    help={
        "env": "Environment (stack) to plan, e.g. prod or dev.",
        "json": "Also write the whole plan (every resource with all inputs, every export) to this JSON file.",
        "layer": f"Plan only this layer and what it depends on ({', '.join(layer_names())}); default: all.",
    }
)
def plan(c: Context, env: str = "prod", json: str = "", layer: str = "") -> None:
    """Plan the whole platform offline: every layer's program under Pulumi's mock engine, in order.

    Ends with the policy verdicts; exits non-zero when a layer fails or a mandatory rule is broken.
    """
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
    verdicts = plan_verdicts(result)
    print_verdicts(verdicts, console)
    failed = [v.rule.id for v in verdicts if not v.passed]
    if failed:
        raise Exit(f"mandatory policy violated: {', '.join(failed)} (offending resources listed above)", code=1)


@task(help={"env": "Environment (stack) whose plan to draw, e.g. prod or dev."})
def diagram(c: Context, env: str = "prod") -> None:
    """Regenerate the architecture diagram (Mermaid in docs, and an SVG) from the offline plan."""
    check_env(env)
    with console.status(f"planning {env} offline…"):
        result = plan_platform(env)
    if not result.ok:
        print_plan(result, console)
        raise Exit("the plan failed, so there is nothing to draw: fix the settings named above", code=1)
    markdown, svg = diagram_paths(env)
    write_diagram(result, markdown, svg)
    console.print(f"diagram of {env} written to {markdown} and {svg}")


@task
def docs(c: Context) -> None:
    """Regenerate the config, exports and contracts tables in the READMEs and docs from the code."""
    from ops.docs.tables import write_all

    changed = write_all()
    for path in changed:
        console.print(f"updated {path.relative_to(Path.cwd()) if path.is_relative_to(Path.cwd()) else path}")
    if not changed:
        console.print("docs already match the code")
