"""Printing a `PlatformPlan` for people (rich tables) and writing it for tools (JSON)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text
from rich.tree import Tree

from ops.cost import monthly_by_layer
from ops.plan.mock_engine import PlannedResource
from ops.plan.platform import LayerPlan, PlatformPlan
from shared.plan_values import COMPUTED_PREFIX, SECRET_MASK, is_computed

HIDDEN_INPUTS = frozenset({"tags", "tagsAll", "name"})
VALUE_LIMIT = 160  # one long value (a script, a document) must not bury the others


def short_type(token: str) -> str:
    """`aws:ec2/vpc:Vpc` -> `ec2.Vpc`."""
    _, _, rest = token.partition(":")
    module, _, cls = rest.partition(":")
    return f"{module.split('/')[0]}.{cls}" if cls else token


def _value(v: Any) -> str:
    if is_computed(v):
        return str(v)
    if isinstance(v, str) and v.lstrip().startswith("{") and '"Statement"' in v:
        try:
            return f"<policy: {len(json.loads(v)['Statement'])} statements>"
        except (ValueError, KeyError, TypeError):
            return v
    if isinstance(v, list):
        if all(not isinstance(i, (dict, list)) for i in v):
            return "[" + ", ".join(_value(i) for i in v) + "]"
        return f"[{len(v)} items]"
    if isinstance(v, dict):
        return "{" + ", ".join(f"{k}={_value(i)}" for k, i in sorted(v.items()) if k not in HIDDEN_INPUTS) + "}"
    return str(v)


def key_inputs(resource: PlannedResource) -> Text:
    """A one-cell summary of a resource's inputs; cloud-only values dimmed."""
    parts = []
    for key, value in sorted(resource.inputs.items()):
        if key in HIDDEN_INPUTS:
            continue
        shown = _value(value)
        parts.append(f"{key}={shown if len(shown) <= VALUE_LIMIT else shown[: VALUE_LIMIT - 1] + '…'}")
    out = Text(", ".join(parts))
    out.highlight_regex(r"\(known after apply: [^)]*\)", "dim italic")
    return out


def layer_tree(lp: LayerPlan) -> Tree:
    """The layer's cloud resources grouped by type, each with its key inputs (wraps on narrow terminals)."""
    tree = Tree(Text(f"{lp.layer}: {len(lp.custom_resources())} resources", style="bold"))
    groups: dict[str, Tree] = {}
    for r in lp.custom_resources():
        kind = short_type(r.type)
        if kind not in groups:
            groups[kind] = tree.add(Text(kind, style="cyan"))
        node = groups[kind].add(Text(r.name, style="bold"))
        node.add(key_inputs(r))
    return tree


def exports_table(lp: LayerPlan) -> Table:
    """The layer's exports, secrets masked, cloud-only values marked."""
    table = Table(title=f"{lp.layer} exports", title_justify="left", show_header=False, expand=True)
    table.add_column("output", style="green", no_wrap=True)
    table.add_column("value", overflow="fold")
    for key, value in sorted(lp.exports.items()):
        shown = SECRET_MASK if key in lp.secret_exports else _value(value)
        table.add_row(key, Text(shown, style="dim italic" if COMPUTED_PREFIX in str(value) else ""))
    return table


def print_plan(plan: PlatformPlan, console: Console) -> None:
    """Each layer in order: its resources, its exports, or why it was not planned."""
    console.rule(f"[bold]Offline plan for environment {plan.env!r}[/] (mock engine, no cloud calls)")
    for lp in plan.layers:
        if lp.status == "planned":
            console.print(layer_tree(lp))
            console.print(exports_table(lp))
        else:
            console.print(f"[red]{lp.layer}: {lp.status}[/]")
            for line in (lp.error or "").splitlines():
                console.print(Text(f"  {line}", style="red"))
    summary = Table(title="summary", title_justify="left")
    for col in ("layer", "status", "resources", "exports"):
        summary.add_column(col)
    summary.add_column("monthly USD (invoke cost)", justify="right")
    costs = monthly_by_layer(plan)
    for lp in plan.layers:
        style = {"planned": "green", "failed": "red", "skipped": "yellow"}.get(lp.status, "yellow")
        usd = f"${costs[lp.layer]:,.2f}" if lp.layer in costs else "-"
        summary.add_row(
            lp.layer, Text(lp.status, style=style), str(len(lp.custom_resources())), str(len(lp.exports)), usd
        )
    console.print(summary)
    console.print(
        Text("(known after apply) marks values only AWS can assign; secrets are shown as [secret].", style="dim")
    )


def write_json(plan: PlatformPlan, path: Path) -> None:
    """Write the whole plan (every resource with all inputs, every export) as stable JSON."""
    path.write_text(json.dumps(plan.to_dict(), indent=2, sort_keys=True, default=str) + "\n")
