"""The Automation API seam: what it builds and how it explains failures (no Pulumi CLI here)."""

from __future__ import annotations

import io
import os
import re
import shutil
from pathlib import Path
from types import SimpleNamespace

import pytest
from pulumi import automation as auto
from rich.console import Console

from ops.environment.stack_files import PROJECTS_DIR
from ops.stacks.backend import DEFAULT_BACKEND_URL, Backend, BackendError, backend_settings, workspace_options
from ops.stacks.engine import Changes, EngineError, StackState, StepEvent
from ops.stacks.errors import explain, first_error_line
from ops.stacks.events import describe_event
from ops.stacks.progress import LiveProgress
from ops.stacks.pulumi_engine import PulumiEngine, keep_secrets_provider, target_urns


def _command_error(cls: type[auto.CommandError], stdout: str = "", stderr: str = "") -> auto.CommandError:
    return cls(auto.CommandResult(stdout=stdout, stderr=stderr, code=255))


# Backend and workspace ---------------------------------------------------------------------


def test_default_backend_is_a_file_folder_of_its_own_in_home() -> None:
    backend = backend_settings({"PULUMI_CONFIG_PASSPHRASE": "x"})
    assert DEFAULT_BACKEND_URL == "file://~/.pulumi-payments"
    assert backend.url == "file://" + os.path.expanduser("~/.pulumi-payments")
    assert backend.secrets_provider is None


def test_pulumi_backend_url_is_honoured() -> None:
    backend = backend_settings({"PULUMI_BACKEND_URL": "s3://state-bucket/payments", "PULUMI_CONFIG_PASSPHRASE": ""})
    assert backend.url == "s3://state-bucket/payments"


def test_file_backend_without_passphrase_says_what_to_export() -> None:
    with pytest.raises(BackendError) as e:
        backend_settings({"PULUMI_BACKEND_URL": "file:///tmp/state"})
    assert "export PULUMI_CONFIG_PASSPHRASE" in str(e.value)
    assert "PAYMENTS_SECRETS_PROVIDER=awskms://" in str(e.value)


def test_passphrase_file_or_a_secrets_provider_or_pulumi_cloud_need_no_passphrase() -> None:
    assert backend_settings({"PULUMI_CONFIG_PASSPHRASE_FILE": "/run/secrets/p"}).url.startswith("file://")
    kms = "awskms://alias/pulumi-payments?region=ap-northeast-2"
    assert backend_settings({"PAYMENTS_SECRETS_PROVIDER": kms}).secrets_provider == kms
    assert backend_settings({"PULUMI_BACKEND_URL": "https://api.pulumi.com"}).url == "https://api.pulumi.com"


def test_workspace_options_point_at_the_layer_folder_and_the_chosen_backend() -> None:
    backend = Backend("s3://state-bucket", secrets_provider="awskms://alias/k?region=ap-northeast-2")
    opts = workspace_options("data", backend)
    assert opts.work_dir == str(PROJECTS_DIR / "data")
    assert opts.env_vars == {"PULUMI_BACKEND_URL": "s3://state-bucket", "PULUMI_SKIP_UPDATE_CHECK": "true"}
    assert opts.secrets_provider == "awskms://alias/k?region=ap-northeast-2"
    assert opts.program is None  # the project folder's own __main__.py, as `pulumi up` runs it


@pytest.mark.skipif(shutil.which("pulumi") is not None, reason="needs a machine without the Pulumi CLI")
def test_engine_without_the_cli_fails_with_the_install_hint(tmp_path: Path) -> None:
    engine = PulumiEngine(Backend(f"file://{tmp_path}/state"))
    with pytest.raises(
        EngineError, match=r"Pulumi CLI is not installed: install it with `curl -fsSL https://get.pulumi.com \| sh`"
    ):
        engine.state("network", "dev")
    assert not (tmp_path / "state").exists()  # nothing was created before the CLI was found


# Error mapping -----------------------------------------------------------------------------


def test_concurrent_update_says_wait_or_cancel() -> None:
    err = _command_error(auto.ConcurrentUpdateError, stderr="error: the stack is currently locked by 1 lock(s)")
    msg = explain(err, layer="data", env="dev", op="up")
    assert msg.startswith("another update is running on the data stack 'dev': wait for it to finish")
    assert "`invoke cancel --layer data --env dev`" in msg
    assert "`pulumi cancel -s dev` in projects/data" in msg


def test_lock_text_in_a_plain_command_error_is_also_a_concurrent_update() -> None:
    err = _command_error(auto.CommandError, stderr="[409] Conflict: Another update is currently in progress.")
    assert explain(err, layer="edge", env="prod", op="up").startswith("another update is running")


@pytest.mark.parametrize(
    "stdout",
    [
        "error: ExpiredToken: The security token included in the request is expired",
        "error: configuring Terraform AWS Provider: no valid credential sources for Terraform AWS Provider found.",
        "error: InvalidClientTokenId: The security token included in the request is invalid.",
    ],
)
def test_bad_aws_credentials_say_how_to_refresh_them(stdout: str) -> None:
    msg = explain(_command_error(auto.CommandError, stdout=stdout), layer="network", env="dev", op="up")
    assert msg.startswith("AWS rejected the credentials during up of the network stack 'dev'")
    assert "`aws sts get-caller-identity`" in msg


def test_interrupted_run_points_to_refresh_and_state_export() -> None:
    stdout = (
        "warning: Attempting to deploy or update resources with 1 pending operations from previous deployment.\n"
        "error: update failed"
    )
    msg = explain(_command_error(auto.CommandError, stdout=stdout), layer="data", env="dev", op="up")
    assert "interrupted and left pending operations" in msg
    assert "`invoke deploy --layer data --env dev --refresh`" in msg
    assert "`pulumi stack export -s dev > state.json`" in msg


def test_missing_passphrase_at_run_time_is_explained() -> None:
    stderr = "error: passphrase must be set with PULUMI_CONFIG_PASSPHRASE or PULUMI_CONFIG_PASSPHRASE_FILE"
    msg = explain(_command_error(auto.CommandError, stderr=stderr), layer="data", env="dev", op="up")
    assert msg.startswith("Pulumi cannot decrypt the data stack 'dev': export the PULUMI_CONFIG_PASSPHRASE")


def test_other_command_errors_show_the_first_real_error_line() -> None:
    stdout = (
        "Updating (dev):\n"
        "    aws:rds:Instance db-payments-dev creating (3s)\n"
        "    error: creating RDS DB Instance: InvalidParameterCombination: Cannot find version 12.1\n"
        "error: update failed\n"
    )
    msg = explain(_command_error(auto.CommandError, stdout=stdout), layer="data", env="dev", op="up")
    assert msg == (
        "pulumi up failed on the data stack 'dev': creating RDS DB Instance: InvalidParameterCombination: "
        "Cannot find version 12.1 (full output: `pulumi up -s dev` in projects/data)"
    )


def test_stack_not_found_and_unexpected_errors_are_one_line() -> None:
    missing = _command_error(auto.StackNotFoundError, stderr="error: no stack named 'dev' found")
    assert explain(missing, layer="edge", env="dev", op="destroy") == (
        "the edge stack 'dev' does not exist on this backend: deploy it first (`invoke deploy-all --env dev`)"
    )
    assert explain(OSError("disk full"), layer="edge", env="dev", op="up") == (
        "up of the edge stack 'dev' failed: OSError: disk full"
    )


def test_first_error_line_falls_back_to_the_last_line() -> None:
    assert first_error_line("something odd\n\n") == "something odd"
    assert first_error_line("") == "no output"


# Results and events ------------------------------------------------------------------------


def test_changes_read_pulumis_op_map() -> None:
    ops = {auto.OpType.CREATE: 4, auto.OpType.UPDATE: 2, auto.OpType.REPLACE: 1, "delete": 3, "same": 9}
    assert Changes.from_op_map(ops) == Changes(created=4, updated=2, replaced=1, deleted=3, same=9)
    assert Changes.from_op_map(None) == Changes()


def test_stack_state_deployed_means_it_holds_resources() -> None:
    assert StackState(exists=True, resource_count=12).deployed
    assert not StackState(exists=True, resource_count=0).deployed
    assert StackState(exists=True, resource_count=None).deployed  # unknown: assume it exists
    assert not StackState(exists=False).deployed


def _pre_event(op: auto.OpType, type_: str, name: str) -> auto.EngineEvent:
    meta = auto.StepEventMetadata(op=op, urn=f"urn:pulumi:dev::data::{type_}::{name}", type=type_, provider="")
    return auto.EngineEvent(sequence=1, timestamp=0, resource_pre_event=auto.ResourcePreEvent(metadata=meta))


def test_engine_events_become_timed_resource_steps_and_short_lines() -> None:
    step = describe_event(
        _pre_event(auto.OpType.CREATE, "aws:rds/instance:Instance", "db-payments-dev"), clock=lambda: 7.5
    )
    assert step == StepEvent(
        "urn:pulumi:dev::data::aws:rds/instance:Instance::db-payments-dev",
        "aws:rds/instance:Instance",
        "create",
        "start",
        7.5,
    )
    assert describe_event(_pre_event(auto.OpType.SAME, "aws:kms/key:Key", "key")) is None
    summary = auto.SummaryEvent(
        maybe_corrupt=False, duration_seconds=5, resource_changes={"create": 2, "delete": 1}, policy_packs={}
    )
    assert describe_event(auto.EngineEvent(sequence=2, timestamp=0, summary_event=summary)) == "done: +2 ~0 -1"


def _diagnostic(severity: str, message: str) -> auto.EngineEvent:
    diagnostic = auto.DiagnosticEvent(message=message, color="never", severity=severity)
    return auto.EngineEvent(sequence=3, timestamp=0, diagnostic_event=diagnostic)


def test_info_and_warning_diagnostics_reach_the_user_and_debug_does_not() -> None:
    servers = "zone zone-payments-prod name servers: ns-1.awsdns-01.org, ns-2.awsdns-02.co.uk"
    assert describe_event(_diagnostic("info", servers + "\n")) == f"info: {servers}"
    assert describe_event(_diagnostic("info#err", "stderr line")) == "info: stderr line"
    assert describe_event(_diagnostic("warning", "  deprecated\n  argument ")) == "warning: deprecated argument"
    assert describe_event(_diagnostic("error", "boom")) == "error: boom"
    assert describe_event(_diagnostic("debug", "chatter")) is None


def test_live_progress_keeps_diagnostics_on_screen_while_other_events_only_update_the_row() -> None:
    console = Console(file=io.StringIO(), width=200, force_terminal=False)
    progress = LiveProgress(console, ["edge"])
    progress.started("edge", "deploying")
    progress.event("edge", "create aws:route53/zone:Zone zone-payments-prod")
    progress.event("edge", "info: add the NS record")
    printed = console.file.getvalue()  # type: ignore[attr-defined]
    assert "edge: info: add the NS record" in printed
    assert "create aws:route53/zone:Zone" not in printed


# Targeted updates --------------------------------------------------------------------------

RDS = "aws:rds/instance:Instance"
_DB_URN = f"urn:pulumi:prod::data::payments:data:Database${RDS}::rds-payments-prod"
_DEPLOYMENT = {
    "manifest": {},
    "resources": [
        {"urn": "urn:pulumi:prod::data::pulumi:pulumi:Stack::data-prod", "type": "pulumi:pulumi:Stack"},
        {"urn": "urn:pulumi:prod::data::aws:kms/key:Key::kms-payments-db-prod", "type": "aws:kms/key:Key"},
        {"urn": _DB_URN, "type": RDS},
        {"urn": _DB_URN, "type": RDS, "delete": True},  # the old half of a replacement
    ],
}


class _RecordingStack:
    def __init__(self, deployment: dict[str, object]) -> None:
        self.deployment = deployment
        self.up_kwargs: dict[str, object] | None = None

    def export_stack(self) -> auto.Deployment:
        return auto.Deployment(version=3, deployment=self.deployment)

    def up(self, **kwargs: object) -> object:
        self.up_kwargs = kwargs
        return SimpleNamespace(summary=SimpleNamespace(resource_changes={"update": 1, "same": 7}), outputs={})


def _engine_over(stack: _RecordingStack, monkeypatch: pytest.MonkeyPatch) -> PulumiEngine:
    engine = PulumiEngine(Backend("file:///nonexistent"))
    monkeypatch.setattr(engine, "_stack", lambda layer, env, create=False: stack)
    return engine


def test_target_urns_are_the_live_resources_of_the_given_types() -> None:
    assert target_urns(_DEPLOYMENT, [RDS]) == [_DB_URN]
    assert target_urns(_DEPLOYMENT, ["aws:lb/loadBalancer:LoadBalancer"]) == []
    assert target_urns({}, [RDS]) == []


def test_targeted_up_passes_exactly_the_urns_of_those_types(monkeypatch: pytest.MonkeyPatch) -> None:
    stack = _RecordingStack(_DEPLOYMENT)
    changes = _engine_over(stack, monkeypatch).up("data", "prod", on_event=lambda _: None, targets=(RDS,))
    assert stack.up_kwargs is not None
    assert stack.up_kwargs["target"] == [_DB_URN]
    assert stack.up_kwargs["target_dependents"] is False
    assert changes == Changes(updated=1, same=7)


def test_targeted_up_with_nothing_of_those_types_updates_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    stack = _RecordingStack({"resources": _DEPLOYMENT["resources"][:2]})
    events: list[str] = []
    changes = _engine_over(stack, monkeypatch).up("data", "prod", on_event=events.append, targets=(RDS,))
    assert stack.up_kwargs is None  # an empty --target list would update the whole stack
    assert changes == Changes()
    assert events == [f"nothing to update: no {RDS} in the stack"]


def test_plain_up_is_not_targeted(monkeypatch: pytest.MonkeyPatch) -> None:
    stack = _RecordingStack(_DEPLOYMENT)
    _engine_over(stack, monkeypatch).up("data", "prod", on_event=lambda _: None)
    assert stack.up_kwargs is not None and stack.up_kwargs["target"] is None


class _PreviewingStack(_RecordingStack):
    """Replays engine events from a targeted preview."""

    def __init__(self, deployment: dict[str, object], steps: list[tuple[auto.OpType, list[str]]]) -> None:
        super().__init__(deployment)
        self.steps = steps
        self.preview_kwargs: dict[str, object] | None = None

    def preview(self, **kwargs: object) -> object:
        self.preview_kwargs = kwargs
        on_event = kwargs["on_event"]
        for i, (op, diffs) in enumerate(self.steps):
            meta = auto.events.StepEventMetadata(op=op, urn=_DB_URN, type=RDS, provider="p", diffs=diffs)
            on_event(auto.EngineEvent(sequence=i, timestamp=0, resource_pre_event=auto.events.ResourcePreEvent(meta)))
        return SimpleNamespace(change_summary={})


def test_pending_changes_previews_only_the_targets_and_lists_changed_properties(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    stack = _PreviewingStack(_DEPLOYMENT, [(auto.OpType.UPDATE, ["instanceClass", "deletionProtection"])])
    pending = _engine_over(stack, monkeypatch).pending_changes("data", "prod", targets=(RDS,))
    assert pending == {_DB_URN: ("deletionProtection", "instanceClass")}
    assert stack.preview_kwargs is not None
    assert stack.preview_kwargs["target"] == [_DB_URN] and stack.preview_kwargs["target_dependents"] is False
    assert stack.up_kwargs is None


def test_pending_changes_marks_a_replacement_and_ignores_unchanged(monkeypatch: pytest.MonkeyPatch) -> None:
    stack = _PreviewingStack(_DEPLOYMENT, [(auto.OpType.SAME, []), (auto.OpType.REPLACE, ["engineVersion"])])
    pending = _engine_over(stack, monkeypatch).pending_changes("data", "prod", targets=(RDS,))
    assert pending == {_DB_URN: ("engineVersion", "(replace)")}


def test_pending_changes_of_a_stack_without_targets_previews_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    stack = _PreviewingStack({"resources": []}, [(auto.OpType.UPDATE, ["x"])])
    assert _engine_over(stack, monkeypatch).pending_changes("data", "prod", targets=(RDS,)) == {}
    assert stack.preview_kwargs is None


# Secrets provider kept on select ------------------------------------------------------------

KMS = "awskms://alias/pulumi-payments-prod?region=ap-northeast-2"


class _Workspace:
    """A project folder with a stack file, and the stack's recorded secrets provider."""

    def __init__(self, folder: Path, stack_file: str | None, secrets_providers: dict[str, object] | None) -> None:
        self.work_dir = str(folder)
        if stack_file is not None:
            (folder / "Pulumi.prod.yaml").write_text(stack_file)
        self.deployment = {"secrets_providers": secrets_providers} if secrets_providers is not None else {}

    def export_stack(self, env: str) -> auto.Deployment:
        return auto.Deployment(version=3, deployment=self.deployment)

    def stack_file(self) -> str:
        return (Path(self.work_dir) / "Pulumi.prod.yaml").read_text()


COMMITTED = (
    "# Production: one NAT gateway per AZ.\n"
    "config:\n"
    "  aws:region: ap-northeast-2\n"
    "  network:publicSubnetCidrs: [10.10.0.0/24, 10.10.1.0/24]\n"
)


def test_a_stack_file_without_its_kms_provider_gets_it_back_from_the_state_with_the_rest_untouched(
    tmp_path: Path,
) -> None:
    ws = _Workspace(tmp_path, COMMITTED, {"type": "cloud", "state": {"url": KMS, "encryptedkey": "AQICAHh-key"}})
    keep_secrets_provider(ws, "prod", KMS)
    assert ws.stack_file() == COMMITTED + f"secretsprovider: {KMS}\nencryptedkey: AQICAHh-key\n"


def test_a_stack_file_that_names_its_provider_is_left_alone(tmp_path: Path) -> None:
    named = COMMITTED + f"secretsprovider: {KMS}\nencryptedkey: k\n"
    ws = _Workspace(tmp_path, named, None)
    keep_secrets_provider(ws, "prod", KMS)
    assert ws.stack_file() == named


def test_without_a_configured_provider_nothing_is_read_or_written(tmp_path: Path) -> None:
    ws = _Workspace(tmp_path, COMMITTED, {"type": "cloud", "state": {"url": KMS, "encryptedkey": "k"}})
    keep_secrets_provider(ws, "prod", None)
    assert ws.stack_file() == COMMITTED


@pytest.mark.parametrize(
    ("stack_file", "providers", "message"),
    [
        (
            COMMITTED + "secretsprovider: awskms://alias/other?region=ap-northeast-2\nencryptedkey: k\n",
            None,
            "uses secrets provider awskms://alias/other?region=ap-northeast-2, but PAYMENTS_SECRETS_PROVIDER is",
        ),
        (
            COMMITTED,
            {"type": "cloud", "state": {"url": "awskms://alias/old?region=ap-northeast-2", "encryptedkey": "k"}},
            "was created with secrets provider awskms://alias/old?region=ap-northeast-2, but PAYMENTS_SECRETS_PROVIDER",
        ),
    ],
)
def test_a_stack_of_another_provider_is_refused_in_one_line(tmp_path: Path, stack_file, providers, message) -> None:
    ws = _Workspace(tmp_path, stack_file, providers)
    with pytest.raises(EngineError, match=re.escape(message)):
        keep_secrets_provider(ws, "prod", KMS)
    assert ws.stack_file() == stack_file


def test_a_passphrase_stack_state_is_not_turned_into_a_kms_stack(tmp_path: Path) -> None:
    ws = _Workspace(tmp_path, COMMITTED, {"type": "passphrase", "state": {"salt": "v1:abc"}})
    keep_secrets_provider(ws, "prod", KMS)
    assert ws.stack_file() == COMMITTED
