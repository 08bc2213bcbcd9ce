"""What verify reads: every layer's stack exports, from the stacks themselves or from a JSON file."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, Protocol

from shared.layers import layer_names


class VerifyInputError(ValueError):
    """The exports cannot be read, or lack a name verify needs; the message says which."""


def require_exports(exports: Mapping[str, Any], needed: Iterable[str]) -> dict[str, Any]:
    """The merged exports, once every name in `needed` is present and non-empty; else one line naming the rest."""
    missing = sorted({n for n in needed if exports.get(n) in (None, "")})
    if missing:
        raise VerifyInputError(
            f"the exports lack {', '.join(missing)}: deploy every layer first "
            "(`invoke deploy-all --env <env>`), or pass the JSON of `invoke outputs --env <env> --json`"
        )
    return dict(exports)


class OutputsSource(Protocol):
    """Anything that returns one layer's stack outputs (e.g. `ops.stacks.pulumi_engine.PulumiEngine`)."""

    def outputs(self, layer: str, env: str) -> Mapping[str, Any]:
        """Output name -> value (or an object with a `.value`, as the Automation API gives)."""
        ...


def _plain(value: Any) -> Any:
    # The Automation API wraps each output (`.value`, `.secret`); JSON dumps may keep that shape.
    if isinstance(value, Mapping) and set(value) >= {"value"} and set(value) <= {"value", "secret"}:
        return value["value"]
    if not isinstance(value, str | int | float | bool | list | dict) and hasattr(value, "value"):
        return value.value
    return value


def merge_exports(per_layer: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """Every layer's exports in one mapping (contract names are unique across layers)."""
    merged: dict[str, Any] = {}
    for layer in layer_names():
        for name, value in per_layer.get(layer, {}).items():
            merged[name] = _plain(value)
    return merged


def exports_from_stacks(source: OutputsSource, env: str) -> dict[str, Any]:
    """Read every layer's stack outputs of `env` through the Automation API seam."""
    return merge_exports({layer: source.outputs(layer, env) for layer in layer_names()})


def exports_from_json(path: Path) -> dict[str, Any]:
    """Read exports saved as JSON: flat `{name: value}` or per layer `{layer: {name: value}}`."""
    try:
        data = json.loads(path.read_text())
    except FileNotFoundError:
        raise VerifyInputError(f"{path} does not exist: write it with `invoke outputs --env <env> --json`") from None
    except json.JSONDecodeError as e:
        raise VerifyInputError(f"{path} is not valid JSON: {e}") from None
    if not isinstance(data, dict):
        raise VerifyInputError(f"{path} must hold a JSON object of exports")
    if data and set(data) <= set(layer_names()) and all(isinstance(v, dict) for v in data.values()):
        return merge_exports(data)
    return {name: _plain(value) for name, value in data.items()}
