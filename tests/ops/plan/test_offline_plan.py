"""`invoke plan`: the real programs, in graph order, wired together, with no network."""

import json
import socket
from pathlib import Path

import pytest

from ops.environment.environment import Environment
from ops.plan.platform import plan_platform
from shared.contracts.network import NetworkContract
from shared.layers import LAYER_NAMES, deploy_order, get_layer
from shared.plan_values import is_computed
from tests.cli import run_invoke

REPO = Path(__file__).resolve().parents[3]


@pytest.fixture
def no_network(monkeypatch):
    """Any socket connection during the plan fails the test."""

    def refuse(self, address):
        raise AssertionError(f"the offline plan tried to connect to {address}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", lambda *a, **k: refuse(None, a))


def test_plan_runs_every_built_layer_in_graph_order_without_network(no_network):
    plan = plan_platform(Environment.load("prod"))
    assert [lp.layer for lp in plan.layers] == deploy_order()
    assert plan.layer("network").status == "planned"
    assert plan.ok


def test_json_plan_lists_every_resource_with_all_inputs_and_exports(tmp_path):
    out = tmp_path / "plan.json"
    result = run_invoke("plan", "--env", "prod", "--json", str(out))
    assert result.returncode == 0, result.stderr
    data = json.loads(out.read_text())
    assert data["env"] == "prod"
    network = next(layer for layer in data["layers"] if layer["layer"] == "network")
    nats = [r for r in network["resources"] if r["type"] == "aws:ec2/natGateway:NatGateway"]
    assert [n["name"] for n in nats] == ["nat-payments-ap-northeast-2a-prod", "nat-payments-ap-northeast-2c-prod"]
    vpc = next(r for r in network["resources"] if r["type"] == "aws:ec2/vpc:Vpc")
    assert vpc["inputs"]["cidrBlock"] == "10.10.0.0/16" and vpc["inputs"]["tags"]["Environment"] == "production"
    assert set(network["exports"]) == set(NetworkContract.names())
    assert is_computed(network["exports"]["vpc_id"])
    assert "nat-payments-ap-northeast-2c-prod" in result.stdout
    assert "known after apply" in result.stdout


def test_dev_plan_has_a_single_nat():
    network = plan_platform(Environment.load("dev"), layers=["network"]).layer("network")
    assert [n.name for n in network.by_type("aws:ec2/natGateway:NatGateway")] == ["nat-payments-ap-northeast-2a-dev"]


def test_a_bad_setting_fails_its_layer_skips_dependents_and_exits_non_zero():
    plan = plan_platform(Environment.load("prod"), config_overrides={"network": {"network:vpcCidr": "10.0.0.0/33"}})
    assert plan.layer("network").status == "failed"
    assert plan.layer("network").error.startswith("network:vpcCidr = '10.0.0.0/33' is invalid")
    for name in LAYER_NAMES[1:]:
        assert plan.layer(name).status == "skipped"
    assert not plan.ok


def test_unknown_environment_is_one_line_and_exit_2():
    result = run_invoke("plan", "--env", "staging")
    assert result.returncode == 2
    assert "unknown environment 'staging': expected one of dev, prod" in result.stderr
    assert "Traceback" not in result.stderr


def test_unknown_layer_is_refused():
    result = run_invoke("plan", "--env", "prod", "--layer", "db")
    assert result.returncode == 2
    assert "unknown layer 'db': expected one of network, data, edge, compute" in result.stderr


@pytest.mark.parametrize("env", ["prod", "dev"])
def test_each_layer_references_exactly_its_upstream_stacks(platform_plan, env):
    plan = platform_plan(env)
    for lp in plan.layers:
        if lp.status != "planned":
            continue
        refs = {r.inputs["name"] for r in lp.by_type("pulumi:pulumi:StackReference")}
        assert refs == {f"organization/{dep}/{env}" for dep in get_layer(lp.layer).depends_on}, lp.layer


def test_stack_references_use_the_current_organization_not_a_constant(monkeypatch):
    from ops.plan import mock_engine

    monkeypatch.setattr(mock_engine, "ORGANIZATION", "acme-payments")
    compute = plan_platform(Environment.load("prod")).layer("compute")
    refs = {r.inputs["name"] for r in compute.by_type("pulumi:pulumi:StackReference")}
    assert refs == {"acme-payments/network/prod", "acme-payments/data/prod", "acme-payments/edge/prod"}
