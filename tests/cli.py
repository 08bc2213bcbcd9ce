"""`invoke ARGS` run inside the test process, the way the `invoke` console script runs it.

The same `invoke.Program` parses the same arguments, loads `tasks.py` from the repository and
exits with the same codes; what it prints is captured. An exception nothing handles ends the run as
Python would end the process: its traceback on stderr and exit code 1, so a test asserting "no
traceback" still sees one. A subprocess would prove nothing more and costs 0.3-1 s of start-up per
call; the tests that are about the console script itself still start one.
"""

from __future__ import annotations

import contextlib
import io
import os
import traceback
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from unittest import mock

import invoke
from invoke import Program

REPO = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Ran:
    """What a finished `invoke` run left: its exit code and everything it printed."""

    returncode: int
    stdout: str
    stderr: str


def run_invoke(*args: str, env: Mapping[str, str] | None = None, columns: int = 80) -> Ran:
    """`invoke *args` from the repository root, with `env` added to the environment for the run.

    `columns` is the width rich lays tables out in (a captured subprocess gets 80 unless told).
    """
    out, err = io.StringIO(), io.StringIO()
    program = Program(name="Invoke", binary="inv[oke]", version=invoke.__version__)
    code = 0
    with (
        mock.patch.dict(os.environ, {"COLUMNS": str(columns), **(env or {})}),
        contextlib.chdir(REPO),
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
    return Ran(code, out.getvalue(), err.getvalue())
