"""What every invoke task shares: the console and the checks of `--env` and `--layer`."""

from __future__ import annotations

from pathlib import Path

from invoke.exceptions import Exit
from rich.console import Console

from ops.environment.stack_files import PROJECTS_DIR, environments
from shared.layers import UnknownLayerError, get_layer, layer_names

console = Console()


def check_env(env: str, projects_dir: Path = PROJECTS_DIR) -> str:
    """`env` if its stack files load cleanly in every project; otherwise exit with every problem, one per line.

    The same check for every task's `--env`: a missing stack file names its project, keys in the
    wrong file or a misspelt namespace, keys given twice and disagreeing service names are all
    reported before anything runs.
    """
    from ops.environment.environment import Environment, EnvironmentProblems

    if not env:
        raise Exit(f"--env is required: expected one of {', '.join(environments(projects_dir))}", code=2)
    try:
        Environment.load(env, projects_dir)
    except EnvironmentProblems as e:
        raise Exit(str(e), code=2) from None
    return env


def check_layer(layer: str) -> str:
    """`layer` if it is in the layer graph; otherwise exit with the valid names."""
    if not layer:
        raise Exit(f"--layer is required: expected one of {', '.join(layer_names())}", code=2)
    try:
        return get_layer(layer).name
    except UnknownLayerError as e:
        raise Exit(str(e), code=2) from None
