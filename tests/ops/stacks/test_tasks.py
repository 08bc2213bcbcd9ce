"""The tasks end to end over the fake engine: preflight first, the summary, the exit status."""

from __future__ import annotations

import json

import pytest
from invoke.context import Context
from invoke.exceptions import Exit

from ops.cli import stacks as tasks_stacks
from ops.stacks.preflight import PreflightReport
from tests.ops.stacks.fake_engine import FakeEngine, all_deployed


@pytest.fixture
def engine(monkeypatch: pytest.MonkeyPatch) -> FakeEngine:
    """The tasks drive a fake engine and preflight passes."""
    fake = FakeEngine()
    monkeypatch.setattr(tasks_stacks, "_engine", lambda **_: fake)
    monkeypatch.setattr(tasks_stacks, "run_preflight", lambda *a, **k: PreflightReport(()))
    return fake


def test_deploy_all_prints_the_summary_and_fails_when_a_layer_fails(
    engine: FakeEngine, capsys: pytest.CaptureFixture[str]
) -> None:
    engine.fail = {("up", "edge")}
    with pytest.raises(Exit) as e:
        tasks_stacks.deploy_all(Context(), env="dev")
    assert e.value.code == 1
    assert e.value.message == ("deploy of dev incomplete (failed: edge; not done: compute): see the table above")
    out = capsys.readouterr().out
    assert "Deploy of dev" in out and "upstream edge failed" in out
    assert sorted(c.layer for c in engine.of("up")) == ["data", "edge", "network"]


def test_deploy_all_succeeds_quietly_with_exit_zero(engine: FakeEngine, capsys: pytest.CaptureFixture[str]) -> None:
    tasks_stacks.deploy_all(Context(), env="dev")
    assert len(engine.of("up")) == 4
    assert "deployed" in capsys.readouterr().out


def test_failed_preflight_changes_nothing(
    engine: FakeEngine, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    problems = ("Pulumi CLI: not found on PATH: install it", "compute:image = 'x': not in ECR")
    monkeypatch.setattr(tasks_stacks, "run_preflight", lambda *a, **k: PreflightReport(problems))
    with pytest.raises(Exit, match=r"preflight found 2 problem\(s\) above; nothing was changed"):
        tasks_stacks.deploy(Context(), layer="compute", env="dev")
    out = capsys.readouterr().out
    assert "Pulumi CLI: not found on PATH" in out and "not in ECR" in out
    assert engine.calls == []


def test_prod_destroy_all_with_yes_and_confirm_tears_down_in_reverse(engine: FakeEngine) -> None:
    engine.stacks.update(all_deployed("prod"))
    tasks_stacks.destroy_all(Context(), env="prod", yes=True, confirm="prod")
    order = sorted(engine.of("destroy"), key=lambda c: c.start)
    assert order[0].layer == "compute" and order[-1].layer == "network"
    assert all(c.detail["remove"] is False for c in order)  # prod's stacks (and history) stay


def test_prod_destroy_all_without_confirmation_touches_nothing(engine: FakeEngine) -> None:
    engine.stacks.update(all_deployed("prod"))
    with pytest.raises(Exit, match="refusing to destroy 'prod'"):
        tasks_stacks.destroy_all(Context(), env="prod", yes=True)
    assert engine.calls == []


def test_outputs_json_prints_merged_outputs_with_secrets_masked(
    engine: FakeEngine, capsys: pytest.CaptureFixture[str]
) -> None:
    engine.stacks.update({("network", "dev"): 3, ("edge", "dev"): 3})
    tasks_stacks.outputs(Context(), env="dev", json=True)
    assert json.loads(capsys.readouterr().out) == {
        "edge_id": "edge-dev-id",
        "edge_token": "[secret]",
        "network_id": "network-dev-id",
        "network_token": "[secret]",
    }


def test_status_lists_each_layers_stack(
    engine: FakeEngine, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from ops.stacks.backend import Backend

    engine.backend = Backend("file:///state")  # type: ignore[attr-defined]
    engine.stacks.update({("network", "dev"): 41, ("data", "dev"): 0})
    monkeypatch.setattr(tasks_stacks.console, "width", 200)
    tasks_stacks.status(Context(), env="dev")
    rows = {ln.split()[1]: ln.split("│")[2:4] for ln in capsys.readouterr().out.splitlines() if ln.startswith("│ ")}
    assert {k: [c.strip() for c in v] for k, v in rows.items()} == {
        "network": ["exists", "41"],
        "data": ["exists", "0"],
        "edge": ["absent", "-"],
        "compute": ["absent", "-"],
    }


def test_preview_of_a_new_environment_reports_upstream_not_deployed_and_exits_zero(
    engine: FakeEngine, capsys: pytest.CaptureFixture[str]
) -> None:
    tasks_stacks.preview(Context(), env="dev")
    out = capsys.readouterr().out
    assert out.count("upstream not deployed") >= 3 and "invoke plan --env dev" in out
    assert [c.layer for c in engine.of("preview")] == ["network"]


def test_preview_with_a_failed_layer_exits_non_zero(engine: FakeEngine) -> None:
    engine.fail = {("preview", "network")}
    with pytest.raises(Exit, match=r"preview of dev incomplete \(failed: network; not done: data, edge, compute\)"):
        tasks_stacks.preview(Context(), env="dev")
