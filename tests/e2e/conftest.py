"""The journeys run the real `invoke` over the real Pulumi CLI: without the CLI they are skipped, except in CI.

A contributor without a Pulumi CLI sees one line saying why; in CI (`CI=true`), where `.ci/run`
puts the CLI on PATH, a missing CLI is a failure, never a silent skip.
"""

from __future__ import annotations

import fcntl
import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.e2e.harness import Sandbox, pulumi_cli

_SKIP_REASON = (
    "the end-to-end journeys need the Pulumi CLI on PATH (https://www.pulumi.com/docs/install/); CI runs them with it"
)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark every journey `e2e`; skip them all, with one reason, when there is no CLI outside CI."""
    here = Path(__file__).parent
    journeys = [item for item in items if Path(str(item.fspath)).is_relative_to(here)]
    for item in journeys:
        item.add_marker(pytest.mark.e2e)
    # Journeys that start from their own sandbox go first: while one test worker runs the longest
    # of them, the other builds the deployed dev the remaining journeys copy.
    first = [item for item in journeys if "deployed_dev" not in getattr(item, "fixturenames", ())]
    if first:
        rest = [item for item in items if item not in first]
        items[:] = first + rest
    if pulumi_cli() is None and os.environ.get("CI", "").lower() != "true":
        for item in journeys:
            item.add_marker(pytest.mark.skip(reason=_SKIP_REASON))


@pytest.fixture(scope="session")
def pulumi_on_path() -> str:
    """The CLI; in CI its absence fails the journey instead of skipping it."""
    found = pulumi_cli()
    if found is None:
        pytest.fail(f"CI=true but no Pulumi CLI on PATH: {_SKIP_REASON}")
    return found


MakeSandbox = Callable[..., Sandbox]


@pytest.fixture(scope="session")
def _dev_deployed_once(pulumi_on_path: str, tmp_path_factory: pytest.TempPathFactory) -> Sandbox:
    # Most journeys start where a team is after its first day: dev deployed by `deploy-all`. That
    # costs a whole first deploy, so the run makes it once, in a folder every test worker of the
    # run shares (the first to get there builds it under a lock), and each such journey works on a
    # copy (files and a moto of its own), leaving this one as it was.
    base = tmp_path_factory.getbasetemp()
    shared = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    home = shared / "dev-deployed"
    with open(shared / "dev-deployed.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (home / "sandbox.json").exists():
            if home.exists():
                shutil.rmtree(home)  # a build that failed half-way
            sandbox = Sandbox.create(home)
            try:
                sandbox.seed_account("dev")
                sandbox.delegate("dev")
                first = sandbox.invoke("deploy-all", "--env", "dev")
                assert first.returncode == 0, first
            finally:
                sandbox.stop()
            sandbox.save()
    return Sandbox.load(home)


@pytest.fixture
def deployed_dev(_dev_deployed_once: Sandbox, tmp_path: Path) -> Iterator[Sandbox]:
    """A copy of dev as `deploy-all` left it (see `_dev_deployed_once`), for this journey alone."""
    sandbox = _dev_deployed_once.clone(tmp_path / "dev")
    yield sandbox
    sandbox.stop()


@pytest.fixture
def make_sandbox(pulumi_on_path: str, tmp_path: Path) -> Iterator[MakeSandbox]:
    """A factory of sandboxes (`tests.e2e.harness.Sandbox`) under the test's folder; each is stopped after."""
    made: list[Sandbox] = []

    def make(name: str = "sandbox", **options: object) -> Sandbox:
        sandbox = Sandbox.create(tmp_path / name, **options)  # type: ignore[arg-type]
        made.append(sandbox)
        return sandbox

    yield make
    for sandbox in made:
        sandbox.stop()
