"""`invoke verify` as a user runs it: exports from `invoke outputs --json`, AWS in moto, exit codes."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from ops.verify.checks import all_checks, check_names
from ops.verify.exports import VerifyInputError, exports_from_json, exports_from_stacks, require_exports
from ops.verify.https import parse_connect_to
from shared.contracts.compute import ComputeContract
from shared.contracts.data import DataContract
from shared.contracts.edge import EdgeContract
from shared.contracts.network import NetworkContract
from tests.cli import Ran, run_invoke, task_arguments
from tests.ops.verify.verify_helpers import ENV, FAKE_CREDENTIALS

REPO = Path(__file__).resolve().parents[3]


def run_verify(*args: str) -> Ran:
    return run_invoke("verify", "--env", ENV, *args, env=FAKE_CREDENTIALS, columns=200)


@pytest.fixture
def verify_args(tmp_path, https_service):
    """Everything but the exports and the moto endpoint holding them: the test CA, the local service's address."""

    def args(exports: dict[str, Any], endpoint: str) -> list[str]:
        outputs = tmp_path / "outputs.json"
        outputs.write_text(json.dumps(exports, indent=2, sort_keys=True))  # as `invoke outputs --json` prints
        return [
            "--outputs-json",
            str(outputs),
            "--endpoint-url",
            endpoint,
            "--ca-bundle",
            str(https_service.ca_bundle),
            "--connect-to",
            https_service.connect_to,
        ]

    return args


def test_cli_prints_a_pass_line_per_check_and_exits_zero(deployed, verify_args):
    result = run_verify(*verify_args(deployed.exports, deployed.endpoint))

    assert result.returncode == 0, result.stdout + result.stderr
    lines = [ln for ln in result.stdout.splitlines() if ln.startswith(("PASS", "FAIL"))]
    assert [ln.split()[1] for ln in lines] == list(check_names())
    assert all(ln.startswith("PASS") for ln in lines)
    assert "all 11 checks passed" in result.stdout


def test_cli_exits_one_and_names_the_failed_check(seed_platform, moto_endpoint, verify_args):
    result = run_verify(*verify_args(seed_platform(multi_az=False, retention=30), moto_endpoint))

    assert result.returncode == 1
    fails = [ln for ln in result.stdout.splitlines() if ln.startswith("FAIL")]
    assert [ln.split()[1] for ln in fails] == ["database", "log-group"]
    assert "2 of 11 checks failed: database, log-group" in result.stderr


def test_cli_runs_only_the_chosen_checks(seed_platform, moto_endpoint, verify_args):
    result = run_verify(*verify_args(seed_platform(multi_az=False), moto_endpoint), "--only", "ecs-service,log-group")

    assert result.returncode == 0, result.stdout + result.stderr
    assert [ln.split()[1] for ln in result.stdout.splitlines() if ln.startswith("PASS")] == ["ecs-service", "log-group"]


def test_cli_grace_minutes_is_how_long_a_new_alarm_may_lack_data(deployed, verify_args):
    within = run_verify(*verify_args(deployed.exports, deployed.endpoint), "--only", "alarms")
    past = run_verify(*verify_args(deployed.exports, deployed.endpoint), "--only", "alarms", "--grace-minutes", "0")

    # The seeded alarms have no data yet: fine for 30 minutes after a deploy, not beyond the grace given.
    assert within.returncode == 0, within.stdout + within.stderr
    assert "none in INSUFFICIENT_DATA beyond 30 min" in within.stdout
    assert past.returncode == 1
    assert "FAIL  alarms" in past.stdout
    assert "in INSUFFICIENT_DATA for more than 0 min (no such metric?): alarm-payments-" in past.stdout


def test_cli_rejects_an_unknown_check_before_calling_aws(tmp_path):
    result = run_verify("--outputs-json", str(tmp_path / "none.json"), "--only", "dns")

    assert result.returncode == 2
    assert (
        "unknown check dns: expected some of alarms, audit-archive, audit-subscriptions, database, target-health, "
        "https-listener, dns-alias" in result.stderr
    )


def test_cli_names_the_missing_exports(tmp_path):
    outputs = tmp_path / "outputs.json"
    outputs.write_text(json.dumps({"cluster_name": "ecs-payments-verify"}))

    result = run_verify("--outputs-json", str(outputs))

    assert result.returncode == 2
    assert (
        "the exports lack alb_dns_name, audit_archive_stream_arn, certificate_arn, db_instance_identifier, "
        "db_kms_key_arn, db_log_group_name, flow_log_group_name, hosted_zone_id" in result.stderr
    )
    assert "Traceback" not in result.stderr


def test_cli_rejects_a_malformed_connect_to(tmp_path):
    result = run_verify("--outputs-json", str(tmp_path / "x.json"), "--connect-to", "127.0.0.1")

    assert result.returncode == 2
    assert "--connect-to '127.0.0.1' is invalid: expected HOST:PORT" in result.stderr


# Reading the exports -----------------------------------------------------------------------------


def contract_exports() -> dict[str, Any]:
    names = NetworkContract.names() + DataContract.names() + EdgeContract.names() + ComputeContract.names()
    return {name: f"value-of-{name}" for name in names} | {"service_url": "https://api.payments.example.com"}


def test_verify_needs_only_names_the_contracts_export():
    # A rename in a contract must break this test, not a verify run after a deploy.
    needed = {n for check in all_checks() for n in check.needs}
    contracts = (NetworkContract, DataContract, EdgeContract, ComputeContract)
    assert needed and needed <= {n for contract in contracts for n in contract.names()}


def test_the_seeded_platform_exports_every_contract_name(deployed):
    # So the verify tests see what a deployed platform exports, no more and no fewer.
    contracts = (NetworkContract, DataContract, EdgeContract, ComputeContract)
    assert sorted(deployed.exports) == sorted(n for contract in contracts for n in contract.names())


def test_exports_json_may_be_flat_or_per_layer(tmp_path):
    flat, per_layer = tmp_path / "flat.json", tmp_path / "layers.json"
    exports = contract_exports()
    flat.write_text(json.dumps(exports))
    per_layer.write_text(
        json.dumps(
            {
                "network": {n: exports[n] for n in NetworkContract.names()},
                "data": {n: exports[n] for n in DataContract.names()},
                "edge": {n: {"value": exports[n], "secret": False} for n in EdgeContract.names()},
                "compute": {n: exports[n] for n in ComputeContract.names()},
            }
        )
    )

    assert exports_from_json(flat) == exports
    assert exports_from_json(per_layer) == exports
    assert require_exports(exports, ["service_url"])["service_url"] == "https://api.payments.example.com"


def test_a_missing_exports_file_says_how_to_write_one(tmp_path):
    with pytest.raises(VerifyInputError, match=r"does not exist: write it with `invoke outputs --env <env> --json`"):
        exports_from_json(tmp_path / "missing.json")


@dataclass(frozen=True)
class Wrapped:
    """Shaped like the Automation API's output value: `.value` and `.secret`."""

    value: Any
    secret: bool = False


class RecordingStacks:
    """An `OutputsSource` that answers from a dict and records which stacks were asked."""

    def __init__(self, per_layer: dict[str, dict[str, Any]]) -> None:
        self.per_layer = per_layer
        self.asked: list[tuple[str, str]] = []

    def outputs(self, layer: str, env: str) -> dict[str, Wrapped]:
        self.asked.append((layer, env))
        return {name: Wrapped(value) for name, value in self.per_layer[layer].items()}


def test_exports_from_stacks_reads_every_layer_of_the_env_and_unwraps_values():
    exports = contract_exports()
    stacks = RecordingStacks(
        {
            "network": {n: exports[n] for n in NetworkContract.names()},
            "data": {n: exports[n] for n in DataContract.names()},
            "edge": {n: exports[n] for n in EdgeContract.names()},
            "compute": {n: exports[n] for n in ComputeContract.names()},
        }
    )

    assert exports_from_stacks(stacks, "dev") == exports
    assert stacks.asked == [("network", "dev"), ("data", "dev"), ("edge", "dev"), ("compute", "dev")]


@pytest.mark.parametrize("value", ["127.0.0.1", ":443", "host:port", "host:70000"])
def test_connect_to_must_be_host_and_port(value):
    with pytest.raises(ValueError, match="expected HOST:PORT"):
        parse_connect_to(value)


def test_connect_to_accepts_ipv6_in_brackets():
    assert parse_connect_to("[::1]:8443") == ("::1", 8443)


# The task's surface ------------------------------------------------------------------------------


def test_verify_is_listed_and_every_option_has_help():
    from ops.cli import verify as tasks_verify

    listed = run_invoke("--list")
    assert "  verify " in listed.stdout
    arguments = task_arguments(tasks_verify.verify)
    assert tasks_verify.verify.__doc__ and "non-zero exit" in tasks_verify.verify.__doc__
    assert {a.name for a in arguments} >= {"env", "outputs_json", "ca_bundle", "min_tasks", "connect_to"}
    assert [a.name for a in arguments if not (a.help or "").strip()] == []


def test_without_outputs_json_the_exports_come_from_the_stacks_through_the_automation_api(tmp_path):
    # No Pulumi CLI on this PATH: the seam explains it in one line instead of a traceback.
    env = {
        "PATH": str(Path(sys.executable).parent),
        "HOME": str(tmp_path),
        "PULUMI_BACKEND_URL": f"file://{tmp_path}/state",
        "PULUMI_CONFIG_PASSPHRASE": "test",
    }
    result = run_invoke("verify", "--env", "dev", env=env, clear_env=True)

    assert result.returncode == 2
    assert result.stderr.startswith("cannot read the stacks' exports: the Pulumi CLI is not installed")
    assert "Traceback" not in result.stderr
