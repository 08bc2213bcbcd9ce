"""What every invoke task shares: the console and the checks of `--env` and `--layer`."""

from __future__ import annotations

from invoke.exceptions import Exit
from rich.console import Console

from ops.environment.stack_files import environments
from shared.layers import UnknownLayerError, get_layer, layer_names

console = Console()


def check_env(env: str) -> str:
    """`env` if a stack file exists for it in every project; otherwise exit with the known ones."""
    known = environments()
    if not env:
        raise Exit(f"--env is required: expected one of {', '.join(known)}", code=2)
    if env not in known:
        raise Exit(
            f"unknown environment {env!r}: expected one of {', '.join(known)} "
            "(an environment is a Pulumi.<env>.yaml in every project)",
            code=2,
        )
    return env


def check_layer(layer: str) -> str:
    """`layer` if it is in the layer graph; otherwise exit with the valid names."""
    if not layer:
        raise Exit(f"--layer is required: expected one of {', '.join(layer_names())}", code=2)
    try:
        return get_layer(layer).name
    except UnknownLayerError as e:
        raise Exit(str(e), code=2) from None
