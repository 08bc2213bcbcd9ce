"""What the user sees while layers run, and the summary after.

On a terminal, `LiveProgress` keeps one status line per layer (state, elapsed time, the latest
engine event). Elsewhere (CI logs) it prints one line when a layer starts and one when it ends.
`summary_table` and `next_steps` render a `RunReport`: layer, result, created / updated /
replaced / deleted, duration, and for anything that did not succeed, why and what to do next.
"""

from __future__ import annotations

import threading
import time
from types import TracebackType

from rich.console import Console, Group, RenderableType
from rich.live import Live
from rich.spinner import Spinner
from rich.table import Table
from rich.text import Text

from ops.stacks.events import NOTICE_PREFIXES
from ops.stacks.report import Outcome, RunReport

_STYLE = {
    "deployed": "green",
    "previewed": "green",
    "destroyed": "green",
    "not deployed": "dim",
    "failed": "bold red",
    "interrupted": "bold red",
    "skipped": "yellow",
    "upstream not deployed": "yellow",
}
_TITLE = {"deploy": "Deploy", "preview": "Preview", "destroy": "Teardown"}


def _changes_cells(outcome: Outcome) -> list[str]:
    c = outcome.changes
    if outcome.result in ("deployed", "previewed", "destroyed"):
        return [str(c.created), str(c.updated), str(c.replaced), str(c.deleted)]
    return ["-", "-", "-", "-"]


def summary_table(report: RunReport) -> Table:
    """One row per layer: result, resource changes, duration, and why when it did not succeed."""
    verb = "would be " if report.action == "preview" else ""
    table = Table(title=f"{_TITLE[report.action]} of {report.env}", title_justify="left")
    table.add_column("Layer")
    table.add_column("Result")
    for col in ("created", "updated", "replaced", "deleted"):
        table.add_column(f"{verb}{col}".capitalize(), justify="right")
    table.add_column("Duration", justify="right")
    table.add_column("Why")
    for o in report.outcomes:
        table.add_row(
            o.layer,
            Text(o.result, style=_STYLE.get(o.result, "")),
            *_changes_cells(o),
            f"{o.duration:.1f}s" if o.duration else "-",
            o.reason,
        )
    return table


def next_steps(report: RunReport) -> list[str]:
    """One line per layer that needs the user: `layer result: reason. Next: what to do`."""
    held = [
        f"{o.layer} {o.result}: {o.reason}. Next: {o.next_step}"
        for o in report.outcomes
        if o.next_step and o.result in ("failed", "interrupted", "skipped", "upstream not deployed")
    ]
    # A deployed layer whose exports changed names the layers below it that now read stale values.
    ripples = [
        f"{o.layer} deployed, but {o.next_step}" for o in report.outcomes if o.result == "deployed" and o.next_step
    ]
    advisory = [f"{o.layer}: policy {v.line()}" for o in report.outcomes for v in o.violations]
    return held + ripples + advisory


def print_summary(report: RunReport, console: Console) -> None:
    """The table, then what to do next for anything that failed or was held back."""
    console.print(summary_table(report))
    for line in next_steps(report):
        console.print(Text(line, style="yellow"))


class LiveProgress:
    """A `Reporter` (see `ops.stacks.report`) that shows each layer's progress as it runs."""

    def __init__(self, console: Console, layers: list[str]) -> None:
        self.console = console
        self._lock = threading.Lock()
        self._state: dict[str, tuple[str, str, float | None]] = {n: ("waiting", "", None) for n in layers}
        self._live: Live | None = None

    def __enter__(self) -> LiveProgress:
        if self.console.is_terminal:
            self._live = Live(self, console=self.console, refresh_per_second=8, transient=True)
            self._live.__enter__()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._live is not None:
            self._live.__exit__(exc_type, exc, tb)
            self._live = None

    def started(self, layer: str, what: str) -> None:
        """A layer began."""
        with self._lock:
            self._state[layer] = (what, "", time.monotonic())
        if self._live is None:
            self.console.print(f"{layer}: {what}…")

    def event(self, layer: str, text: str) -> None:
        """Latest engine event of a running layer."""
        with self._lock:
            what, _, start = self._state.get(layer, ("running", "", time.monotonic()))
            self._state[layer] = (what, text, start)
        # Diagnostics (a zone's name servers, a warning) stay on screen: rich prints them above the live rows.
        if text.startswith(NOTICE_PREFIXES) or (self._live is None and text.startswith(("failed", "lifting"))):
            self.console.print(f"{layer}: {text}", markup=False, highlight=False, soft_wrap=True)

    def finished(self, outcome: Outcome) -> None:
        """A layer reached its outcome."""
        with self._lock:
            self._state[outcome.layer] = (outcome.result, outcome.reason, None)
        if self._live is None:
            detail = f" ({outcome.reason})" if outcome.reason else ""
            self.console.print(f"{outcome.layer}: {outcome.result}{detail}")

    def __rich__(self) -> RenderableType:
        rows = []
        with self._lock:
            items = list(self._state.items())
        for layer, (what, detail, start) in items:
            if start is not None:
                head: RenderableType = Spinner("dots", text=Text(f"{layer:<8} {what} {time.monotonic() - start:5.0f}s"))
            else:
                head = Text(f"  {layer:<8} {what}", style=_STYLE.get(what, "dim"))
            rows.append(Group(head, Text(f"    {detail}", style="dim")) if detail else head)
        return Group(*rows)
