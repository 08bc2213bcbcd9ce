"""The README starts with the two newcomer commands, and CI runs the second one."""

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def readme_commands() -> list[str]:
    text = (REPO / "README.md").read_text()
    return re.findall(r"```bash\n(.+?)\n```", text)[:2]


def test_readme_opens_with_exactly_two_commands():
    text = (REPO / "README.md").read_text()
    head = text.split("The first command", 1)[0]
    assert head.count("```bash") == 2
    install_plan, install_test = readme_commands()
    assert install_plan.endswith("invoke plan --env prod")
    assert install_test.endswith("pytest")
    assert "pip install -e" in install_plan and "pip install -e '.[test]'" in install_test


def test_ci_runs_the_readme_test_command_verbatim():
    ci = (REPO / ".ci" / "run").read_text()
    assert readme_commands()[1] in ci.splitlines()


def test_projects_use_the_virtualenv_the_readme_creates():
    assert readme_commands()[0].startswith("python3 -m venv .venv ")


def test_every_dependency_is_pinned_exactly():
    import tomllib

    project = tomllib.loads((REPO / "pyproject.toml").read_text())
    deps = [*project["project"]["dependencies"], *project["project"]["optional-dependencies"]["test"]]
    deps += project["build-system"]["requires"]
    assert deps and all(re.fullmatch(r"[A-Za-z0-9_.\-\[\]]+==[0-9][0-9A-Za-z.]*", d) for d in deps), deps
