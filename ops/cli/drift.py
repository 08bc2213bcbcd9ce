"""`invoke drift`: what changed in the cloud outside Pulumi, as a table per layer (read-only).

Pulumi, boto3 and the engine are imported inside the task, so `invoke --list` stays fast.
"""

from __future__ import annotations

import json as jsonlib
from typing import TYPE_CHECKING, Any

from invoke.context import Context
from invoke.exceptions import Exit
from invoke.tasks import task
from rich.console import Console
from rich.table import Table

from ops.cli.common import check_env, check_layer, console, interruptible, writable_file
from ops.stacks.engine import EngineNote, StepEvent
from ops.stacks.timeline import DOING, slowest
from shared.layers import deploy_order, layer_names

if TYPE_CHECKING:
    from ops.stacks.drift import DriftReport, LayerDrift


def drift_summary(report: DriftReport) -> Table:
    """One row per layer: its result and the number of drifted resources or why it was not checked."""
    table = Table(title=f"Drift of {report.env}", title_justify="left")
    table.add_column("Layer", no_wrap=True)
    table.add_column("Result", no_wrap=True)
    table.add_column("Detail", overflow="fold")
    for d in report.layers:
        detail = {"drifted": f"{len(d.drift.resources)} resource(s) differ", "failed": "not checked: see below"}
        table.add_row(d.layer, d.result, detail.get(d.result, d.reason))
    return table


def drift_table(layer: LayerDrift) -> Table:
    """A drifted layer's resources and properties: the state's value and the cloud's."""
    table = Table(title=f"{layer.layer}: changed outside Pulumi", title_justify="left")
    for column in ("Resource", "Type", "Change", "Property", "State", "Cloud"):
        table.add_column(column)
    for r in layer.drift.resources:
        if r.operation == "delete":
            table.add_row(r.name, r.type, "deleted", "-", "exists", "gone")
        elif not r.properties:
            table.add_row(r.name, r.type, r.operation, "(not reported)", "", "")
        for p in r.properties:
            table.add_row(r.name, r.type, r.operation, p.path, p.state, p.cloud)
    return table


def _said(note: EngineNote) -> str:
    return f"{DOING.get(note.op, note.op)} {note.name}" if isinstance(note, StepEvent) else note


def drift_json(report: DriftReport) -> dict[str, Any]:
    """The check as data: each layer's result and drifted resources, and every resource read with its duration."""
    return {
        "env": report.env,
        "exit_code": report.exit_code,
        "layers": [
            {
                "layer": d.layer,
                "result": d.result,
                "reason": d.reason,
                "drifted": [{"urn": r.urn, "type": r.type, "operation": r.operation} for r in d.drift.resources],
                "resources": [
                    {
                        "urn": t.urn,
                        "type": t.type,
                        "operation": t.op,
                        "start": round(t.start, 3),
                        "duration": round(t.duration, 3),
                    }
                    for t in d.resources
                ],
            }
            for d in report.layers
        ],
    }


def print_drift(report: DriftReport, out: Console) -> None:
    """The summary, a table for each drifted layer, what took the time, then one line per layer not checked."""
    out.print(drift_summary(report))
    for d in report.layers:
        if d.result == "drifted":
            out.print(drift_table(d))
    for d in report.layers:
        top = slowest(d.resources)
        if top:
            reads = ", ".join(f"{t.name} {t.duration:.1f}s" for t in top)
            out.print(f"{d.layer}: slowest reads: {reads}", markup=False, highlight=False, soft_wrap=True)
    for d in report.layers:
        if d.result == "failed":
            out.print(f"[red]✗[/red] {d.layer}: {d.reason}", highlight=False, soft_wrap=True)


@task(
    help={
        "env": "Environment (stack name in every project), e.g. prod or dev.",
        "layer": f"Check only this layer ({', '.join(layer_names())}); default: every layer.",
        "json": "Also write the check to this file as JSON: each layer's result and every resource read, timed.",
    }
)
@interruptible
def drift(c: Context, env: str = "", layer: str = "", json: str = "") -> None:
    """What changed in the cloud outside Pulumi, per layer; never writes state. Exit 0 clean, 1 drift, 2 not checked."""
    layers = [check_layer(layer)] if layer else deploy_order()
    environment = check_env(env)
    path = writable_file(json, "--json") if json else None
    from ops.stacks.backend import backend_settings
    from ops.stacks.drift import EXIT_NOT_CHECKED, check_drift, readiness
    from ops.stacks.pulumi_engine import PulumiEngine

    with console.status("checking: Pulumi CLI, backend, AWS credentials…"):
        problems = readiness(environment)
    for line in problems:
        console.print(f"[red]✗[/red] {line}", highlight=False, soft_wrap=True)
    if problems:
        raise Exit(f"drift of {env} not checked: {len(problems)} problem(s) above", code=EXIT_NOT_CHECKED)
    engine = PulumiEngine(backend_settings())  # readiness has checked the backend settings
    with console.status(f"reading {env} from AWS…") as status:
        report = check_drift(engine, env, layers, on_event=lambda n, note: status.update(f"{n}: {_said(note)}"))
    print_drift(report, console)
    if path is not None:
        path.write_text(jsonlib.dumps(drift_json(report), indent=2) + "\n")
    if report.exit_code:
        raise Exit(report.verdict(), code=report.exit_code)
    console.print(report.verdict(), highlight=False)


__all__ = ["drift"]
