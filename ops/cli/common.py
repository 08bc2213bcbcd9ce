"""What every invoke task shares: the console and the checks of `--env` and `--layer`."""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, ParamSpec, TypeVar

from invoke.exceptions import Exit
from rich.console import Console

from ops.environment.stack_files import PROJECTS_DIR, environments
from shared.layers import UnknownLayerError, get_layer, layer_names

if TYPE_CHECKING:
    from ops.environment.environment import Environment
    from ops.stacks.pulumi_engine import PulumiEngine

console = Console()

P = ParamSpec("P")
R = TypeVar("R")


def interruptible(body: Callable[P, R]) -> Callable[P, R]:
    """Ctrl-C ends a task with one line and exit code 130 (the shell's convention), never a traceback."""

    @functools.wraps(body)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return body(*args, **kwargs)
        except KeyboardInterrupt:
            raise Exit(
                "interrupted (Ctrl-C): stopped before finishing; nothing after this point ran", code=130
            ) from None

    return run


def writable_file(path: str, option: str) -> Path:
    """`path` if a file can be written there (its folder exists and is writable); else exit in one line."""
    target = Path(path)
    folder = target.parent if str(target.parent) else Path(".")
    problem = ""
    if target.is_dir():
        problem = "it is a folder"
    elif not folder.is_dir():
        problem = f"folder {folder} does not exist"
    elif not os.access(folder, os.W_OK) or (target.exists() and not os.access(target, os.W_OK)):
        problem = "permission denied"
    if problem:
        raise Exit(
            f"{option} {path!r} cannot be written ({problem}): expected a file path in a writable folder", code=1
        )
    return target


def check_env(env: str, projects_dir: Path = PROJECTS_DIR) -> Environment:
    """The environment `env`, loaded once; if its stack files do not load cleanly, exit with every problem.

    The same check for every task's `--env`: a missing stack file names its project, keys in the
    wrong file or a misspelt namespace, keys given twice and disagreeing service names are all
    reported before anything runs.
    """
    from ops.environment.environment import Environment, EnvironmentProblems

    if not env:
        raise Exit(f"--env is required: expected one of {', '.join(environments(projects_dir))}", code=2)
    try:
        return Environment.load(env, projects_dir)
    except EnvironmentProblems as e:
        raise Exit(str(e), code=2) from None


def check_layer(layer: str) -> str:
    """`layer` if it is in the layer graph; otherwise exit with the valid names."""
    if not layer:
        raise Exit(f"--layer is required: expected one of {', '.join(layer_names())}", code=2)
    try:
        return get_layer(layer).name
    except UnknownLayerError as e:
        raise Exit(str(e), code=2) from None


def pulumi_engine(*, exit_code: int, policies: bool = False) -> PulumiEngine:
    """The Automation API engine over the configured backend; a backend mistake exits in one line.

    `policies`: previews and updates run the repository's CrossGuard pack (`ops.stacks.policy`).
    """
    from ops.stacks.backend import BackendError, backend_settings
    from ops.stacks.policy import repository_pack
    from ops.stacks.pulumi_engine import PulumiEngine

    try:
        return PulumiEngine(backend_settings(), policies=repository_pack() if policies else None)
    except BackendError as e:
        raise Exit(str(e), code=exit_code) from None
