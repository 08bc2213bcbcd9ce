"""What the user sees while layers run, and the summary after.

`LiveProgress` follows each layer's resource steps as the engine reports them:

- on a terminal, one line per layer redrawn in place (rich): what it is doing, how many resource
  steps are done of those its preview found, and the steps in flight with their elapsed time, the
  longest-running first; a failed step, an engine diagnostic and a layer's end are printed above;
- elsewhere (CI logs, a pipe), plain lines with no control characters, each starting with its
  layer's name: one when a layer starts and ends, one per finished resource step with its
  duration, and, each time a step in flight has run another `interval` seconds, one saying so
  (`data: still updating rds-payments-dev… [20s elapsed]`, as Terraform does).

`summary_table`, `slowest_lines` and `next_steps` render a `RunReport`: per layer its result, its
changes and its duration (readable at 80 columns); the slowest resources of each layer; and for
anything that did not succeed, why and what to do next. `report_json` is the same as data.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from types import TracebackType
from typing import Any

from rich.console import Console, Group, RenderableType
from rich.live import Live
from rich.spinner import Spinner
from rich.table import Table
from rich.text import Text

from ops.stacks.engine import EngineNote, StepEvent
from ops.stacks.events import NOTICE_PREFIXES
from ops.stacks.report import Outcome, RunReport
from ops.stacks.timeline import DOING, DONE, ResourceTiming, Timeline, slowest

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
# Seconds between the lines about steps still in flight, off a terminal.
STILL_INTERVAL = 10.0


def _seconds(value: float) -> str:
    return f"{value:.1f}s"


def changes_text(outcome: Outcome, *, preview: bool = False) -> str:
    """`3 created, 1 updated` (`3 to create` in a preview), `no change`, or `-` when the layer did not run."""
    if outcome.result not in ("deployed", "previewed", "destroyed"):
        return "-"
    c = outcome.changes
    verbs = ("to create", "to update", "to replace", "to delete") if preview else _PAST
    parts = [f"{n} {v}" for n, v in zip((c.created, c.updated, c.replaced, c.deleted), verbs, strict=True) if n]
    return ", ".join(parts) or "no change"


_PAST = ("created", "updated", "replaced", "deleted")


def summary_table(report: RunReport) -> Table:
    """One row per layer: its result, its resource changes and its duration.

    Layer and result names are never cut or wrapped, whatever the width: the changes take what is
    left and wrap. Why a layer did not succeed, and what to do, follow the table (`next_steps`).
    """
    table = Table(title=f"{_TITLE[report.action]} of {report.env}", title_justify="left")
    table.add_column("Layer", no_wrap=True)
    table.add_column("Result", no_wrap=True)
    table.add_column("Changes", overflow="fold")
    table.add_column("Duration", justify="right", no_wrap=True)
    for o in report.outcomes:
        table.add_row(
            o.layer,
            Text(o.result, style=_STYLE.get(o.result, "")),
            changes_text(o, preview=report.action == "preview"),
            _seconds(o.duration) if o.duration else "-",
        )
    return table


def slowest_lines(report: RunReport, count: int = 3) -> list[str]:
    """For each layer whose run timed resource steps, its `count` slowest steps, longest first.

    `data: slowest: rds-payments-dev 20.3s (update), kms-payments-data-dev 1.2s (update)`
    """
    lines = []
    for o in report.outcomes:
        top = slowest(o.resources, count)
        if top:
            lines.append(f"{o.layer}: slowest: " + ", ".join(f"{t.name} {_seconds(t.duration)} ({t.op})" for t in top))
    return lines


def next_steps(report: RunReport) -> list[str]:
    """One line per layer that needs the user: `layer result: reason. Next: what to do`."""
    held = [
        f"{o.layer} {o.result}: {o.reason}. Next: {o.next_step}"
        for o in report.outcomes
        if o.next_step and o.result in ("failed", "interrupted", "skipped", "upstream not deployed")
    ]
    # A reason with nothing to do about it (a layer with no stack to destroy, say) is still said.
    said = [
        f"{o.layer} {o.result}: {o.reason}"
        for o in report.outcomes
        if o.reason and not o.next_step and o.result not in ("deployed", "previewed", "destroyed")
    ]
    # A deployed layer whose exports changed names the layers below it that now read stale values.
    ripples = [
        f"{o.layer} deployed, but {o.next_step}" for o in report.outcomes if o.result == "deployed" and o.next_step
    ]
    advisory = [f"{o.layer}: policy {v.line()}" for o in report.outcomes for v in o.violations]
    return held + said + ripples + advisory


def print_summary(report: RunReport, console: Console) -> None:
    """The table, what took the time, then what to do next for anything that failed or was held back."""
    console.print(summary_table(report))
    for line in slowest_lines(report):
        console.print(line, markup=False, highlight=False, soft_wrap=True)
    for line in next_steps(report):
        console.print(Text(line, style="yellow"))


def timing_json(t: ResourceTiming) -> dict[str, Any]:
    """One resource step as data (`start` in seconds since the run began)."""
    return {
        "urn": t.urn,
        "name": t.name,
        "type": t.type,
        "operation": t.op,
        "start": round(t.start, 3),
        "duration": round(t.duration, 3),
        "failed": t.failed,
    }


def report_json(report: RunReport) -> dict[str, Any]:
    """The run as data: each layer's result and changes, and every resource step with its start and duration.

    `start` is seconds since the run began (`started`, UTC), so two runs compare step by step.
    """
    return {
        "action": report.action,
        "env": report.env,
        "started": report.started.isoformat() if report.started else None,
        "layers": [
            {
                "layer": o.layer,
                "result": o.result,
                "duration": o.duration,
                "changes": {
                    "created": o.changes.created,
                    "updated": o.changes.updated,
                    "replaced": o.changes.replaced,
                    "deleted": o.changes.deleted,
                },
                "reason": o.reason,
                "resources": [timing_json(t) for t in o.resources],
            }
            for o in report.outcomes
        ],
    }


class LiveProgress:
    """A `Reporter` (see `ops.stacks.report`) that shows each layer's progress as it runs (see the module docstring)."""

    def __init__(
        self,
        console: Console,
        layers: list[str],
        *,
        clock: Callable[[], float] = time.monotonic,
        interval: float = STILL_INTERVAL,
    ) -> None:
        self.console = console
        self.clock = clock
        self.interval = interval
        self._lock = threading.Lock()
        # layer -> (what it is doing or its result, its latest line, when it started or None once ended)
        self._state: dict[str, tuple[str, str, float | None]] = {n: ("waiting", "", None) for n in layers}
        self._timelines: dict[str, Timeline] = {n: Timeline() for n in layers}
        self._done: dict[str, int] = dict.fromkeys(layers, 0)
        self._expected: dict[str, int] = {}
        self._live: Live | None = None
        self._stop = threading.Event()
        self._ticker: threading.Thread | None = None
        self._said: set[tuple[str, str]] = set()
        # (layer, urn, op, start) of a step in flight -> how many intervals its last line reported.
        self._told: dict[tuple[str, str, str, float], int] = {}

    # the Reporter protocol ---------------------------------------------------------------

    def __enter__(self) -> LiveProgress:
        if self.console.is_terminal:
            self._live = Live(self, console=self.console, refresh_per_second=8, transient=True)
            self._live.__enter__()
        else:
            self._ticker = threading.Thread(target=self._tick_until_stopped, name="still-in-flight", daemon=True)
            self._ticker.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._stop.set()
        if self._ticker is not None:
            self._ticker.join(timeout=5)
            self._ticker = None
        if self._live is not None:
            self._live.__exit__(exc_type, exc, tb)
            self._live = None

    def started(self, layer: str, what: str) -> None:
        """A layer began."""
        with self._lock:
            self._state[layer] = (what, "", self.clock())
        if self._live is None:
            self._print(f"{layer}: {what}…")

    def expect(self, layer: str, total: int) -> None:
        """How many resource steps the layer's run will make."""
        with self._lock:
            self._expected[layer] = total
            self._done[layer] = 0

    def event(self, layer: str, note: EngineNote) -> None:
        """A resource step of a running layer, or one of the engine's lines."""
        if isinstance(note, StepEvent):
            self._step(layer, note)
            return
        with self._lock:
            what, _, start = self._state.get(layer, ("running", "", self.clock()))
            self._state[layer] = (what, note, start)
        # Diagnostics (a zone's name servers, a warning) stay on screen: rich prints them above the live rows.
        # A program says the same in its preview and in its update: once is enough.
        if note.startswith(NOTICE_PREFIXES) or (self._live is None and note.startswith("lifting")):
            with self._lock:
                repeated = (layer, note) in self._said
                self._said.add((layer, note))
            if not repeated:
                self._print(f"{layer}: {note}")

    def finished(self, outcome: Outcome) -> None:
        """A layer reached its outcome."""
        with self._lock:
            self._state[outcome.layer] = (outcome.result, outcome.reason, None)
        if self._live is None:
            detail = f" ({outcome.reason})" if outcome.reason else ""
            self._print(f"{outcome.layer}: {outcome.result}{detail}")

    # resource steps ----------------------------------------------------------------------

    def _step(self, layer: str, event: StepEvent) -> None:
        timeline = self._timelines.setdefault(layer, Timeline())
        ended = timeline.record(event)
        if ended is None:
            return
        with self._lock:
            self._done[layer] = self._done.get(layer, 0) + 1
        took = _seconds(ended.duration)
        if ended.failed:
            self._print(f"{layer}: failed to {ended.op} {ended.name} ({ended.type}) after {took}", style="red")
        elif self._live is None:
            self._print(f"{layer}: {DONE.get(ended.op, ended.op)} {ended.name} ({ended.type}) in {took}")

    def still_lines(self, now: float | None = None) -> list[str]:
        """A line for each step in flight that has run another `interval` seconds since its last line.

        Each layer's longest-running step first; the time is the whole interval reached, as Terraform
        prints it: `[10s elapsed]`, `[20s elapsed]`, ...
        """
        at = self.clock() if now is None else now
        lines = []
        for layer, timeline in list(self._timelines.items()):
            for t in timeline.in_flight():
                reached = int(t.elapsed(at) // self.interval)
                key = (layer, t.urn, t.op, t.start)
                if reached > self._told.get(key, 0):
                    self._told[key] = reached
                    elapsed = reached * self.interval
                    lines.append(f"{layer}: still {DOING.get(t.op, t.op)} {t.name}… [{elapsed:.0f}s elapsed]")
        return lines

    def tick(self, now: float | None = None) -> None:
        """Print the lines about steps still in flight (the ticker calls it every second)."""
        for line in self.still_lines(now):
            self._print(line)

    def _tick_until_stopped(self) -> None:
        while not self._stop.wait(min(1.0, self.interval)):
            self.tick()

    def _print(self, line: str, style: str = "") -> None:
        self.console.print(Text(line, style=style), highlight=False, soft_wrap=True)

    # the live rows (a terminal) -------------------------------------------------------------

    def __rich__(self) -> RenderableType:
        rows: list[RenderableType] = []
        now = self.clock()
        with self._lock:
            items = list(self._state.items())
            done, expected = dict(self._done), dict(self._expected)
        for layer, (what, detail, start) in items:
            if start is None:
                rows.append(Text(f"  {layer:<8} {what}", style=_STYLE.get(what, "dim")))
                continue
            count = f"{done.get(layer, 0)}/{expected[layer]}" if layer in expected else str(done.get(layer, 0))
            head = Spinner("dots", text=Text(f"{layer:<8} {what} {now - start:5.0f}s  {count} done"))
            flying = self._timelines[layer].in_flight()[:3]
            line = ", ".join(f"{t.name} {t.elapsed(now):.0f}s" for t in flying) or detail
            rows.append(Group(head, Text(f"    {line}", style="dim")) if line else head)
        return Group(*rows)
