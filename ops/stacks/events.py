"""Engine events turned into the short lines a user follows while a layer runs."""

from __future__ import annotations

from collections.abc import Callable

from pulumi import automation as auto

from ops.stacks.engine import Changes, OnEvent

# Diagnostic severities worth a line, and how the line starts ("info#err" is info written to stderr).
_SEVERITY = {"error": "error", "warning": "warning", "info": "info", "info#err": "info"}
# Lines a user must read even while the live display shows only each layer's latest event.
NOTICE_PREFIXES = ("error:", "warning:", "info:")


def describe_event(event: auto.EngineEvent) -> str | None:
    """A short status line for one engine event, or None for events not worth showing."""
    if event.resource_pre_event is not None:
        meta = event.resource_pre_event.metadata
        if meta.op in (auto.OpType.SAME, auto.OpType.READ) or meta.type == "pulumi:pulumi:Stack":
            return None
        return f"{meta.op.value} {meta.type} {meta.urn.rsplit('::', 1)[-1]}"
    if event.res_op_failed_event is not None:
        meta = event.res_op_failed_event.metadata
        return f"failed to {meta.op.value} {meta.urn.rsplit('::', 1)[-1]}"
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


def _event_sink(on_event: OnEvent) -> Callable[[auto.EngineEvent], None]:
    def sink(event: auto.EngineEvent) -> None:
        line = describe_event(event)
        if line:
            on_event(line)

    return sink
