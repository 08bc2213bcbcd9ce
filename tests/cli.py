"""`invoke ARGS` run inside the test process, the way the `invoke` console script runs it.

The same `invoke.Program` parses the same arguments, loads `tasks.py` from the repository and
exits with the same codes; what it prints is captured. An exception nothing handles ends the run as
Python would end the process: its traceback on stderr and exit code 1, so a test asserting "no
traceback" still sees one. A subprocess would prove nothing more and costs 0.3-1 s of start-up per
call; the tests that are about the console script itself still start one.

Two differences from a new process are undone: invoke consumes a task's `help` dict while building
its arguments, so each run gets the tasks' help back afterwards; and the tasks' rich console chose
its colours when it was imported, whatever the terminal then, so each run prints without colour, as
a new process whose output is captured would.
"""

from __future__ import annotations

import contextlib
import io
import os
import traceback
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from unittest import mock

import invoke
from invoke import Program
from invoke.tasks import Task

import tasks as repository_tasks  # the same tasks.py invoke loads: imports every task module once
from ops.cli.common import console

REPO = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Ran:
    """What a finished `invoke` run left: its exit code and everything it printed."""

    returncode: int
    stdout: str
    stderr: str


def run_invoke(
    *args: str,
    env: Mapping[str, str] | None = None,
    unset: tuple[str, ...] = (),
    clear_env: bool = False,
    columns: int = 80,
) -> Ran:
    """`invoke *args` from the repository root, with `env` added to the environment for the run and
    every variable starting with one of `unset` removed from it (`clear_env`: `env` is all there is).

    `columns` is the width rich lays tables out in (a captured subprocess gets 80 unless told).
    """
    helps = {task: dict(task.help) for task in _tasks()}
    out, err = io.StringIO(), io.StringIO()
    program = Program(name="Invoke", binary="inv[oke]", version=invoke.__version__)
    code = 0
    kept = {} if clear_env else {k: v for k, v in os.environ.items() if not (unset and k.startswith(unset))}
    with (
        mock.patch.dict(os.environ, {**kept, "COLUMNS": str(columns), **(env or {})}, clear=True),
        contextlib.chdir(REPO),
        mock.patch.object(console, "_color_system", None),
        contextlib.redirect_stdout(out),
        contextlib.redirect_stderr(err),
    ):
        try:
            program.run(["invoke", *args])
        except SystemExit as e:
            code = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
            if isinstance(e.code, str):
                print(e.code, file=err)
        except Exception:
            traceback.print_exc(file=err)
            code = 1
        finally:
            for task, help in helps.items():
                task.help = help
    return Ran(code, out.getvalue(), err.getvalue())


def task_arguments(task: Task) -> list[Any]:
    """`task.get_arguments()` without using up the task's help (see the module docstring)."""
    helps = dict(task.help)
    try:
        return task.get_arguments()
    finally:
        task.help = helps


def _tasks() -> list[Task]:
    """Every task tasks.py offers."""
    return [t for t in vars(repository_tasks).values() if isinstance(t, Task)]
