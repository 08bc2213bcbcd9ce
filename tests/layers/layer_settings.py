"""A layer's settings parsed from its real stack config plus overrides, as the program would see them."""

from __future__ import annotations

from typing import Any

from ops.environment.stack_files import stack_config
from shared.layers import lifecycle
from shared.settings import StackSettings, parse_settings


def layer_settings(layer: str, env: str = "prod", **overrides: str) -> Any:
    """`<layer>` settings for `env`: Pulumi.yaml defaults, the stack file, then `overrides` (raw strings)."""
    config = {**stack_config(layer, env).values, **{f"{layer}:{k}": v for k, v in overrides.items()}}
    model: type[StackSettings] = lifecycle(layer).settings
    return parse_settings(model, config, namespace=layer, env=env)
