"""When each resource step of a layer started and ended: what is in flight now, and what took the time.

The orchestrator feeds each layer's `StepEvent`s to a `Timeline`; the live display asks it what
is in flight (the longest-running first), and the run's report keeps what it finished, which the
summary and `--json` show.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from ops.stacks.engine import StepEvent, urn_name

# What a finished step did, for one line per resource (`created rds-payments-dev in 20.3s`).
DONE = {
    "create": "created",
    "update": "updated",
    "delete": "deleted",
    "replace": "replaced",
    "create-replacement": "created the replacement of",
    "delete-replaced": "deleted the replaced",
    "refresh": "read",
    "import": "imported",
}
# What a step is doing, for the lines about one still in flight (`still creating rds-payments-dev`).
DOING = {
    "create": "creating",
    "update": "updating",
    "delete": "deleting",
    "replace": "replacing",
    "create-replacement": "creating the replacement of",
    "delete-replaced": "deleting the replaced",
    "refresh": "reading",
    "import": "importing",
}


@dataclass(frozen=True)
class ResourceTiming:
    """One resource step: what it did, when it started (seconds on the run's clock) and how long it took."""

    urn: str
    type: str
    op: str
    start: float
    end: float | None = None
    failed: bool = False

    @property
    def name(self) -> str:
        """The resource's logical name."""
        return urn_name(self.urn)

    def elapsed(self, now: float) -> float:
        """Seconds it took, or has taken so far."""
        return (self.end if self.end is not None else now) - self.start

    @property
    def duration(self) -> float:
        """Seconds a finished step took (0 for one still running)."""
        return self.end - self.start if self.end is not None else 0.0


class Timeline:
    """One layer's steps as they start and end (thread-safe: events arrive on the engine's thread)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._running: dict[tuple[str, str], ResourceTiming] = {}
        self._finished: list[ResourceTiming] = []

    def record(self, event: StepEvent) -> ResourceTiming | None:
        """Take one event; the step's timing when it has just ended, else None."""
        key = (event.urn, event.op)
        with self._lock:
            if event.phase == "start":
                self._running[key] = ResourceTiming(event.urn, event.type, event.op, event.at)
                return None
            began = self._running.pop(key, None)
            start = began.start if began else event.at
            done = ResourceTiming(event.urn, event.type, event.op, start, event.at, event.phase == "failed")
            self._finished.append(done)
            return done

    def in_flight(self) -> list[ResourceTiming]:
        """Steps started and not ended, the longest-running first."""
        with self._lock:
            return sorted(self._running.values(), key=lambda t: (t.start, t.urn))

    def finished(self) -> tuple[ResourceTiming, ...]:
        """Steps that ended, in the order they ended."""
        with self._lock:
            return tuple(self._finished)


def slowest(timings: tuple[ResourceTiming, ...], count: int = 3) -> list[ResourceTiming]:
    """The `count` longest finished steps, longest first."""
    return sorted(timings, key=lambda t: (-t.duration, t.urn))[:count]
