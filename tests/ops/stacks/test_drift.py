"""`invoke drift`: the report over the fake engine, the task's tables and exit status, and the Automation API seam."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from invoke.context import Context
from invoke.exceptions import Exit
from pulumi import automation as auto

import ops.stacks.drift as drift_module
import ops.stacks.pulumi_engine as pulumi_engine_module
from ops.cli import drift as drift_task
from ops.environment.environment import Environment
from ops.stacks.backend import Backend
from ops.stacks.drift import check_drift, readiness
from ops.stacks.drift_events import SECRET_SIGNATURE, DriftCollector, lookup, render, resource_drift
from ops.stacks.engine import Drift, EngineError, PropertyDrift, ResourceDrift, StepEvent
from ops.stacks.pulumi_engine import PulumiEngine
from tests.cli import Ran, run_invoke
from tests.ops.stacks.fake_engine import FakeEngine, all_deployed

REPO = Path(__file__).resolve().parents[3]
RDS = "aws:rds/instance:Instance"
SG_RULE = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
DB_URN = f"urn:pulumi:dev::data::payments:data:Database${RDS}::rds-payments-dev"
RULE_URN = f"urn:pulumi:dev::data::{SG_RULE}::sg-db-from-app-dev"

DATA_DRIFT = Drift(
    (
        ResourceDrift(
            DB_URN,
            RDS,
            "update",
            (
                PropertyDrift("backupRetentionPeriod", "7", "1"),
                PropertyDrift("instanceClass", "db.t4g.medium", "db.t4g.large"),
            ),
        ),
        ResourceDrift(RULE_URN, SG_RULE, "delete"),
    )
)


# The report over the fake engine -----------------------------------------------------------


def test_a_clean_environment_checks_every_layer_in_graph_order_and_exits_zero() -> None:
    engine = FakeEngine(deployed=all_deployed("dev"))
    report = check_drift(engine, "dev")
    assert [c.layer for c in engine.of("drift")] == ["network", "data", "edge", "compute"]
    assert [d.result for d in report.layers] == ["clean"] * 4
    assert report.exit_code == 0
    assert report.verdict() == "no drift in dev: network, data, edge, compute match their state"


def test_drift_in_one_layer_is_reported_with_its_resources_and_exits_one() -> None:
    engine = FakeEngine(deployed=all_deployed("dev"), drifts={"data": DATA_DRIFT})
    report = check_drift(engine, "dev")
    assert report.drifted == ("data",)
    assert report.layers[1].drift == DATA_DRIFT
    assert report.exit_code == 1
    assert report.verdict().startswith("drift in dev: 2 resource(s) of data changed outside Pulumi (tables above)")
    assert "restore them with `invoke deploy --layer data --env dev --refresh`," in report.verdict()


def test_a_missing_stack_is_not_deployed_not_drift_and_is_never_refreshed() -> None:
    deployed = all_deployed("dev")
    del deployed[("edge", "dev")]
    engine = FakeEngine(deployed=deployed)
    report = check_drift(engine, "dev")
    edge = report.layers[2]
    assert (edge.layer, edge.result, edge.reason) == ("edge", "not deployed", "no stack")
    assert [c.layer for c in engine.of("drift")] == ["network", "data", "compute"]
    assert report.exit_code == 0


def test_an_emptied_stack_is_not_deployed_either() -> None:
    engine = FakeEngine(deployed={("network", "dev"): 0})
    report = check_drift(engine, "dev", ["network"])
    assert report.layers[0].reason == "stack holds no resources"
    assert engine.of("drift") == []


def test_nothing_deployed_at_all_is_not_a_clean_bill_and_exits_two() -> None:
    report = check_drift(FakeEngine(), "prod")
    assert [d.result for d in report.layers] == ["not deployed"] * 4
    assert report.exit_code == 2
    assert report.verdict() == (
        "nothing checked: no stack of prod holds resources on this backend "
        "(is PULUMI_BACKEND_URL the backend prod was deployed to?)"
    )


def test_a_locked_stack_is_one_line_the_other_layers_are_still_checked_and_it_exits_two() -> None:
    engine = FakeEngine(deployed=all_deployed("dev"), drifts={"data": DATA_DRIFT}, locked={"edge"})
    report = check_drift(engine, "dev")
    edge = report.layers[2]
    assert edge.result == "failed"
    assert edge.reason.startswith("another update is running on the edge stack 'dev': wait for it to finish")
    assert "`invoke cancel --layer edge --env dev`" in edge.reason and "\n" not in edge.reason
    assert [d.result for d in report.layers] == ["clean", "drifted", "failed", "clean"]
    assert report.exit_code == 2  # incomplete wins over drift: the check did not cover edge
    assert report.verdict() == "drift of dev not checked for edge: see the lines above; drift found in data"


def test_a_bug_in_one_layer_is_its_one_line_not_a_traceback() -> None:
    class Broken(FakeEngine):
        def drift(self, layer: str, env: str, *, on_event: Any) -> Drift:
            if layer == "network":
                raise KeyError("urn")
            return super().drift(layer, env, on_event=on_event)

    report = check_drift(Broken(deployed=all_deployed("dev")), "dev")
    assert (report.layers[0].result, report.layers[0].reason) == ("failed", "KeyError: 'urn'")
    assert report.checked == ("data", "edge", "compute")


def test_a_selection_is_checked_in_graph_order_and_no_other_layer_is_asked() -> None:
    engine = FakeEngine(deployed=all_deployed("dev"))
    report = check_drift(engine, "dev", ["compute", "network"])
    assert [(d.layer, d.result) for d in report.layers] == [("network", "clean"), ("compute", "clean")]
    assert [c.layer for c in engine.of("drift")] == ["network", "compute"]


def test_engine_progress_reaches_the_caller_with_its_layer() -> None:
    seen: list[tuple[str, str]] = []
    check_drift(
        FakeEngine(deployed=all_deployed("dev")),
        "dev",
        ["data"],
        on_event=lambda layer, text: seen.append((layer, text)),
    )
    assert seen == [("data", "refresh aws:thing data")]


# Readiness: what stops the check before it starts ------------------------------------------


class _Sts:
    def __init__(self, error: Exception | None = None) -> None:
        self.error = error

    def client(self, service: str) -> Any:
        assert service == "sts"
        error = self.error

        def identity() -> dict[str, str]:
            if error:
                raise error
            return {"Account": "123456789012"}

        return SimpleNamespace(get_caller_identity=identity)


def test_readiness_reports_a_missing_cli_backend_passphrase_and_credentials_one_line_each(projects: Path) -> None:
    from botocore.exceptions import NoCredentialsError

    problems = readiness(
        Environment.load("dev", projects), aws=_Sts(NoCredentialsError()), which=lambda _: None, environ={}
    )
    assert [p.split(":", 1)[0] for p in problems] == ["Pulumi CLI", "Pulumi backend", "AWS credentials"]
    assert all("\n" not in p for p in problems)
    assert "export PULUMI_CONFIG_PASSPHRASE" in problems[1]
    assert problems[2].startswith("AWS credentials: none found for ap-northeast-2")


def test_readiness_needs_no_stack_config_beyond_the_region(projects: Path) -> None:
    # Config a deploy would refuse is irrelevant: a read-only refresh does not run the program.
    (projects / "data" / "Pulumi.dev.yaml").write_text(
        "config:\n  aws:region: ap-northeast-2\n  data:service: payments\n  data:size: 0\n"
    )
    ok = readiness(
        Environment.load("dev", projects),
        aws=_Sts(),
        which=lambda _: "/usr/bin/pulumi",
        environ={"PULUMI_CONFIG_PASSPHRASE": "x"},
    )
    assert ok == ()


# The task: tables, lines and exit status ---------------------------------------------------


@pytest.fixture
def task_engine(monkeypatch: pytest.MonkeyPatch) -> FakeEngine:
    """The task drives a fake engine and readiness passes."""
    fake = FakeEngine(deployed=all_deployed("dev"))
    monkeypatch.setattr(pulumi_engine_module, "PulumiEngine", lambda backend: fake)
    monkeypatch.setattr(drift_module, "readiness", lambda *a, **k: ())
    monkeypatch.setenv("PULUMI_CONFIG_PASSPHRASE", "x")
    monkeypatch.setattr(drift_task.console, "width", 200)
    return fake


def _rows(out: str) -> list[list[str]]:
    return [[c.strip() for c in line.split("│")[1:-1]] for line in out.splitlines() if line.startswith("│ ")]


def test_task_prints_a_table_of_drifted_properties_and_exits_one(
    task_engine: FakeEngine, capsys: pytest.CaptureFixture[str]
) -> None:
    task_engine.drifts["data"] = DATA_DRIFT
    with pytest.raises(Exit) as e:
        drift_task.drift(Context(), env="dev")
    assert e.value.code == 1
    assert e.value.message.startswith("drift in dev: 2 resource(s) of data changed outside Pulumi")
    rows = _rows(capsys.readouterr().out)
    assert ["data", "drifted", "2 resource(s) differ"] in rows
    assert ["network", "clean", ""] in rows
    assert ["rds-payments-dev", RDS, "update", "instanceClass", "db.t4g.medium", "db.t4g.large"] in rows
    assert ["rds-payments-dev", RDS, "update", "backupRetentionPeriod", "7", "1"] in rows
    assert ["sg-db-from-app-dev", SG_RULE, "deleted", "-", "exists", "gone"] in rows


def test_task_on_a_clean_environment_says_so_and_exits_zero(
    task_engine: FakeEngine, capsys: pytest.CaptureFixture[str]
) -> None:
    drift_task.drift(Context(), env="dev", layer="edge")
    out = capsys.readouterr().out
    assert [c.layer for c in task_engine.of("drift")] == ["edge"]
    assert "no drift in dev: edge match their state" in out


def test_task_with_a_locked_stack_prints_its_line_and_exits_two(
    task_engine: FakeEngine, capsys: pytest.CaptureFixture[str]
) -> None:
    task_engine.locked = {"data"}
    with pytest.raises(Exit) as e:
        drift_task.drift(Context(), env="dev")
    assert (e.value.code, e.value.message) == (2, "drift of dev not checked for data: see the lines above")
    out = capsys.readouterr().out
    assert "✗ data: another update is running on the data stack 'dev'" in out
    assert ["data", "failed", "not checked: see below"] in _rows(out)


def test_task_stops_before_the_engine_when_readiness_fails(
    task_engine: FakeEngine, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    problems = ("Pulumi CLI: not found on PATH: install it", "AWS credentials: none found for ap-northeast-2")
    monkeypatch.setattr(drift_module, "readiness", lambda *a, **k: problems)
    with pytest.raises(Exit) as e:
        drift_task.drift(Context(), env="prod")
    assert (e.value.code, e.value.message) == (2, "drift of prod not checked: 2 problem(s) above")
    out = capsys.readouterr().out
    assert "✗ Pulumi CLI: not found on PATH" in out and "✗ AWS credentials: none found" in out
    assert task_engine.calls == []


def _invoke_without_cloud_access(*args: str, tmp_path: Path) -> Ran:
    """`invoke` with no Pulumi CLI on PATH, no passphrase and no AWS credentials anywhere."""
    env = {
        "PATH": str(Path(sys.executable).parent) + ":/usr/bin:/bin",
        "HOME": str(tmp_path),
        "AWS_CONFIG_FILE": str(tmp_path / "none"),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "none"),
        "AWS_EC2_METADATA_DISABLED": "true",
    }
    return run_invoke(*args, env=env, unset=("AWS_", "PULUMI_"))


@pytest.mark.skipif(shutil.which("pulumi", path="/usr/bin:/bin") is not None, reason="needs no Pulumi CLI")
def test_without_cli_or_credentials_each_problem_is_one_line_and_no_traceback(tmp_path: Path) -> None:
    result = _invoke_without_cloud_access("drift", "--env", "prod", tmp_path=tmp_path)
    assert result.returncode == 2
    assert "Traceback" not in result.stdout + result.stderr
    problems = [ln for ln in result.stdout.splitlines() if ln.startswith("✗ ")]
    assert [p.split(":", 1)[0] for p in problems] == ["✗ Pulumi CLI", "✗ Pulumi backend", "✗ AWS credentials"]
    assert result.stderr.strip() == "drift of prod not checked: 3 problem(s) above"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("drift", "--env", "staging"), "unknown environment 'staging': expected one of"),
        (("drift", "--env", "dev", "--layer", "cache"), "unknown layer 'cache'"),
        (("drift",), "--env is required: expected one of"),
    ],
)
def test_bad_input_is_one_line_before_anything_is_read(args: tuple[str, ...], message: str, tmp_path: Path) -> None:
    result = _invoke_without_cloud_access(*args, tmp_path=tmp_path)
    assert result.returncode == 2
    assert result.stdout == "" and message in result.stderr and len(result.stderr.strip().splitlines()) == 1


# The Automation API seam -------------------------------------------------------------------


def _state(inputs: dict[str, Any], outputs: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"type": RDS, "urn": DB_URN, "id": "db-1", "inputs": inputs, "outputs": outputs or inputs}


def _secret(value: str = "[secret]") -> dict[str, str]:
    return {SECRET_SIGNATURE: "1b47061264138c4ac30d75fd1eb44270", "ciphertext": value}


def _outputs_event(seq: int, op: str, urn: str, type_: str, **metadata: Any) -> dict[str, Any]:
    meta = {"op": op, "urn": urn, "type": type_, "provider": "urn:pulumi:dev::data::pulumi:providers:aws::aws"}
    return {"sequence": seq, "timestamp": 0, "resOutputsEvent": {"metadata": meta | metadata}}


# What the CLI writes to the event log of `pulumi refresh --preview-only` when the RDS instance was
# resized and its backups shortened by hand, a rule was deleted, and a bucket was left alone.
REFRESH_EVENTS: list[dict[str, Any]] = [
    {
        "sequence": 1,
        "timestamp": 0,
        "resourcePreEvent": {"metadata": {"op": "refresh", "urn": DB_URN, "type": RDS, "provider": ""}},
    },
    _outputs_event(
        2,
        "update",
        DB_URN,
        RDS,
        old=_state({"instanceClass": "db.t4g.medium", "backupRetentionPeriod": 7, "password": _secret()}),
        new=_state({"instanceClass": "db.t4g.large", "backupRetentionPeriod": 1, "password": _secret()}),
        diffs=["backupRetentionPeriod", "instanceClass"],
        detailedDiff={
            "instanceClass": {"diffKind": "update", "inputDiff": True},
            "backupRetentionPeriod": {"diffKind": "update", "inputDiff": True},
            "password": {"diffKind": "update", "inputDiff": True},
        },
    ),
    _outputs_event(3, "delete", RULE_URN, SG_RULE, old=_state({"cidrIpv4": "10.0.0.0/16"}) | {"urn": RULE_URN}),
    _outputs_event(4, "same", "urn:pulumi:dev::data::aws:s3/bucket:Bucket::logs", "aws:s3/bucket:Bucket"),
    _outputs_event(5, "same", "urn:pulumi:dev::data::pulumi:pulumi:Stack::data-dev", "pulumi:pulumi:Stack"),
    {
        "sequence": 6,
        "timestamp": 0,
        "summaryEvent": {"maybeCorrupt": False, "durationSeconds": 4, "resourceChanges": {"update": 1, "delete": 1}},
    },
    {"sequence": 7, "timestamp": 0, "cancelEvent": {}},
]


class _CliWorkspace:
    """The part of a workspace `auto.Stack` uses to run the CLI; `run` plays the CLI's event log."""

    program = None
    pulumi_home = None
    work_dir = str(REPO / "projects" / "data")
    pulumi_version = "3.200.0"  # file-based event log

    def __init__(self, events: list[dict[str, Any]]) -> None:
        self.events = events
        self.env_vars: dict[str, str] = {}
        self.args: list[str] = []

    def serialize_args_for_op(self, stack_name: str) -> list[str]:
        return []

    def post_command_callback(self, stack_name: str) -> None:
        pass

    @property
    def pulumi_command(self) -> Any:
        return SimpleNamespace(run=self._run)

    def _run(self, args: list[str], cwd: str, envs: dict[str, str], *_: Any) -> auto.CommandResult:
        self.args = list(args)
        log = args[args.index("--event-log") + 1]
        with open(log, "a", encoding="utf-8") as f:
            f.writelines(json.dumps(e) + "\n" for e in self.events)
        return auto.CommandResult(stdout="", stderr="", code=0)


def _sdk_stack(workspace: _CliWorkspace) -> auto.Stack:
    """A real `auto.Stack` over the recording workspace (selecting it would need the CLI)."""
    stack = object.__new__(auto.Stack)
    stack.name, stack.workspace = "dev", workspace  # type: ignore[assignment]
    return stack


def _engine_over(stack: Any, monkeypatch: pytest.MonkeyPatch) -> PulumiEngine:
    engine = PulumiEngine(Backend("file:///nonexistent"))
    monkeypatch.setattr(engine, "_stack", lambda layer, env, create=False: stack)
    return engine


def test_drift_runs_refresh_preview_only_through_the_sdk_and_reads_its_events(monkeypatch: pytest.MonkeyPatch) -> None:
    workspace = _CliWorkspace(REFRESH_EVENTS)
    lines: list[Any] = []
    drift = _engine_over(_sdk_stack(workspace), monkeypatch).drift("data", "dev", on_event=lines.append)

    args = workspace.args
    assert args[:2] == ["refresh", "--preview-only"]
    assert not {"--yes", "--skip-preview", "--run-program=true", "--clear-pending-creates"} & set(args)
    assert args[args.index("--stack") + 1] == "dev"
    assert drift == Drift(  # sorted by URN
        (
            ResourceDrift(RULE_URN, SG_RULE, "delete"),
            ResourceDrift(
                DB_URN,
                RDS,
                "update",
                (
                    PropertyDrift("backupRetentionPeriod", "7", "1"),
                    PropertyDrift("instanceClass", "db.t4g.medium", "db.t4g.large"),
                    PropertyDrift("password", "[secret]", "[secret]"),
                ),
            ),
        )
    )
    # Each resource read arrives as a timed step (its start, then its end); the summary as a line.
    steps = [(n.name, n.op, n.phase) for n in lines if isinstance(n, StepEvent)]
    assert ("rds-payments-dev", "refresh", "start") in steps
    assert [n for n in lines if isinstance(n, str)] == ["done: +0 ~1 -1"]


class _StackWith:
    """A stack whose `preview_refresh` raises; any other call would be a write and fails the test."""

    def __init__(self, error: Exception) -> None:
        self.error = error

    def preview_refresh(self, **kwargs: Any) -> Any:
        raise self.error


def _command_error(cls: type[auto.CommandError], stderr: str) -> auto.CommandError:
    return cls(auto.CommandResult(stdout="", stderr=stderr, code=255))


@pytest.mark.parametrize(
    ("error", "line"),
    [
        (
            _command_error(auto.ConcurrentUpdateError, "error: the stack is currently locked by 1 lock(s)"),
            "another update is running on the data stack 'prod': wait for it to finish",
        ),
        (
            _command_error(auto.CommandError, "error: ExpiredToken: The security token included in the request is"),
            "AWS rejected the credentials during refresh --preview-only of the data stack 'prod'",
        ),
        (
            _command_error(auto.CommandError, "error: reading RDS DB Instance (db-1): AccessDenied: not authorized"),
            "pulumi refresh --preview-only failed on the data stack 'prod': reading RDS DB Instance (db-1): "
            "AccessDenied: not authorized (full output: `pulumi refresh --preview-only -s prod` in projects/data)",
        ),
    ],
)
def test_seam_failures_are_explained_in_one_line(error: Exception, line: str, monkeypatch: pytest.MonkeyPatch) -> None:
    engine = _engine_over(_StackWith(error), monkeypatch)
    with pytest.raises(EngineError) as e:
        engine.drift("data", "prod", on_event=lambda _: None)
    assert str(e.value).startswith(line) and "\n" not in str(e.value)


def test_a_missing_stack_at_the_seam_says_it_does_not_exist(monkeypatch: pytest.MonkeyPatch) -> None:
    engine = PulumiEngine(Backend("file:///nonexistent"))
    missing = _command_error(auto.StackNotFoundError, "error: no stack named 'prod' found")
    monkeypatch.setattr(engine, "_workspace", lambda layer: SimpleNamespace())
    monkeypatch.setattr(auto.Stack, "select", lambda name, ws: (_ for _ in ()).throw(missing))
    with pytest.raises(EngineError, match=r"^the edge stack 'prod' does not exist on this backend"):
        engine.drift("edge", "prod", on_event=lambda _: None)


@pytest.mark.skipif(shutil.which("pulumi") is not None, reason="needs a machine without the Pulumi CLI")
def test_without_the_cli_the_seam_gives_the_install_hint(tmp_path: Path) -> None:
    engine = PulumiEngine(Backend(f"file://{tmp_path}/state"))
    with pytest.raises(EngineError, match=r"^the Pulumi CLI is not installed: install it with `curl -fsSL"):
        engine.drift("network", "prod", on_event=lambda _: None)


# Reading one refresh step ------------------------------------------------------------------


def _meta(op: auto.OpType, old: dict[str, Any] | None, new: dict[str, Any] | None, **kw: Any) -> auto.StepEventMetadata:
    state = auto.StepEventStateMetadata.from_json
    return auto.StepEventMetadata(
        op=op,
        urn=DB_URN,
        type=RDS,
        provider="p",
        old=state(old) if old else None,
        new=state(new) if new else None,
        **kw,
    )


def test_an_engine_reporting_the_refresh_op_itself_is_read_by_comparing_old_and_new_outputs() -> None:
    old = _state({"instanceClass": "db.t4g.medium"}, {"instanceClass": "db.t4g.medium", "status": "available"})
    new = _state({"instanceClass": "db.t4g.medium"}, {"instanceClass": "db.t4g.medium", "status": "stopped"})
    assert resource_drift(_meta(auto.OpType.REFRESH, old, new)) == ResourceDrift(
        DB_URN, RDS, "update", (PropertyDrift("status", "available", "stopped"),)
    )
    assert resource_drift(_meta(auto.OpType.REFRESH, old, old)) is None
    assert resource_drift(_meta(auto.OpType.REFRESH, old, None)) == ResourceDrift(DB_URN, RDS, "delete")


def test_an_update_without_reported_paths_falls_back_to_the_changed_outputs() -> None:
    old, new = _state({"a": 1}, {"a": 1, "b": "x"}), _state({"a": 1}, {"a": 1, "b": "y"})
    found = resource_drift(_meta(auto.OpType.UPDATE, old, new))
    assert found is not None and [p.path for p in found.properties] == ["b"]


def test_a_later_same_for_a_resource_clears_what_was_collected() -> None:
    collect = DriftCollector()
    old, new = _state({"a": 1}), _state({"a": 2})
    for op in (auto.OpType.UPDATE, auto.OpType.SAME):
        meta = _meta(op, old, new, diffs=["a"])
        collect(auto.EngineEvent(sequence=1, timestamp=0, res_outputs_event=auto.ResOutputsEvent(meta)))
    assert collect.drift().clean


def test_property_paths_reach_nested_values_and_stop_at_secrets() -> None:
    values = {"tags": {"owner": "payments", "a.b": "dotted"}, "rules": [{"cidr": "10.0.0.0/16"}], "s": _secret()}
    assert lookup(values, "tags.owner") == "payments"
    assert lookup(values, 'tags["a.b"]') == "dotted"
    assert lookup(values, "rules[0].cidr") == "10.0.0.0/16"
    assert render(lookup(values, "rules[1].cidr")) == "(absent)"
    assert render(lookup(values, "s.inner")) == "[secret]"


def test_rendered_values_are_one_short_line_with_nested_secrets_masked() -> None:
    assert render({"b": 1, "a": _secret()}) == '{"a": "[secret]", "b": 1}'
    long = render("x" * 100)
    assert len(long) == 60 and long.endswith("…")
    assert render(True) == "true" and render(["a", 2]) == '["a", 2]'
