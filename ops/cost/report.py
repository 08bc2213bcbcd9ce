"""Showing an estimate to people (rich tables) and writing it for tools (JSON)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from ops.cost.assumptions import Usage
from ops.cost.model import CostEstimate, ResourceCost
from ops.plan.report import short_type


def money(usd: float) -> str:
    """`$1,234.57`: dollars and cents, as every figure of the report is printed."""
    return f"${usd:,.2f}"


def signed(usd: float) -> str:
    """A difference: `+$12.30`, `-$4.00`, or `$0.00`."""
    if round(usd, 2) == 0:
        return money(0)
    return f"{'+' if usd > 0 else '-'}{money(abs(usd))}"


def total_line(est: CostEstimate) -> str:
    """The one line the README quotes: the environment's estimated monthly total."""
    line = f"Estimated monthly cost of {est.env}: {money(est.total)} ({est.price_source})"
    if est.not_priced:
        line += f", plus {len(est.not_priced)} resource(s) not priced"
    return line


def _rows(est: CostEstimate, layer: str) -> list[tuple[str, str, str, float | None, str]]:
    """(resource, type, what is priced, monthly USD, style) per charge; free resources one row per type."""
    rows: list[tuple[str, str, str, float | None, str]] = []
    free: dict[str, list[ResourceCost]] = {}
    for r in est.layer(layer):
        if r.status == "free":
            free.setdefault(r.type, []).append(r)
            continue
        for i, charge in enumerate(r.charges):
            style = "red" if charge.monthly_usd is None else ""
            rows.append(
                (r.name if i == 0 else "", short_type(r.type) if i == 0 else "", charge.item, charge.monthly_usd, style)
            )
    for token, group in sorted(free.items()):
        who = group[0].name if len(group) == 1 else f"{len(group)} resources"
        rows.append((who, short_type(token), group[0].charges[0].item, 0.0, "dim"))
    return rows


def layer_table(est: CostEstimate, layer: str) -> Table:
    """One row per charge of each billed resource of `layer`, one per free type, then the subtotal."""
    table = Table(title=f"{layer}", title_justify="left", expand=True)
    table.add_column("resource", style="bold", overflow="fold")
    table.add_column("type", style="cyan", overflow="fold")
    table.add_column("what is priced", overflow="fold")
    table.add_column("monthly USD", justify="right", no_wrap=True)
    for name, kind, item, usd, style in _rows(est, layer):
        cell = Text("not priced", style="bold red") if usd is None else Text(money(usd), style=style)
        table.add_row(Text(name, style=style), Text(kind, style=style), Text(item, style=style), cell)
    table.add_section()
    table.add_row(Text(f"{layer} subtotal", style="bold"), "", "", Text(money(est.by_layer()[layer]), style="bold"))
    return table


def number(x: float) -> str:
    """An assumption's value: `30,000,000`, `0.5`."""
    return f"{int(x):,}" if float(x).is_integer() else f"{x:g}"


def _value(v: Any) -> str:
    if isinstance(v, dict):
        return ", ".join(f"{k} {number(v[k])}" for k in ["default", *sorted(k for k in v if k != "default")])
    return number(v)


def assumptions_table(*estimates: CostEstimate) -> Table:
    """Each usage assumption, its value per environment shown, and what it means."""
    table = Table(title="usage assumptions (ops/cost/usage.yaml)", title_justify="left", expand=True)
    table.add_column("assumption", style="bold", no_wrap=True)
    for est in estimates:
        table.add_column(est.env, overflow="fold")
    table.add_column("meaning", style="dim", overflow="fold")
    for key in estimates[0].assumptions:
        table.add_row(key, *(_value(est.assumptions[key]) for est in estimates), Usage.describe(key))
    return table


def _not_priced(est: CostEstimate, console: Console) -> None:
    for r in est.not_priced:
        reasons = "; ".join(c.item for c in r.charges if c.monthly_usd is None)
        console.print(Text(f"not priced in {est.env}: {r.name} ({r.type}): {reasons}", style="red"))


def print_estimate(est: CostEstimate, console: Console) -> None:
    """Each layer's table, the total, what is not priced, then the assumptions used."""
    console.rule(f"[bold]Monthly cost of environment {est.env!r}[/] (offline plan x price table, no cloud calls)")
    for layer in est.layer_names:
        console.print(layer_table(est, layer))
    console.print(Text(total_line(est), style="bold"))
    _not_priced(est, console)
    console.print(assumptions_table(est))
    console.print(Text(NOT_MODELLED, style="dim"))


def comparison_table(a: CostEstimate, b: CostEstimate) -> Table:
    """Per layer and in total: `a`, `b`, and `a - b`."""
    table = Table(title=f"monthly cost: {a.env} vs {b.env}", title_justify="left")
    table.add_column("layer", style="bold")
    table.add_column(a.env, justify="right")
    table.add_column(b.env, justify="right")
    table.add_column(f"{a.env} - {b.env}", justify="right")
    la, lb = a.by_layer(), b.by_layer()
    for layer in [*a.layer_names, *(n for n in b.layer_names if n not in a.layer_names)]:
        x, y = la.get(layer, 0.0), lb.get(layer, 0.0)
        table.add_row(layer, money(x), money(y), signed(x - y))
    table.add_section()
    table.add_row(Text("total", style="bold"), money(a.total), money(b.total), signed(a.total - b.total), style="bold")
    return table


def print_comparison(a: CostEstimate, b: CostEstimate, console: Console) -> None:
    """Two environments side by side, what neither prices, then both sets of assumptions."""
    console.print(comparison_table(a, b))
    _not_priced(a, console)
    _not_priced(b, console)
    console.print(assumptions_table(a, b))
    console.print(Text(NOT_MODELLED, style="dim"))


NOT_MODELLED = (
    "Not modelled: data transfer (internet egress, cross-AZ), KMS and API requests, free tiers, taxes; "
    "autoscaling above the planned task count."
)


def write_json(est: CostEstimate, path: Path) -> None:
    """Write the estimate as JSON (layers in plan order); raises OSError when `path` cannot be written."""
    path.write_text(json.dumps(est.to_dict(), indent=2) + "\n")
