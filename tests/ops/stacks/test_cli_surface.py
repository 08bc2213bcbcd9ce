"""The command line: every task listed with help, bad input ends in one line and a non-zero exit."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from ops.cli import stacks as tasks_stacks
from tests.cli import run_invoke, task_arguments

REPO = Path(__file__).resolve().parents[3]
INVOKE = str(Path(sys.executable).parent / "invoke")
STACK_TASKS = ("deploy", "deploy-all", "preview", "destroy", "destroy-all", "outputs", "status", "cancel")


def test_invoke_list_shows_every_stack_task() -> None:
    # The installed console script itself, once; the other tests run the same program in-process.
    result = subprocess.run([INVOKE, "--list"], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    listed = {line.split()[0] for line in result.stdout.splitlines() if line.startswith("  ")}
    assert set(STACK_TASKS) <= listed


@pytest.mark.parametrize("name", [n.replace("-", "_") for n in STACK_TASKS])
def test_every_task_has_a_docstring_and_help_for_every_option(name: str) -> None:
    t = getattr(tasks_stacks, name)
    assert t.__doc__ and t.__doc__.strip()
    arguments = task_arguments(t)
    assert arguments
    assert [a.name for a in arguments if not (a.help or "").strip()] == []


def test_help_describes_the_from_option() -> None:
    result = run_invoke("--help", "deploy-all")
    assert result.returncode == 0, result.stderr
    assert "--from=STRING" in result.stdout and "ephemeral environment" in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ("deploy", "--layer", "cache", "--env", "dev"),
            "unknown layer 'cache': expected one of network, data, edge, compute",
        ),
        (("deploy", "--layer", "data", "--env", "staging"), "unknown environment 'staging': expected one of"),
        (("preview", "--layer", "dns"), "unknown layer 'dns'"),
        (("destroy", "--layer", "data", "--env", "qa"), "unknown environment 'qa'"),
        (("status", "--env", "nope"), "unknown environment 'nope'"),
        (("destroy-all", "--env", "prod"), "refusing to destroy 'prod' without --yes: pass --yes --confirm prod"),
        (("destroy-all", "--env", "prod", "--yes", "--confirm", "dev"), "the environment name was not confirmed"),
    ],
)
def test_bad_input_exits_non_zero_with_one_line(args: tuple[str, ...], message: str) -> None:
    result = run_invoke(*args)
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = [ln for ln in result.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and message in lines[0], result.stderr


def test_from_with_an_invalid_name_is_one_line_and_writes_nothing() -> None:
    result = run_invoke("deploy-all", "--env", "PR-1", "--from", "dev")
    assert result.returncode == 2
    assert result.stderr.strip().startswith("environment name 'PR-1' is invalid")
    assert not list(REPO.glob("projects/*/Pulumi.PR-1.yaml"))


@pytest.mark.parametrize("task", ["deploy", "deploy-all", "destroy", "destroy-all", "cancel"])
def test_task_help_works_after_the_task_name(task):
    result = run_invoke(task, "--help")
    assert result.returncode == 0, result.stderr
    assert "--env" in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["deploy", "--env", "dev"], "--layer is required: expected one of network, data, edge, compute"),
        (["deploy", "--layer", "data"], "--env is required: expected one of dev, prod"),
        (["deploy-all"], "--env is required: expected one of dev, prod"),
        (["destroy-all"], "--env is required: expected one of dev, prod"),
    ],
)
def test_a_missing_required_option_is_one_line(args, message):
    result = run_invoke(*args)
    assert result.returncode == 2
    assert result.stderr.strip() == message
