"""The KMS key alias the workflows and the docs tell a user to set is the one `invoke bootstrap` creates and prints.

One definition, `ops.bootstrap.state_backend.backend_names`, makes the alias and the
`awskms://` URL bootstrap prints; every such URL written in the workflows and the docs must be
that function's answer for the environment named beside it.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ops.bootstrap.state_backend import backend_names
from ops.environment.environment import Environment

ROOT = Path(__file__).resolve().parents[2]
URL = re.compile(r"awskms://[^\s'\"`),]+")
BOOTSTRAP = re.compile(r"invoke bootstrap --env (\w+)")
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def printed_by_bootstrap(env: str) -> str:
    """The secrets provider `invoke bootstrap --env ENV` prints (the account is not part of it)."""
    environment = Environment.load(env)
    return backend_names(
        service=environment.service, env=env, account_id="123456789012", region=environment.region
    ).secrets_provider


def urls(path: Path) -> list[tuple[str, str]]:
    """(URL, the text around it) for every concrete awskms:// URL in the file (not `awskms://...`)."""
    text = path.read_text()
    return [(m[0], text[max(0, m.start() - 300) : m.end() + 300]) for m in URL.finditer(text) if "..." not in m[0]]


@pytest.mark.parametrize("workflow", WORKFLOWS, ids=lambda p: p.name)
def test_each_workflow_names_the_key_bootstrap_prints_for_the_environment_it_runs(workflow):
    named = urls(workflow)
    text = workflow.read_text()
    runs = set(re.findall(r"--(?:env|from) (\w+)", text))
    assert named, f"{workflow.name} does not say which key PAYMENTS_SECRETS_PROVIDER names"
    for url, around in named:
        (env,) = set(BOOTSTRAP.findall(around))  # the environment named beside it
        assert env in runs or f"{env} stacks" in text, (workflow.name, env)
        assert url == printed_by_bootstrap(env), workflow.name


def test_the_docs_name_only_keys_bootstrap_prints():
    printed = {printed_by_bootstrap(env) for env in ("prod", "dev")}
    named = [(path.name, url) for path in DOCS for url, _ in urls(path)]
    assert named, "the docs show the secrets provider to export"
    assert [(name, url) for name, url in named if url not in printed] == []


def test_the_alias_changes_with_the_environment_and_service():
    prod = backend_names(service="payments", env="prod", account_id="1", region="ap-northeast-2")
    assert prod.key_alias == "alias/pulumi-payments-prod"
    assert prod.secrets_provider == "awskms://alias/pulumi-payments-prod?region=ap-northeast-2"
