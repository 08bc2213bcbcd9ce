"""The engine events of a read-only refresh turned into a `Drift`: which resources differ, in which properties.

A refresh emits, per resource, a pre-event (op `refresh`, before the provider reads the resource) and
then an outputs event whose op is the refresh's result: `same`, `update` (the cloud differs from the
state) or `delete` (the resource is gone). The outputs event carries the property paths that differ
(`detailed_diff`, else `diffs`) and the resource's state before (`old`) and as read from the cloud
(`new`). An engine that reports the step's own op (`refresh`) instead of its result is read by
comparing `old` and `new` itself.

Secret values arrive blinded (the CLI serialises engine events without `--show-secrets`) and are
shown as `[secret]`; so is any value under a secret.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from pulumi import automation as auto

from ops.stacks.engine import Drift, PropertyDrift, ResourceDrift
from shared.plan_values import SECRET_MASK

# The CLI command a drift check runs, as its failures name it.
REFRESH_PREVIEW = "refresh --preview-only"


# The marker key of a serialised secret value (Pulumi's `sig.Key`), whatever its payload.
SECRET_SIGNATURE = "4dabf18193072939515e22adb298388d"


ABSENT = "(absent)"


MAX_VALUE_CHARS = 60


# Types whose refresh never says anything about the cloud.
_SKIPPED_TYPE = re.compile(r"^pulumi:pulumi:Stack$|^pulumi:providers:")


_NO_DRIFT = {auto.OpType.SAME, auto.OpType.READ}


_PATH_PART = re.compile(r"\[(\d+)\]|\[\"([^\"]*)\"\]|([^.\[\]]+)")


_MISSING = object()


def _is_secret(value: Any) -> bool:
    return isinstance(value, Mapping) and SECRET_SIGNATURE in value


def lookup(values: Mapping[str, Any] | None, path: str) -> Any:
    """The value at a Pulumi property path (`tags.owner`, `rules[0].cidr`, `tags["a.b"]`), `_MISSING` if none.

    A secret on the way is the answer: its contents are never walked into.
    """
    current: Any = values or {}
    for index, quoted, name in _PATH_PART.findall(path):
        if _is_secret(current):
            return current
        key: str | int = int(index) if index else (quoted or name)
        in_list = isinstance(key, int) and isinstance(current, list) and key < len(current)
        in_map = isinstance(key, str) and isinstance(current, Mapping) and key in current
        if not (in_list or in_map):
            return _MISSING
        current = current[key]
    return current


def render(value: Any) -> str:
    """A short, one-line rendering of a property value; secrets masked."""
    if value is _MISSING:
        return ABSENT
    if _is_secret(value):
        return SECRET_MASK
    if isinstance(value, Mapping | list):
        value = _masked(value)
    text = value if isinstance(value, str) else json.dumps(value, sort_keys=True)
    return text if len(text) <= MAX_VALUE_CHARS else text[: MAX_VALUE_CHARS - 1] + "…"


def _masked(value: Any) -> Any:
    if _is_secret(value):
        return SECRET_MASK
    if isinstance(value, Mapping):
        return {k: _masked(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_masked(v) for v in value]
    return value


def _value(state: auto.StepEventStateMetadata | None, path: str) -> Any:
    """A property as the state records it: inputs first (refresh diffs are over inputs), then outputs."""
    if state is None:
        return _MISSING
    found = lookup(state.inputs, path)
    return found if found is not _MISSING else lookup(state.outputs, path)


def _changed_outputs(meta: auto.StepEventMetadata) -> list[str]:
    """Top-level output keys whose values differ between `old` and `new`."""
    old = dict(meta.old.outputs or {}) if meta.old else {}
    new = dict(meta.new.outputs or {}) if meta.new else {}
    return sorted(k for k in old.keys() | new.keys() if old.get(k, _MISSING) != new.get(k, _MISSING))


def resource_drift(meta: auto.StepEventMetadata) -> ResourceDrift | None:
    """The drift one refresh step reports, or None when the resource matches its state."""
    if _SKIPPED_TYPE.match(meta.type) or meta.op in _NO_DRIFT:
        return None
    if meta.new is None or meta.op == auto.OpType.DELETE:
        return ResourceDrift(meta.urn, meta.type, "delete")
    paths = sorted(meta.detailed_diff or {}) or sorted(meta.diffs or ()) or _changed_outputs(meta)
    if meta.op == auto.OpType.REFRESH and not _changed_outputs(meta):
        return None  # the step's own op, and the read found nothing new
    props = tuple(PropertyDrift(p, render(_value(meta.old, p)), render(_value(meta.new, p))) for p in paths)
    return ResourceDrift(meta.urn, meta.type, "update", props)


class DriftCollector:
    """An `on_event` callback for a read-only refresh; `drift()` is what it found."""

    def __init__(self) -> None:
        self._found: dict[str, ResourceDrift] = {}

    def __call__(self, event: auto.EngineEvent) -> None:
        """Record the result of one resource's refresh (its outputs event)."""
        if event.res_outputs_event is None:
            return
        meta = event.res_outputs_event.metadata
        found = resource_drift(meta)
        if found is None:
            self._found.pop(meta.urn, None)
        else:
            self._found[meta.urn] = found

    def drift(self) -> Drift:
        """Every drifted resource, sorted by URN."""
        return Drift(tuple(self._found[urn] for urn in sorted(self._found)))
