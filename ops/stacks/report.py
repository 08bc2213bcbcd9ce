"""What a run over the layers reports: each layer's outcome, the run's verdict, and the progress protocol."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal, Protocol

from ops.stacks.engine import Changes, EngineError, EngineNote, StackOutput, Violation
from ops.stacks.timeline import ResourceTiming
from shared.plan_values import SECRET_MASK

Action = Literal["deploy", "preview", "destroy"]


Result = Literal[
    "deployed", "previewed", "destroyed", "not deployed", "failed", "interrupted", "skipped", "upstream not deployed"
]


@dataclass(frozen=True)
class Outcome:
    """What happened to one layer, and for anything but success, why and what to do next."""

    layer: str
    result: Result
    changes: Changes = field(default_factory=Changes)
    duration: float = 0.0
    reason: str = ""
    next_step: str = ""
    # Export names whose values this run changed (downstream layers read them through StackReferences).
    changed_exports: tuple[str, ...] = ()
    # Advisory policy violations the layer's preview reported (mandatory ones fail the layer).
    violations: tuple[Violation, ...] = ()
    # Every resource step the layer's run made, with its start (seconds since the run began) and duration.
    resources: tuple[ResourceTiming, ...] = ()


@dataclass(frozen=True)
class RunReport:
    """Every selected layer's outcome, in graph order; `started` is when the run began (UTC)."""

    action: Action
    env: str
    outcomes: tuple[Outcome, ...]
    started: datetime | None = None

    def outcome(self, layer: str) -> Outcome:
        """The outcome of one layer."""
        return next(o for o in self.outcomes if o.layer == layer)

    @property
    def failed(self) -> tuple[str, ...]:
        """Layers whose operation failed or was interrupted."""
        return tuple(o.layer for o in self.outcomes if o.result in ("failed", "interrupted"))

    @property
    def skipped(self) -> tuple[str, ...]:
        """Layers not attempted because of another layer (failed or not deployed)."""
        return tuple(o.layer for o in self.outcomes if o.result in ("skipped", "upstream not deployed"))

    @property
    def ok(self) -> bool:
        """Nothing failed and nothing was held back."""
        return not self.failed and not self.skipped


class Reporter(Protocol):
    """Receives progress as layers run (called from worker threads)."""

    def started(self, layer: str, what: str) -> None:
        """A layer's operation began; `what` is e.g. "deploying"."""
        ...

    def expect(self, layer: str, total: int) -> None:
        """How many resource steps the layer's run will make (what its preview found)."""
        ...

    def event(self, layer: str, note: EngineNote) -> None:
        """What the engine said about a running layer: a resource step, or a short line."""
        ...

    def finished(self, outcome: Outcome) -> None:
        """A layer reached its outcome (including skipped ones, which never started)."""
        ...


class SilentReporter:
    """A `Reporter` that shows nothing."""

    def started(self, layer: str, what: str) -> None:
        """Ignore."""

    def expect(self, layer: str, total: int) -> None:
        """Ignore."""

    def event(self, layer: str, note: EngineNote) -> None:
        """Ignore."""

    def finished(self, outcome: Outcome) -> None:
        """Ignore."""


class Interrupted(Exception):
    """Ctrl-C stopped a run: `report` says what each layer came to (finished, interrupted, not started)."""

    def __init__(self, report: RunReport) -> None:
        super().__init__(f"{report.action} of {report.env} interrupted")
        self.report = report


class LayerFailed(EngineError):
    """A layer failed in a way the generic "fix it and run again" does not cover; `next_step` says what to do."""

    def __init__(self, reason: str, next_step: str) -> None:
        super().__init__(reason)
        self.next_step = next_step


def plain_outputs(outputs: Mapping[str, StackOutput], *, show_secrets: bool) -> dict[str, Any]:
    """Output values for printing: secrets masked unless asked for."""
    return {k: (o.value if show_secrets or not o.secret else SECRET_MASK) for k, o in sorted(outputs.items())}
