"""Deploy, preview and tear down the layers in graph order over a `StackEngine`.

Plain Python with no Pulumi CLI behind it: the engine is injected (`PulumiEngine` for real, a recording fake
in tests), so the ordering, the failure rules and the teardown sequence are tested offline.

- Deploy: a layer starts as soon as every layer it depends on is deployed, so independent layers (data and
  edge) run at the same time, at most `max_parallel` at once. A failed layer stops the layers that depend on
  it; the others finish.
- Teardown: the reverse. A layer is destroyed only once nothing that depends on it exists; before `destroy`,
  the layer's teardown flips (deletion protection off) are set and applied by an `up` targeted at its
  teardown targets alone, and restored afterwards so the stack file in git keeps its values. A targeted
  preview runs first: if those resources would change in anything but the allowed properties (undeployed
  code), teardown stops before any change. A failure after the flip says that protection is off on the live
  resources and how to turn it back on.
"""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from datetime import UTC, datetime
from typing import Any

from ops.stacks.engine import (
    Changes,
    EngineError,
    EngineNote,
    LastOperation,
    OnEvent,
    StackEngine,
    StackOutput,
    StackState,
    Step,
    StepEvent,
)
from ops.stacks.report import Action, Interrupted, LayerFailed, Outcome, Reporter, RunReport, SilentReporter
from ops.stacks.teardown import teardown_flips
from ops.stacks.timeline import Timeline
from shared.layers import deploy_order, downstream, layer_names, lifecycle, teardown_order, upstream

# Results after which the next layer may go ahead (its upstream, or for teardown its dependent, is settled).
_DEPLOY_OK: frozenset[str] = frozenset({"deployed"})
_TEARDOWN_OK: frozenset[str] = frozenset({"destroyed", "not deployed"})

# A layer held back because a layer it waits for did not settle: why (one phrase per such layer)
# and what to do, per action. A preview waits for nothing, so it is never held back.
_HELD_BACK: dict[Action, tuple[str, str]] = {
    "deploy": ("upstream {layer} {result}", "fix {layers}, then run `invoke deploy-all --env {env}` again"),
    "destroy": (
        "still used by {layer} ({result})",
        "destroy {layers} first, then `invoke destroy-all --env {env}` again",
    ),
}


# What each action is doing, and the command that finishes it after an interruption.
_DOING: dict[Action, str] = {"deploy": "deploying", "preview": "previewing", "destroy": "destroying"}
_AGAIN: dict[Action, str] = {"deploy": "deploy-all", "preview": "preview", "destroy": "destroy-all"}


def _held_back(action: Action, env: str, layer: str, bad: list[tuple[str, Outcome]]) -> Outcome:
    why, fix = _HELD_BACK[action]
    return Outcome(
        layer,
        "skipped",
        reason="; ".join(why.format(layer=d, result=o.result) for d, o in bad),
        next_step=fix.format(layers=", ".join(d for d, _ in bad), env=env),
    )


def _elapsed(start: float) -> float:
    return round(time.monotonic() - start, 1)


class Orchestrator:
    """Runs an action over the layers of one environment, in graph order, with bounded concurrency."""

    def __init__(
        self,
        engine: StackEngine,
        *,
        reporter: Reporter | None = None,
        max_parallel: int = 2,
    ) -> None:
        if max_parallel < 1:
            raise ValueError("max_parallel must be at least 1")
        self.engine = engine
        self.reporter = reporter or SilentReporter()
        self.max_parallel = max_parallel
        self._stopping = threading.Event()
        # Each layer's resource steps, timed on the run's own clock from its start.
        self._timelines: dict[str, Timeline] = {}
        self._t0 = time.monotonic()
        self._started = datetime.now(UTC)

    # The one scheduler -------------------------------------------------------------------

    def _schedule(
        self,
        order: list[str],
        waits_for: Mapping[str, Iterable[str]],
        ok: frozenset[str],
        work: Callable[[str], Outcome],
        action: Action,
        env: str,
    ) -> dict[str, Outcome]:
        """Start each layer once everything it waits for is settled `ok`; block it if any is not.

        Ctrl-C (SIGINT, which a terminal sends to the Pulumi CLI processes too, so each cancels
        its update and releases its stack's lock) stops starting layers and waits for the running
        ones to end; then `Interrupted` carries what each layer came to. A second Ctrl-C stops the
        wait.
        """
        done: dict[str, Outcome] = {}
        pending = list(order)
        running: dict[Future[Outcome], str] = {}
        pool = ThreadPoolExecutor(max_workers=self.max_parallel)
        try:
            while pending or running:
                for layer in list(pending):
                    deps = [d for d in waits_for[layer]]
                    if not all(d in done for d in deps):
                        continue
                    pending.remove(layer)
                    bad = [(d, done[d]) for d in deps if done[d].result not in ok]
                    if bad:
                        done[layer] = _held_back(action, env, layer, bad)
                        self.reporter.finished(done[layer])
                    else:
                        running[pool.submit(self._guarded, layer, work)] = layer
                if not running:
                    continue
                finished, _ = wait(running, return_when=FIRST_COMPLETED)
                for fut in finished:
                    layer = running.pop(fut)
                    done[layer] = self._timed(fut.result())
                    self.reporter.finished(done[layer])
        except KeyboardInterrupt:
            # What the cancelling programs still print (a Python program's KeyboardInterrupt traceback
            # among it) is not the user's business: the summary says what each layer came to.
            self._stopping.set()
            raise Interrupted(self._after_interrupt(order, done, running, action, env)) from None
        finally:
            pool.shutdown(wait=False, cancel_futures=True)
        return done

    def _after_interrupt(
        self,
        order: list[str],
        done: dict[str, Outcome],
        running: dict[Future[Outcome], str],
        action: Action,
        env: str,
    ) -> RunReport:
        """Wait for the running layers to end (their CLIs are cancelling); what every layer came to."""
        again = f"run `invoke {_AGAIN[action]} --env {env}` again to finish"
        try:
            for fut in list(running):
                outcome = fut.result()
                layer = running.pop(fut)
                if outcome.result in ("failed", "skipped"):
                    outcome = dataclasses.replace(
                        outcome,
                        result="interrupted",
                        reason=f"interrupted (Ctrl-C) while {_DOING[action]}; {outcome.reason}".rstrip("; "),
                        next_step=again,
                    )
                done[layer] = self._timed(outcome)
        except KeyboardInterrupt:
            pass  # a second Ctrl-C: stop waiting
        for layer in running.values():
            done[layer] = Outcome(
                layer,
                "interrupted",
                reason=f"still {_DOING[action]} when a second Ctrl-C stopped the wait: its stack may stay locked",
                next_step=f"`invoke cancel --layer {layer} --env {env}`, then {again}",
            )
        for layer in order:
            done.setdefault(
                layer, Outcome(layer, "skipped", reason="not started: interrupted (Ctrl-C)", next_step=again)
            )
        return RunReport(action, env, tuple(done[n] for n in order), self._started)

    def _guarded(self, layer: str, work: Callable[[str], Outcome]) -> Outcome:
        """Run one layer's work; any error becomes a failed outcome with its one-line message."""
        start = time.monotonic()
        try:
            return work(layer)
        except EngineError as e:
            next_step = e.next_step if isinstance(e, LayerFailed) else ""
            return Outcome(layer, "failed", duration=_elapsed(start), reason=str(e), next_step=next_step)
        except Exception as e:  # a bug must not take the other layers down with a traceback
            return Outcome(layer, "failed", duration=_elapsed(start), reason=f"{type(e).__name__}: {e}")

    def _sink(self, layer: str) -> OnEvent:
        timeline = self._timelines.setdefault(layer, Timeline())

        def relay(note: EngineNote) -> None:
            if isinstance(note, StepEvent):
                timeline.record(note)
            if not self._stopping.is_set():
                self.reporter.event(layer, note)

        return relay

    def _timed(self, outcome: Outcome) -> Outcome:
        """The outcome with every resource step its layer finished, timed from the run's start."""
        timeline = self._timelines.get(outcome.layer)
        if timeline is None:
            return outcome
        steps = tuple(
            dataclasses.replace(t, start=t.start - self._t0, end=None if t.end is None else t.end - self._t0)
            for t in timeline.finished()
        )
        return dataclasses.replace(outcome, resources=steps)

    def _report(self, action: Action, env: str, order: list[str], done: Mapping[str, Outcome]) -> RunReport:
        return RunReport(action, env, tuple(done[n] for n in order), self._started)

    def _missing_upstream(self, layer: str, env: str, settled: Iterable[str] = ()) -> list[str]:
        """Upstream layers (outside `settled`) whose stack holds no resources in `env`."""
        return [u for u in upstream(layer) if u not in settled and not self.engine.state(u, env).deployed]

    # Deploy ------------------------------------------------------------------------------

    def deploy(
        self, env: str, layers: Iterable[str] | None = None, *, refresh: bool = False, follow_ripples: bool = False
    ) -> RunReport:
        """Deploy `layers` (default: all) in graph order; upstream layers outside the selection must exist.

        A deployed layer whose exports changed leaves the deployed layers below it reading stale
        values until they are deployed too: with `follow_ripples` they are, right after (in graph
        order, rippling on); otherwise the layer's outcome names them and the command to run.
        """
        report = self._deploy(env, layers, refresh=refresh)
        stale = self._stale_downstream(env, report)
        if not stale:
            return report
        if follow_ripples:
            for layer in stale:
                self.reporter.event(layer, "upstream exports changed: deploying it too")
            more = self.deploy(env, stale, follow_ripples=True)
            return RunReport("deploy", env, report.outcomes + more.outcomes, self._started)
        return dataclasses.replace(
            report, outcomes=tuple(self._with_ripple_hint(o, env, stale) for o in report.outcomes)
        )

    def _stale_downstream(self, env: str, report: RunReport) -> list[str]:
        """Deployed layers outside this run that read exports the run changed, in graph order."""
        ran = {o.layer for o in report.outcomes}
        changed = [o.layer for o in report.outcomes if o.changed_exports]
        stale = {
            d for layer in changed for d in downstream(layer) if d not in ran and self.engine.state(d, env).deployed
        }
        return [n for n in layer_names() if n in stale]

    def _with_ripple_hint(self, o: Outcome, env: str, stale: list[str]) -> Outcome:
        mine = [d for d in stale if d in downstream(o.layer)]
        if not (o.changed_exports and mine):
            return o
        runs = "; then ".join(f"`invoke deploy --layer {d} --env {env}`" for d in mine)
        hint = f"exports changed ({', '.join(o.changed_exports)}): {', '.join(mine)} now read stale values: run {runs}"
        return dataclasses.replace(o, next_step=hint)

    def _refuse_replacing_what_dependents_hold(self, layer: str, env: str, steps: Iterable[Step]) -> None:
        """Stop before any change a deploy that would replace a resource a deployed layer below still uses.

        With create-before-delete the new one would be made and exported, then deleting the old one
        would fail (AWS: DependencyViolation, ResourceInUse) after its users' stacks went stale. The
        steps come from a full preview, so a replacement forced from upstream (a new VPC CIDR
        replaces the VPC, hence its subnets and security groups) is seen as well as a direct one.
        """
        held = set(lifecycle(layer).held_by_downstream)
        replaced = sorted({s.name: s for s in steps if s.replaces and s.type in held}.items())
        if not replaced:
            return
        users = self._deployed_downstream(layer, env)
        what = ", ".join(f"{name} ({', '.join(s.diffs)})" if s.diffs else name for name, s in replaced)
        down = " then ".join(f"`invoke destroy --layer {d} --env {env} --yes`" for d in reversed(users))
        up = " then ".join(f"`invoke deploy --layer {d} --env {env}`" for d in users)
        raise LayerFailed(
            f"stopped before any change: this deploy would replace {what}, which {', '.join(users)} still "
            "use, and AWS refuses to delete a resource while it is attached",
            f"avoid the replacement (revert the change that forces it), or, where a teardown is acceptable: "
            f"{down}, then `invoke deploy --layer {layer} --env {env}`, then {up}",
        )

    def _deployed_downstream(self, layer: str, env: str) -> list[str]:
        return [d for d in downstream(layer) if self.engine.state(d, env).deployed]

    def _exports(self, layer: str, env: str) -> dict[str, Any] | None:
        """The layer's export values, or None before its stack exists (nothing can read it yet)."""
        if not self.engine.state(layer, env).exists:
            return None
        return {name: out.value for name, out in self.engine.outputs(layer, env).items()}

    def _deploy(self, env: str, layers: Iterable[str] | None, *, refresh: bool) -> RunReport:
        order = deploy_order(layers)
        chosen = set(order)

        def work(layer: str) -> Outcome:
            start = time.monotonic()
            missing = self._missing_upstream(layer, env, settled=chosen)
            if missing:
                return Outcome(
                    layer,
                    "upstream not deployed",
                    reason=f"upstream not deployed in {env}: {', '.join(missing)}",
                    next_step=f"deploy them first: `invoke deploy-all --env {env}`",
                )
            self.reporter.started(layer, "deploying")
            if refresh and self.engine.state(layer, env).exists:
                self.engine.refresh(layer, env, on_event=self._sink(layer))
            users = self._deployed_downstream(layer, env)
            # A preview first, as `pulumi up` itself does: the policy pack judges the whole change
            # and AWS's refusals to replace what a deployed layer below holds are seen, both before
            # anything changes; when it changes nothing at all it stands in for the update.
            preview = self.engine.preview(layer, env, on_event=self._sink(layer))
            self.reporter.expect(layer, len(preview.steps))
            if users and self._holds_for_downstream(layer, env):
                self._refuse_replacing_what_dependents_hold(layer, env, preview.steps)
            advisory = tuple(v for v in preview.violations if v.level != "mandatory")
            if preview.changes_nothing():
                return Outcome(layer, "deployed", preview.changes, _elapsed(start), violations=advisory)
            # A deployed layer outside this run reads the exports and may now read stale values:
            # compare them across the update (the preview's old ones, unless it could not show them).
            readers_outside = [d for d in users if d not in chosen]
            before = preview.outputs_before
            if readers_outside and before is None:
                before = self._exports(layer, env)
            changes = self.engine.up(layer, env, on_event=self._sink(layer))
            changed: tuple[str, ...] = ()
            if readers_outside and before is not None:
                after = self._exports(layer, env) or {}
                changed = tuple(sorted(n for n in after if before.get(n) != after[n]))
            return Outcome(layer, "deployed", changes, _elapsed(start), changed_exports=changed, violations=advisory)

        self._read_states_at_once(env)
        waits = {n: [u for u in upstream(n) if u in chosen] for n in order}
        done = self._schedule(order, waits, _DEPLOY_OK, work, "deploy", env)
        return self._report("deploy", env, order, self._with_failure_hints(done, "deploy", env))

    def _read_states_at_once(self, env: str) -> None:
        """Ask for every layer's stack state at once, up front: each layer's first step asks about others.

        A failure here is left for the layer's own step to meet and report.
        """

        def state(layer: str) -> None:
            try:
                self.engine.state(layer, env)
            except Exception:
                return

        with ThreadPoolExecutor(max_workers=len(layer_names())) as pool:
            list(pool.map(state, layer_names()))

    def _holds_for_downstream(self, layer: str, env: str) -> bool:
        """The layer declares resource types its dependents attach to, and its stack holds resources."""
        return bool(lifecycle(layer).held_by_downstream) and self.engine.state(layer, env).deployed

    def _with_failure_hints(self, done: dict[str, Outcome], action: str, env: str) -> dict[str, Outcome]:
        for layer, o in done.items():
            if o.result == "failed" and not o.next_step:
                done[layer] = Outcome(
                    o.layer,
                    o.result,
                    o.changes,
                    o.duration,
                    o.reason,
                    next_step=f"fix the cause above, then `invoke {action} --layer {layer} --env {env}`",
                )
        return done

    # Preview -----------------------------------------------------------------------------

    def preview(self, env: str, layers: Iterable[str] | None = None) -> RunReport:
        """Preview `layers` (default: all) against what is deployed; each needs its upstream stacks to exist."""
        order = deploy_order(layers)

        def work(layer: str) -> Outcome:
            start = time.monotonic()
            missing = self._missing_upstream(layer, env)
            if missing:
                return Outcome(
                    layer,
                    "upstream not deployed",
                    reason=f"upstream not deployed in {env}: {', '.join(missing)}",
                    next_step=(
                        f"`invoke plan --env {env}` shows the whole platform offline; "
                        f"deploy {', '.join(missing)} to preview against the cloud"
                    ),
                )
            self.reporter.started(layer, "previewing")
            changes = self.engine.preview(layer, env, on_event=self._sink(layer)).changes
            return Outcome(layer, "previewed", changes, _elapsed(start))

        # Previews change nothing, so none waits for another (the engine reads deployed upstreams).
        done = self._schedule(order, {n: [] for n in order}, _DEPLOY_OK, work, "preview", env)
        return self._report("preview", env, order, self._with_failure_hints(done, "preview", env))

    # Teardown ----------------------------------------------------------------------------

    def destroy(self, env: str, layers: Iterable[str] | None = None, *, remove_stacks: bool = False) -> RunReport:
        """Destroy `layers` (default: all), dependents first; a layer still depended on is never destroyed.

        `remove_stacks` also deletes the stacks (history and config) - for ephemeral environments.
        """
        order = teardown_order(layers)
        chosen = set(order)

        def work(layer: str) -> Outcome:
            start = time.monotonic()
            # Dependents outside this run must be gone too (those inside it settled before we started).
            alive = [d for d in downstream(layer) if d not in chosen and self.engine.state(d, env).deployed]
            if alive:
                return Outcome(
                    layer,
                    "skipped",
                    reason=f"still used by {', '.join(alive)}, which is deployed in {env}",
                    next_step=f"destroy {', '.join(alive)} first, or run `invoke destroy-all --env {env}`",
                )
            state = self.engine.state(layer, env)
            if not state.exists:
                return Outcome(layer, "not deployed", duration=_elapsed(start), reason=f"no {env} stack")
            self.reporter.started(layer, "destroying")
            if not state.deployed:
                # Already empty: no protection to lift (an `up` here would recreate everything).
                if not remove_stacks:
                    return Outcome(layer, "not deployed", duration=_elapsed(start), reason="stack holds no resources")
                changes = self.engine.destroy(layer, env, on_event=self._sink(layer), remove=True)
            else:
                changes = self._lift_protection_and_destroy(layer, env, remove_stacks)
            return Outcome(layer, "destroyed", changes, _elapsed(start))

        waits = {n: [d for d in downstream(n) if d in chosen] for n in order}
        done = self._schedule(order, waits, _TEARDOWN_OK, work, "destroy", env)
        return self._report("destroy", env, order, self._with_failure_hints(done, "destroy", env))

    def _lift_protection_and_destroy(self, layer: str, env: str, remove: bool) -> Changes:
        """Apply the layer's flips to its protected resources alone, then destroy the stack.

        The flip is a targeted `up` of the layer's teardown target types: a full `up` would also
        apply every committed-but-undeployed change of the layer right before the destroy.
        """
        flips = teardown_flips(layer, env)
        targets = lifecycle(layer).teardown.targets
        if flips and not targets:
            raise EngineError(
                f"{layer} declares teardown config but no teardown targets in its LIFECYCLE: "
                "name the resource types the flip must update"
            )
        before = {key: self.engine.get_config(layer, env, key) for key, _ in flips}
        removed = False
        flipping = applied = False
        try:
            if flips:
                for key, value in flips:
                    self.engine.set_config(layer, env, key, value)
                self.reporter.event(
                    layer,
                    "lifting deletion protection: "
                    + ", ".join(k for k, _ in flips)
                    + f" (update of {', '.join(targets)} only)",
                )
                self._refuse_undeployed_changes(layer, env, targets)
                flipping = True
                self.engine.up(layer, env, on_event=self._sink(layer), targets=targets)
                applied = True
            changes = self.engine.destroy(layer, env, on_event=self._sink(layer), remove=remove)
            removed = remove
            return changes
        except Exception as e:
            if not flipping:
                raise
            reason = str(e) if isinstance(e, EngineError) else f"{type(e).__name__}: {e}"
            state = "is OFF" if applied else "may be OFF"
            raise LayerFailed(
                reason,
                f"deletion protection {state} on the live {', '.join(targets)} of {layer} in {env} "
                f"(the stack file keeps it on): restore it with `invoke deploy --layer {layer} --env {env}`, "
                f"or fix the cause above and `invoke destroy --layer {layer} --env {env}` again",
            ) from e
        finally:
            # The stack file in git keeps its protected values (a later deploy re-protects);
            # a removed stack took its file with it.
            if not removed:
                for key, old in before.items():
                    if old is None:
                        self.engine.remove_config(layer, env, key)
                    else:
                        self.engine.set_config(layer, env, key, old)

    def _refuse_undeployed_changes(self, layer: str, env: str, targets: tuple[str, ...]) -> None:
        """Stop the teardown if the flip would also ship something other than the protection switch.

        A targeted `up` applies every current input of its targets: an instance class or engine
        version committed but never deployed would go out right before the destroy.
        """
        allowed = set(lifecycle(layer).teardown.properties)
        pending = self.engine.pending_changes(layer, env, targets=targets)
        extra = {urn: [p for p in props if p not in allowed] for urn, props in sorted(pending.items())}
        extra = {urn: props for urn, props in extra.items() if props}
        if extra:
            what = "; ".join(f"{urn.rsplit('::', 1)[-1]}: {', '.join(props)}" for urn, props in extra.items())
            raise LayerFailed(
                f"teardown stopped before any change: {layer} has undeployed changes "
                f"besides deletion protection ({what})",
                f"deploy them first (`invoke deploy --layer {layer} --env {env}`) or revert them in code, "
                f"then `invoke destroy --layer {layer} --env {env}` again",
            )

    # Read-only ---------------------------------------------------------------------------

    def status(self, env: str) -> dict[str, tuple[StackState, LastOperation | None]]:
        """Each layer's stack state in `env`, with the newest entry of its history when it exists."""
        states = {n: self.engine.state(n, env) for n in layer_names()}
        return {n: (st, self.engine.last_operation(n, env) if st.exists else None) for n, st in states.items()}

    def outputs(self, env: str) -> dict[str, StackOutput]:
        """Every deployed layer's outputs merged into one mapping (output names are unique across contracts)."""
        merged: dict[str, StackOutput] = {}
        owner: dict[str, str] = {}
        for layer in layer_names():
            if not self.engine.state(layer, env).exists:
                continue
            for name, out in self.engine.outputs(layer, env).items():
                if name in owner:
                    raise EngineError(
                        f"output {name!r} is exported by both {owner[name]} and {layer}: rename one contract field"
                    )
                owner[name] = layer
                merged[name] = out
        return merged
