"""`invoke cost`: the tables, --compare, --json and its failures, called in-process over cached plans."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from invoke.context import Context
from invoke.exceptions import Exit
from rich.console import Console

from ops.cli.cost import cost
from ops.cost import estimate
from ops.cost.report import total_line
from ops.plan.report import print_plan
from tests.cli import run_invoke

REPO = Path(__file__).resolve().parents[3]


@pytest.fixture
def cached_plans(monkeypatch, platform_plan):
    """The task plans through the session's cached plans instead of planning again."""
    monkeypatch.setattr("ops.plan.platform.plan_platform", lambda environment, **_: platform_plan(environment.name))


@pytest.fixture
def wide(monkeypatch):
    """A console wide enough that no figure wraps."""
    monkeypatch.setattr("ops.cli.common.console", Console(width=200, force_terminal=False))


def test_cost_prints_each_layer_the_total_and_the_assumptions(cached_plans, wide, capsys, platform_plan):
    cost(Context(), env="prod")
    out = capsys.readouterr().out
    for layer in ("network", "data", "edge", "compute"):
        assert f"{layer} subtotal" in out
    assert total_line(estimate(platform_plan("prod"))) in out
    assert "nat-payments-ap-northeast-2c-prod" in out and "NAT gateway: 730 h x $0.059/h" in out
    assert "requests_per_month" in out and "30,000,000" in out


def test_json_has_env_total_layers_resources_and_assumptions(cached_plans, tmp_path, platform_plan):
    out = tmp_path / "cost.json"
    cost(Context(), env="dev", json=str(out))
    data = json.loads(out.read_text())
    assert set(data) == {"env", "total_monthly_usd", "layers", "resources", "assumptions", "not_priced", "prices"}
    est = estimate(platform_plan("dev"))
    assert data["env"] == "dev" and data["total_monthly_usd"] == round(est.total, 2)
    assert list(data["layers"]) == ["network", "data", "edge", "compute"]
    assert sum(data["layers"].values()) == pytest.approx(data["total_monthly_usd"], abs=0.02)
    nat = next(r for r in data["resources"] if r["resource"] == "nat-payments-ap-northeast-2a-dev")
    assert nat["type"] == "aws:ec2/natGateway:NatGateway" and nat["status"] == "priced"
    assert nat["charges"][1] == {
        "item": "data processed: 20 GB x $0.059/GB",
        "monthly_usd": round(20 * 0.059, 6),
        "assumptions": ["nat_gb_per_month"],
    }
    assert data["assumptions"]["nat_gb_per_month"] == 20
    assert data["not_priced"] == []


def test_compare_shows_both_environments_per_layer_with_the_difference(cached_plans, wide, capsys, platform_plan):
    cost(Context(), env="prod", compare="dev")
    out = capsys.readouterr().out
    prod, dev = estimate(platform_plan("prod")), estimate(platform_plan("dev"))
    diff = prod.by_layer()["network"] - dev.by_layer()["network"]
    assert "prod - dev" in out
    assert f"+${diff:,.2f}" in out
    assert f"+${prod.total - dev.total:,.2f}" in out


def test_an_unknown_environment_is_one_line(cached_plans):
    with pytest.raises(Exit) as e:
        cost(Context(), env="staging")
    assert e.value.code == 2
    assert str(e.value.message).startswith("unknown environment 'staging': expected one of dev, prod")
    assert "\n" not in str(e.value.message)


def test_an_unknown_compare_environment_is_one_line(cached_plans):
    with pytest.raises(Exit) as e:
        cost(Context(), env="prod", compare="qa")
    assert e.value.code == 2 and "unknown environment 'qa'" in str(e.value.message)


def test_an_unwritable_json_path_is_one_line_and_exit_1_before_planning(tmp_path, monkeypatch):
    monkeypatch.setattr("ops.plan.platform.plan_platform", lambda env, **_: pytest.fail("planned anyway"))
    with pytest.raises(Exit) as e:
        cost(Context(), env="prod", json=str(tmp_path))
    assert e.value.code == 1
    assert e.value.message == (
        f"--json {str(tmp_path)!r} cannot be written (it is a folder): expected a file path in a writable folder"
    )


def test_a_json_path_that_fails_only_when_written_is_still_one_line(cached_plans, tmp_path, monkeypatch):
    def refused(*_args):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr("ops.cost.report.write_json", refused)
    with pytest.raises(Exit) as e:
        cost(Context(), env="prod", json=str(tmp_path / "cost.json"))
    assert (e.value.code, e.value.message) == (
        1,
        f"cannot write the estimate to {tmp_path / 'cost.json'}: Permission denied",
    )


def test_unwritable_json_from_the_command_line_exits_1_without_a_traceback(tmp_path):
    target = tmp_path / "no" / "such" / "dir" / "cost.json"
    result = run_invoke("cost", "--env", "prod", "--json", str(target))
    assert result.returncode == 1
    assert result.stderr.strip() == (
        f"--json {str(target)!r} cannot be written (folder {target.parent} does not exist): "
        "expected a file path in a writable folder"
    )


def test_plan_summary_shows_each_layers_monthly_estimate(platform_plan):
    plan = platform_plan("prod")
    console = Console(width=200, record=True)
    print_plan(plan, console)
    text = console.export_text()
    summary = text[text.index("summary") :]
    for layer, usd in estimate(plan).by_layer().items():
        assert f"${usd:,.2f}" in summary, layer


def test_readme_quotes_prods_monthly_total_as_the_tool_prints_it(platform_plan):
    assert total_line(estimate(platform_plan("prod"))) in (REPO / "README.md").read_text()


def test_the_task_module_imports_neither_rich_nor_the_engine_until_the_task_runs():
    probe = "import sys, ops.cli.cost; print(sorted(m for m in ('rich', 'pulumi', 'boto3') if m in sys.modules))"
    result = subprocess.run([sys.executable, "-c", probe], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert result.stdout.strip() == "[]", result.stderr


def test_a_broken_price_table_stops_the_task_with_its_one_line(cached_plans, monkeypatch):
    from ops.cost import pricing
    from ops.cost.prices import PriceTableError

    def broken():
        raise PriceTableError("prices.yaml: prices.alb_hour = (missing): field required")

    monkeypatch.setattr(pricing, "load_prices", broken)
    with pytest.raises(Exit) as e:
        cost(Context(), env="prod")
    assert (e.value.code, e.value.message) == (1, "prices.yaml: prices.alb_hour = (missing): field required")


def test_a_plan_that_fails_is_not_priced_and_exits_1(monkeypatch, capsys):
    from ops.plan.platform import LayerPlan, PlatformPlan

    failed = PlatformPlan("dev", [LayerPlan("network", "failed", error="network:natGateways = 'x' is invalid")])
    monkeypatch.setattr("ops.plan.platform.plan_platform", lambda env, **_: failed)
    with pytest.raises(Exit) as e:
        cost(Context(), env="dev")
    assert e.value.code == 1 and "cannot be priced" in str(e.value.message)
    assert "network: failed: network:natGateways = 'x' is invalid" in capsys.readouterr().out
