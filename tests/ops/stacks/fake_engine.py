"""A recording fake `StackEngine` for the orchestration tests.

The fake keeps stacks in memory, records every call with its start and end time, and notes any
destroy that happens while a layer depending on the destroyed one still holds resources.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from pulumi import automation as auto

from ops.stacks.drift_events import REFRESH_PREVIEW
from ops.stacks.engine import (
    Changes,
    Drift,
    EngineError,
    LastOperation,
    Preview,
    StackOutput,
    StackState,
    Step,
    StepEvent,
    Violation,
)
from ops.stacks.errors import explain
from shared.layers import LAYER_NAMES, downstream

# How long a call waits at a meeting point for its partner before the test counts it as run alone.
MEETING_SECONDS = 10.0


@dataclass
class Call:
    op: str
    layer: str
    env: str
    start: float
    end: float = 0.0
    detail: dict[str, object] = field(default_factory=dict)


class FakeEngine:
    """In-memory stacks; `fail={(op, layer)}` makes that call raise an explained `EngineError`."""

    def __init__(
        self,
        *,
        deployed: dict[tuple[str, str], int] | None = None,
        fail: set[tuple[str, str]] = frozenset(),
        pending: dict[str, dict[str, tuple[str, ...]]] | None = None,
        reexports: set[str] = frozenset(),
        together: set[tuple[str, str]] = frozenset(),
        drifts: dict[str, Drift] | None = None,
        locked: set[str] = frozenset(),
        advisories: dict[str, list[Violation]] | None = None,
    ):
        # layer -> advisory policy violations its preview reports
        self.advisories = dict(advisories or {})
        self.stacks: dict[tuple[str, str], int] = dict(deployed or {})  # (layer, env) -> resource count
        # layer -> what a targeted preview reports (default: only the protection switch changes)
        self.pending = pending
        # Layers whose `up` changes their exports (a replaced security group, a new target group).
        self.reexports = set(reexports)
        self.versions: dict[tuple[str, str], int] = {}
        # layer -> what a read-only refresh finds (default: clean); locked layers fail as a held lock does
        self.drifts = dict(drifts or {})
        self.locked = set(locked)
        self.config: dict[tuple[str, str], dict[str, str]] = {}
        self.fail = set(fail)
        self.calls: list[Call] = []
        self.violations: list[str] = []
        self._lock = threading.Lock()
        # Calls that must be in flight at the same moment (concurrency proved by a barrier, not by timing).
        self.together = frozenset(together)
        self._meeting = threading.Barrier(len(self.together)) if self.together else None

    # recording
    def _call(self, op: str, layer: str, env: str, work: Callable[[], object] | None = None, **detail: object):
        call = Call(op, layer, env, time.monotonic(), detail=dict(detail))
        with self._lock:
            self.calls.append(call)
        try:
            if self._meeting is not None and (op, layer) in self.together:
                try:
                    self._meeting.wait(timeout=MEETING_SECONDS)
                except threading.BrokenBarrierError:
                    with self._lock:
                        self.violations.append(f"{op} of {layer} did not run at the same time as its partners")
                    raise EngineError(f"{op} of {layer} ran alone") from None
            if (op, layer) in self.fail:
                raise EngineError(f"pulumi {op} failed on the {layer} stack {env!r}: boom")
            return work() if work is not None else None
        finally:
            call.end = time.monotonic()

    def of(self, op: str, layer: str | None = None) -> list[Call]:
        return [c for c in self.calls if c.op == op and (layer is None or c.layer == layer)]

    def one(self, op: str, layer: str) -> Call:
        found = self.of(op, layer)
        assert len(found) == 1, f"expected one {op} of {layer}, got {found}"
        return found[0]

    # StackEngine
    def state(self, layer: str, env: str) -> StackState:
        with self._lock:
            count = self.stacks.get((layer, env))
        return StackState(exists=count is not None, resource_count=count)

    def up(self, layer: str, env: str, *, on_event, targets: tuple[str, ...] | None = None) -> Changes:
        def work() -> Changes:
            urn = f"urn:pulumi:{env}::{layer}::aws:s3/bucket:Bucket::thing-{layer}"
            on_event(StepEvent(urn, "aws:s3/bucket:Bucket", "create", "start", time.monotonic()))
            on_event(StepEvent(urn, "aws:s3/bucket:Bucket", "create", "done", time.monotonic()))
            with self._lock:
                new = (layer, env) not in self.stacks or self.stacks[(layer, env)] == 0
                self.stacks[(layer, env)] = 3
                if layer in self.reexports:
                    self.versions[(layer, env)] = self.versions.get((layer, env), 0) + 1
            return Changes(created=3) if new else Changes(updated=1, same=2)

        return self._call("up", layer, env, work, targets=targets, config=dict(self.config.get((layer, env), {})))

    def last_operation(self, layer: str, env: str) -> LastOperation | None:
        ups = [c for c in self.calls if c.layer == layer and c.env == env and c.op in ("up", "destroy")]
        return LastOperation("update" if ups[-1].op == "up" else "destroy", "succeeded") if ups else None

    def preview(self, layer: str, env: str, *, on_event) -> Preview:
        """A deployed layer's preview shows one update (as its `up` makes) unless `pending` names its steps."""

        def work() -> Preview:
            if not self.stacks.get((layer, env), 0):
                return Preview(Changes(created=3))
            if self.pending is not None and layer in self.pending:
                pending = self.pending[layer]
            else:
                pending = {f"urn:pulumi:{env}::{layer}::aws:thing::x": ("tags",)}
            steps = tuple(
                Step(
                    urn,
                    urn.split("::")[2].rsplit("$", 1)[-1],
                    "replace" if "(replace)" in props else "update",
                    tuple(p for p in props if p != "(replace)"),
                )
                for urn, props in pending.items()
            )
            same = {name: out.value for name, out in self.outputs(layer, env).items()}
            outputs = None if steps or layer in self.reexports else same
            return Preview(
                Changes(same=3 - len(steps), updated=len(steps)), steps, outputs, self.violations_of(layer), same
            )

        return self._call("preview", layer, env, work)

    def violations_of(self, layer: str) -> tuple[Violation, ...]:
        return tuple(self.advisories.get(layer, ()))

    def pending_changes(self, layer: str, env: str, *, targets: tuple[str, ...]) -> dict[str, tuple[str, ...]]:
        def work() -> dict[str, tuple[str, ...]]:
            if self.pending is not None:
                return self.pending.get(layer, {})
            from shared.layers import lifecycle

            return {f"urn:pulumi:{env}::{layer}::{t}::x": lifecycle(layer).teardown.properties for t in targets}

        return self._call("pending_changes", layer, env, work, targets=targets)

    def refresh(self, layer: str, env: str, *, on_event) -> Changes:
        return self._call("refresh", layer, env, lambda: Changes())

    def destroy(self, layer: str, env: str, *, on_event, remove: bool = False) -> Changes:
        def work() -> Changes:
            with self._lock:
                alive = [d for d in downstream(layer) if self.stacks.get((d, env), 0) > 0]
                if alive:
                    self.violations.append(f"{layer} destroyed while {alive} exist")
                count = self.stacks.get((layer, env), 0)
                if remove:
                    self.stacks.pop((layer, env), None)
                else:
                    self.stacks[(layer, env)] = 0
            return Changes(deleted=count)

        return self._call("destroy", layer, env, work, remove=remove)

    def cancel(self, layer: str, env: str) -> None:
        self._call("cancel", layer, env)

    def get_config(self, layer: str, env: str, key: str) -> str | None:
        return self.config.get((layer, env), {}).get(key)

    def set_config(self, layer: str, env: str, key: str, value: str) -> None:
        self._call("set_config", layer, env, key=key, value=value)
        self.config.setdefault((layer, env), {})[key] = value

    def remove_config(self, layer: str, env: str, key: str) -> None:
        self._call("remove_config", layer, env, key=key)
        self.config.get((layer, env), {}).pop(key, None)

    def outputs(self, layer: str, env: str) -> dict[str, StackOutput]:
        version = self.versions.get((layer, env), 0)
        return {
            f"{layer}_id": StackOutput(f"{layer}-{env}-id" + (f"-v{version}" if version else "")),
            f"{layer}_token": StackOutput("s3cr3t", secret=True),
        }

    def drift(self, layer: str, env: str, *, on_event) -> Drift:
        self._call("drift", layer, env)  # records the call; `fail` applies as for every op
        if layer in self.locked:
            held = auto.CommandResult(stdout="", stderr="error: the stack is currently locked by 1 lock(s)", code=255)
            raise EngineError(explain(auto.ConcurrentUpdateError(held), layer=layer, env=env, op=REFRESH_PREVIEW))
        if (layer, env) not in self.stacks:
            missing = auto.CommandResult(stdout="", stderr=f"error: no stack named '{env}' found", code=255)
            raise EngineError(explain(auto.StackNotFoundError(missing), layer=layer, env=env, op=REFRESH_PREVIEW))
        on_event(f"refresh aws:thing {layer}")
        return self.drifts.get(layer, Drift())


def all_deployed(env: str, count: int = 3) -> dict[tuple[str, str], int]:
    """Every layer deployed in `env`."""
    return {(n, env): count for n in LAYER_NAMES}
