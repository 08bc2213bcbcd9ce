"""Engine events turned into what a user follows while a layer runs: resource steps and short lines."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any

from pulumi import automation as auto

from ops.stacks.engine import Changes, EngineNote, OnEvent, Preview, Step, StepEvent, Violation

# Diagnostic severities worth a line, and how the line starts ("info#err" is info written to stderr).
_SEVERITY = {"error": "error", "warning": "warning", "info": "info", "info#err": "info"}
# Lines a user must read even while the live display shows only each layer's latest event.
NOTICE_PREFIXES = ("error:", "warning:", "info:")


def _skipped(meta: auto.StepEventMetadata) -> bool:
    # Resources that stay as they are, data reads, the engine's own (the stack, providers, stack
    # references) and the components grouping resources (they span their children's time) are not
    # work a user waits on.
    state = meta.new or meta.old
    component = state is not None and not state.custom
    return meta.op in (auto.OpType.SAME, auto.OpType.READ) or meta.type.startswith("pulumi:") or component


def describe_event(event: auto.EngineEvent, *, clock: Callable[[], float] = time.monotonic) -> EngineNote | None:
    """What one engine event tells the user: a resource step, a short line, or None when nothing worth showing."""
    for found, phase in (
        (event.resource_pre_event, "start"),
        (event.res_outputs_event, "done"),
        (event.res_op_failed_event, "failed"),
    ):
        if found is not None:
            meta = found.metadata
            return None if _skipped(meta) else StepEvent(meta.urn, meta.type, meta.op.value, phase, clock())
    if event.diagnostic_event is not None:
        diagnostic = event.diagnostic_event
        # Programs speak to the user through info and warning diagnostics (the zone's name servers,
        # what to do next); only the engine's debug chatter stays hidden.
        label = _SEVERITY.get(diagnostic.severity)
        message = " ".join(diagnostic.message.split())
        return f"{label}: {message}" if label and message else None
    if event.summary_event is not None:
        changes = Changes.from_op_map(event.summary_event.resource_changes)
        return f"done: +{changes.created} ~{changes.updated} -{changes.deleted}"
    return None


def _event_sink(on_event: OnEvent, *, steps: bool = True) -> Callable[[auto.EngineEvent], None]:
    """An Automation API `on_event` relaying what `describe_event` finds; `steps=False` for a preview, whose
    steps are announced but never run (nothing to time)."""

    def sink(event: auto.EngineEvent) -> None:
        note = describe_event(event)
        if note is not None and (steps or isinstance(note, str)):
            on_event(note)

    return sink


# How the engine's events mark a value it cannot show: a secret (Pulumi's `sig.Key` marker) or a
# value known only once the update has run.
_SECRET_SIGNATURE = "4dabf18193072939515e22adb298388d"
_UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
_STACK_TYPE = "pulumi:pulumi:Stack"


def _fully_known(value: Any) -> bool:
    if isinstance(value, str):
        return value != _UNKNOWN
    if isinstance(value, Mapping):
        return _SECRET_SIGNATURE not in value and all(_fully_known(v) for v in value.values())
    if isinstance(value, list):
        return all(_fully_known(v) for v in value)
    return True


class PreviewCollector:
    """Reads a preview's events: every resource step, and the stack's exports before and as the program left them.

    The stack resource reports its outputs twice (when it is registered, then once the program has
    exported everything): the last report is the one that counts. Its old state (the last update's
    exports) comes with it, so no separate `stack output` call is needed to compare.
    """

    def __init__(self) -> None:
        self.steps: list[Step] = []
        self.outputs: Mapping[str, Any] | None = None
        self.outputs_before: Mapping[str, Any] | None = None
        self.violations: list[Violation] = []

    def __call__(self, event: auto.EngineEvent) -> None:
        pre = event.resource_pre_event
        if pre is not None:
            meta = pre.metadata
            if meta.op not in (auto.OpType.SAME, auto.OpType.READ) and meta.type != _STACK_TYPE:
                self.steps.append(Step(meta.urn, meta.type, meta.op.value, tuple(meta.diffs or ())))
        done = event.res_outputs_event
        if done is not None and done.metadata.type == _STACK_TYPE and done.metadata.new is not None:
            self.outputs = dict(done.metadata.new.outputs or {})
            old = done.metadata.old
            self.outputs_before = dict(old.outputs or {}) if old is not None else None
        policy = event.policy_event
        if policy is not None:
            # The engine says "warning" for an advisory policy.
            level = "mandatory" if policy.enforcement_level == "mandatory" else "advisory"
            self.violations.append(Violation(policy.policy_name, level, policy.message, policy.resource_urn or ""))

    @property
    def mandatory(self) -> list[Violation]:
        """The violations that stop the operation."""
        return [v for v in self.violations if v.level == "mandatory"]

    def preview(self, changes: Changes) -> Preview:
        """The preview read so far, with the engine's own counts."""

        def known(outputs: Mapping[str, Any] | None) -> Mapping[str, Any] | None:
            return outputs if outputs is not None and _fully_known(outputs) else None

        return Preview(
            changes, tuple(self.steps), known(self.outputs), tuple(self.violations), known(self.outputs_before)
        )
