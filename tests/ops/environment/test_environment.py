"""Mistakes that span a project's stack file or several projects: each named in one line, all at once."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from invoke.exceptions import Exit

from ops.cli.common import check_env
from ops.environment.environment import Environment, EnvironmentProblems
from ops.environment.stack_files import PROJECTS_DIR
from shared.layers import LAYER_NAMES


@pytest.fixture
def projects(tmp_path: Path) -> Path:
    """A copy of the real projects (programs, Pulumi.yaml, prod and dev stack files) to break."""
    root = tmp_path / "projects"
    for layer in LAYER_NAMES:
        (root / layer).mkdir(parents=True)
        for name in ("__main__.py", "Pulumi.yaml", "Pulumi.prod.yaml", "Pulumi.dev.yaml"):
            shutil.copy(PROJECTS_DIR / layer / name, root / layer / name)
    return root


def _append(projects: Path, layer: str, env: str, text: str) -> None:
    path = projects / layer / f"Pulumi.{env}.yaml"
    path.write_text(path.read_text().rstrip("\n") + "\n" + text + "\n")


def _problems(projects: Path, env: str) -> tuple[str, ...]:
    with pytest.raises(EnvironmentProblems) as e:
        Environment.load(env, projects)
    return e.value.problems


def test_the_real_environments_load_cleanly():
    for env in ("prod", "dev"):
        loaded = Environment.load(env)
        assert loaded.layers == LAYER_NAMES and loaded.protected is (env == "prod")
        assert loaded.value("network:service") == "payments"


@pytest.mark.parametrize(
    ("layer", "line", "expected"),
    [
        (
            "data",
            "  edge:domainName: api.example.com",
            "projects/data/Pulumi.dev.yaml: edge:domainName belongs to the edge project: "
            "move it to projects/edge/Pulumi.dev.yaml",
        ),
        (
            "compute",
            "  network:vpcCidr: 10.1.0.0/16",
            "projects/compute/Pulumi.dev.yaml: network:vpcCidr belongs to the network project: "
            "move it to projects/network/Pulumi.dev.yaml",
        ),
        (
            "edge",
            "  egde:wafRateLimit: 100",
            "projects/edge/Pulumi.dev.yaml: egde:wafRateLimit is in namespace 'egde', which no project reads "
            "(did you mean edge:wafRateLimit?)",
        ),
        (
            "network",
            "  aws:regoin: ap-northeast-2",
            "projects/network/Pulumi.dev.yaml: aws:regoin is not read by any program (did you mean aws:region?)",
        ),
        (
            "data",
            "  billing:owner: team-a",
            "projects/data/Pulumi.dev.yaml: billing:owner is in namespace 'billing', which no project reads; "
            "expected data:<key> or aws:region",
        ),
    ],
)
def test_a_key_no_program_reads_is_named_with_its_file_and_where_it_belongs(projects, layer, line, expected):
    _append(projects, layer, "dev", line)
    assert _problems(projects, "dev") == (expected,)


def test_a_key_given_twice_in_one_stack_file_is_refused_with_both_lines(projects):
    path = projects / "compute" / "Pulumi.dev.yaml"
    lines = path.read_text().rstrip("\n").splitlines()
    first = next(i for i, text in enumerate(lines) if text.strip().startswith("compute:"))
    key = (
        lines[first].strip().rsplit(":", 1)[0]
        if lines[first].strip().endswith(":")
        else ":".join(lines[first].strip().split(":")[:2])
    )
    _append(projects, "compute", "dev", lines[first])
    [problem] = _problems(projects, "dev")
    assert problem == (
        f"projects/compute/Pulumi.dev.yaml: {key} is given twice (lines {first + 1} and {len(lines) + 1}): keep one"
    )


def test_a_stack_file_missing_in_one_project_names_that_project(projects):
    (projects / "edge" / "Pulumi.dev.yaml").unlink()
    assert _problems(projects, "dev") == (
        "projects/edge/Pulumi.dev.yaml is missing (the dev environment has stack files in network, data, compute): "
        "create it, e.g. with `aws:region` and the layer's settings",
    )


def test_layers_naming_different_services_are_refused(projects):
    _append(projects, "data", "dev", "  data:service: billing")
    assert _problems(projects, "dev") == (
        "the layers name different services (network:service = 'payments', data:service = 'billing', "
        "edge:service = 'payments', compute:service = 'payments'): expected one service name in every layer",
    )


def test_every_problem_of_every_file_comes_at_once(projects):
    _append(projects, "data", "dev", "  edge:domainName: api.example.com\n  aws:regoin: x")
    (projects / "compute" / "Pulumi.dev.yaml").unlink()
    problems = _problems(projects, "dev")
    assert len(problems) == 3
    assert problems[0].startswith("projects/compute/Pulumi.dev.yaml is missing")
    assert {p.split(": ")[1].split(" ")[0] for p in problems[1:]} == {"edge:domainName", "aws:regoin"}


@pytest.mark.parametrize("env", ["staging", "Prod", "x"])
def test_every_task_refuses_an_environment_it_cannot_load_in_one_line_before_anything_runs(projects, env):
    before = sorted(p.relative_to(projects) for p in projects.rglob("*"))
    with pytest.raises(Exit) as e:
        check_env(env, projects)
    assert e.value.code == 2 and "\n" not in str(e.value.message)
    assert repr(env) in str(e.value.message)
    assert sorted(p.relative_to(projects) for p in projects.rglob("*")) == before
