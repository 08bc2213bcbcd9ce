"""Drift: what changed in the cloud outside Pulumi, one layer's stack at a time, without writing state.

Each selected layer (default all, in graph order) whose stack holds resources gets a read-only refresh
through the `StackEngine` (`pulumi refresh --preview-only`): every resource is read from AWS and compared
with the state. A layer without a stack is "not deployed", which is not drift. Any failure of one layer
is its one line; the other layers are still checked.

Exit status of `invoke drift` (`DriftReport.exit_code`):
  0  every deployed layer matches its state
  1  at least one resource differs (changed or deleted outside Pulumi), and every layer was checked
  2  the check is incomplete: a layer could not be checked (no CLI, credentials, a locked stack, ...)
     or no stack of the environment holds resources at all (a wrong backend looks exactly like that)
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Literal

from ops.aws import AwsClients
from ops.environment.environment import REGION_KEY, Environment
from ops.stacks.engine import Drift, EngineError, EngineNote, StackEngine, StepEvent
from ops.stacks.preflight import check_backend, check_credentials, check_pulumi_cli
from ops.stacks.timeline import ResourceTiming, Timeline
from shared.layers import deploy_order

DriftResult = Literal["clean", "drifted", "not deployed", "failed"]


EXIT_CLEAN, EXIT_DRIFT, EXIT_NOT_CHECKED = 0, 1, 2


@dataclass(frozen=True)
class LayerDrift:
    """One layer's answer: its drift, or why it was not checked; `resources` times each resource read."""

    layer: str
    result: DriftResult
    drift: Drift = field(default_factory=Drift)
    reason: str = ""
    resources: tuple[ResourceTiming, ...] = ()


@dataclass(frozen=True)
class DriftReport:
    """Every selected layer's answer, in graph order."""

    env: str
    layers: tuple[LayerDrift, ...]

    def _with(self, *results: DriftResult) -> tuple[str, ...]:
        return tuple(d.layer for d in self.layers if d.result in results)

    @property
    def drifted(self) -> tuple[str, ...]:
        """Layers with at least one resource that differs from its state."""
        return self._with("drifted")

    @property
    def failed(self) -> tuple[str, ...]:
        """Layers that could not be checked."""
        return self._with("failed")

    @property
    def checked(self) -> tuple[str, ...]:
        """Layers whose stack was compared with the cloud."""
        return self._with("clean", "drifted")

    @property
    def exit_code(self) -> int:
        """0 clean, 1 drift, 2 not (fully) checked: see the module docstring."""
        if self.failed or not self.checked:
            return EXIT_NOT_CHECKED
        return EXIT_DRIFT if self.drifted else EXIT_CLEAN

    def verdict(self) -> str:
        """The run's result in one line."""
        env = self.env
        if self.failed:
            found = f"; drift found in {', '.join(self.drifted)}" if self.drifted else ""
            return f"drift of {env} not checked for {', '.join(self.failed)}: see the lines above{found}"
        if not self.checked:
            return (
                f"nothing checked: no stack of {env} holds resources on this backend "
                f"(is PULUMI_BACKEND_URL the backend {env} was deployed to?)"
            )
        if self.drifted:
            count = sum(len(d.drift.resources) for d in self.layers)
            # A plain deploy compares the code with the state, which still holds the old values, and
            # would change nothing: the refresh first takes the cloud's values into the state, so the
            # update that follows puts the code's values back.
            restore = "; then ".join(f"`invoke deploy --layer {n} --env {env} --refresh`" for n in self.drifted)
            return (
                f"drift in {env}: {count} resource(s) of {', '.join(self.drifted)} changed outside Pulumi "
                f"(tables above): restore them with {restore}, or change the code to match first"
            )
        return f"no drift in {env}: {', '.join(self.checked)} match their state"


LayerEvent = Callable[[str, EngineNote], None]


def check_drift(
    engine: StackEngine,
    env: str,
    layers: Iterable[str] | None = None,
    *,
    on_event: LayerEvent | None = None,
) -> DriftReport:
    """Compare each selected layer's stack with the cloud, in graph order; nothing is written.

    `on_event(layer, note)` receives the engine's progress (resource reads and lines); each layer's
    reads are timed, from the start of the check.
    """
    notify = on_event or (lambda layer, note: None)
    start = time.monotonic()
    return DriftReport(env, tuple(_check_layer(engine, env, n, notify, start) for n in deploy_order(layers)))


def _check_layer(engine: StackEngine, env: str, layer: str, notify: LayerEvent, start: float) -> LayerDrift:
    timeline = Timeline()

    def relay(note: EngineNote) -> None:
        if isinstance(note, StepEvent):
            timeline.record(note)
        notify(layer, note)

    try:
        state = engine.state(layer, env)
        if not state.deployed:
            return LayerDrift(layer, "not deployed", reason="stack holds no resources" if state.exists else "no stack")
        drift = engine.drift(layer, env, on_event=relay)
    except EngineError as e:
        return LayerDrift(layer, "failed", reason=str(e))
    except Exception as e:  # a bug in one layer's check must not hide the others behind a traceback
        return LayerDrift(layer, "failed", reason=f"{type(e).__name__}: {e}")
    reads = tuple(
        replace(t, start=t.start - start, end=None if t.end is None else t.end - start) for t in timeline.finished()
    )
    return LayerDrift(layer, "clean" if drift.clean else "drifted", drift, resources=reads)


def readiness(
    environment: Environment,
    *,
    aws: AwsClients | None = None,
    which: Callable[[str], str | None] = shutil.which,
    environ: Mapping[str, str] | None = None,
) -> tuple[str, ...]:
    """What stops a drift check before it starts, one line each: the Pulumi CLI, the backend, AWS credentials.

    No config or secret check: a read-only refresh does not run the programs.
    """
    environ = os.environ if environ is None else environ
    problems = [p for p in (check_pulumi_cli(which), check_backend(environ)) if p]
    region = environment.region
    if region is None:
        env = environment.name
        missing = f"{REGION_KEY}: not set for {env}: add `aws:region: ap-northeast-2` to each Pulumi.{env}.yaml"
        return (*problems, missing)
    credentials = check_credentials((aws or AwsClients(region)).client("sts"), region)
    return (*problems, *([credentials] if credentials else []))
