"""`deploy-all --from dev --set LAYER:KEY=VALUE`: an ephemeral environment's own settings on top of dev's.

The copies run against a copy of the real projects (their Pulumi.yaml and dev stack files), so
the keys and the settings models are the real ones; nothing in the work tree is written.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from invoke.context import Context
from invoke.exceptions import Exit

from ops.cli import stacks as tasks_stacks
from ops.environment.stack_files import stack_config
from ops.stacks import ephemeral
from ops.stacks.ephemeral import EphemeralEnvError, create_ephemeral, is_ephemeral, parse_overrides
from payments_edge.settings import EdgeSettings
from shared.layers import LAYER_NAMES, lifecycle
from shared.settings import parse_settings
from tests.cli import run_invoke

REPO = Path(__file__).resolve().parents[3]
ZONE = "Z0123456789ABCDEFGHIJ"
OWN_DOMAIN = ["edge:domainName=pr42.ci.payments.example.com", f"edge:hostedZoneId={ZONE}"]


@pytest.fixture
def projects(tmp_path: Path) -> Path:
    """The real layers' Pulumi.yaml, program shim and dev stack file, in a throwaway tree."""
    root = tmp_path / "projects"
    for layer in LAYER_NAMES:
        (root / layer).mkdir(parents=True)
        for name in ("__main__.py", "Pulumi.yaml", "Pulumi.dev.yaml"):
            shutil.copy(REPO / "projects" / layer / name, root / layer / name)
    return root


def written(projects: Path, env: str = "pr42") -> list[str]:
    return sorted(p.parent.name for p in projects.glob(f"*/Pulumi.{env}.yaml"))


def config_of(projects: Path, layer: str, env: str = "pr42") -> dict[str, object]:
    return dict(yaml.safe_load((projects / layer / f"Pulumi.{env}.yaml").read_text())["config"])


def test_overrides_are_written_on_top_of_dev_and_the_edge_uses_the_existing_zone(projects: Path) -> None:
    overrides = parse_overrides(
        [*OWN_DOMAIN, "edge:certificateValidationTimeoutMinutes=20", "aws:region=ap-northeast-2"]
    )
    files = create_ephemeral("pr42", "dev", projects, overrides=overrides)
    assert sorted(p.parent.name for p in files) == ["compute", "data", "edge", "network"]
    edge = config_of(projects, "edge")
    assert edge == {
        "aws:region": "ap-northeast-2",
        "edge:domainName": "pr42.ci.payments.example.com",
        "edge:hostedZoneId": ZONE,
        "edge:certificateValidationTimeoutMinutes": 20,  # YAML: an integer, as in a hand-written stack file
        "edge:albDeletionProtection": False,  # dev's values are kept
        "edge:accessLogExpirationDays": 14,
    }
    header = (projects / "edge" / "Pulumi.pr42.yaml").read_text().splitlines()[0]
    assert f"--set edge:hostedZoneId={ZONE}" in header
    # What `pulumi up` would hand the program: no zone of its own, a certificate validated in ZONE.
    assert lifecycle("edge").settings is EdgeSettings
    settings: EdgeSettings = parse_settings(
        EdgeSettings, stack_config("edge", "pr42", projects).values, namespace="edge", env="pr42"
    )
    assert settings.domain_name == "pr42.ci.payments.example.com" and settings.hosted_zone_id == ZONE
    assert not settings.creates_zone and settings.creates_certificate
    assert (
        config_of(projects, "network")
        == yaml.safe_load((projects / "network" / "Pulumi.dev.yaml").read_text())["config"]
    )


def test_values_are_yaml_like_the_stack_files() -> None:
    assert parse_overrides(
        [
            "data:multiAz=false",
            "compute:desiredCount=3",
            "network:availabilityZones=[ap-northeast-2a, ap-northeast-2c]",
            'network:publicSubnetCidrs=["10.30.0.0/24","10.30.1.0/24"]',
            "edge:certificateArn=",
            "edge:healthCheckPath=/health=ok",
        ]
    ) == {
        "data:multiAz": False,
        "compute:desiredCount": 3,
        "network:availabilityZones": ["ap-northeast-2a", "ap-northeast-2c"],
        "network:publicSubnetCidrs": ["10.30.0.0/24", "10.30.1.0/24"],
        "edge:certificateArn": "",
        "edge:healthCheckPath": "/health=ok",
    }


def test_a_list_override_is_written_as_a_list_and_validated(projects: Path) -> None:
    azs = "network:availabilityZones=[ap-northeast-2a, ap-northeast-2c]"
    create_ephemeral("pr42", "dev", projects, overrides=parse_overrides([*OWN_DOMAIN, azs]))
    assert config_of(projects, "network")["network:availabilityZones"] == ["ap-northeast-2a", "ap-northeast-2c"]


@pytest.mark.parametrize(
    ("item", "message"),
    [
        (
            "edge:domainNme=x.example.com",
            r"--set edge:domainNme: edge has no setting 'domainNme' \(did you mean edge:domainName\?\)",
        ),
        ("edge:hostedZone=Z1234", r"\(did you mean edge:hostedZoneId\?\)"),
        ("aws:regoin=ap-northeast-2", r"aws has no setting 'regoin' \(did you mean aws:region\?\)"),
        (
            "cache:size=1",
            r"--set cache:size: 'cache' is not a layer: expected one of network, data, edge, compute, aws",
        ),
    ],
)
def test_unknown_keys_and_namespaces_are_refused_before_anything_is_written(
    projects: Path, item: str, message: str
) -> None:
    with pytest.raises(EphemeralEnvError, match=message):
        create_ephemeral("pr42", "dev", projects, overrides=parse_overrides([*OWN_DOMAIN, item]))
    assert written(projects) == [] and not is_ephemeral("pr42", projects)


@pytest.mark.parametrize("item", ["edge.domainName=x.example.com", "domainName=x.example.com", "edge:domainName"])
def test_an_override_not_shaped_layer_key_value_is_refused(item: str) -> None:
    with pytest.raises(EphemeralEnvError, match=r"is malformed: expected LAYER:KEY=VALUE"):
        parse_overrides([item])


def test_the_same_key_twice_with_different_values_is_refused() -> None:
    with pytest.raises(EphemeralEnvError, match="--set edge:hostedZoneId is given twice with different values"):
        parse_overrides([f"edge:hostedZoneId={ZONE}", "edge:hostedZoneId=Z999999"])


@pytest.mark.parametrize(
    ("item", "message"),
    [
        (
            "edge:hostedZoneId=zone-1",
            "edge:hostedZoneId = 'zone-1' is invalid: expected empty (create a zone) or a Route53",
        ),
        ("edge:idleTimeoutSeconds=5000", "edge:idleTimeoutSeconds = '5000' is invalid: expected 1-4000 seconds"),
        ("aws:region=us-east-1", "aws:region = 'us-east-1' is invalid: expected one of ap-northeast-2"),
        ("compute:desiredCount=lots", "compute:desiredCount = 'lots' is invalid"),
    ],
)
def test_a_value_the_settings_model_rejects_names_the_key_and_writes_nothing(
    projects: Path, item: str, message: str
) -> None:
    overrides = parse_overrides([OWN_DOMAIN[0], item])
    with pytest.raises(EphemeralEnvError) as e:
        create_ephemeral("pr42", "dev", projects, overrides=overrides)
    assert str(e.value).startswith("cannot create 'pr42': ") and message in str(e.value)
    assert "\n" not in str(e.value)
    assert written(projects) == [] and not is_ephemeral("pr42", projects)


def test_from_without_a_domain_of_its_own_is_refused(projects: Path) -> None:
    with pytest.raises(
        EphemeralEnvError,
        match=r"an ephemeral environment needs its own domain \(dev uses api\.dev\.payments\.example\.com, .*\): "
        r"pass e\.g\. --set edge:domainName=pr42\.ci\.payments\.example\.com --set edge:hostedZoneId=Z",
    ):
        create_ephemeral("pr42", "dev", projects, overrides=parse_overrides([f"edge:hostedZoneId={ZONE}"]))
    with pytest.raises(
        EphemeralEnvError, match=r"--set edge:domainName must differ from dev's api\.dev\.payments\.example\.com"
    ):
        create_ephemeral(
            "pr42", "dev", projects, overrides=parse_overrides(["edge:domainName=api.dev.payments.example.com"])
        )
    assert written(projects) == [] and not is_ephemeral("pr42", projects)


def test_a_source_without_a_domain_needs_no_domain_override(projects: Path) -> None:
    edge_dev = projects / "edge" / "Pulumi.dev.yaml"
    edge_dev.write_text("config:\n  aws:region: ap-northeast-2\n")
    create_ephemeral("pr42", "dev", projects)
    assert written(projects) == ["compute", "data", "edge", "network"]


def test_a_retry_with_the_same_overrides_keeps_the_files_and_other_overrides_are_refused(projects: Path) -> None:
    overrides = parse_overrides(OWN_DOMAIN)
    files = create_ephemeral("pr42", "dev", projects, overrides=overrides)
    edge = projects / "edge" / "Pulumi.pr42.yaml"
    edge.write_text("encryptionsalt: v1:abc\n" + edge.read_text())  # what `pulumi stack init` adds
    assert create_ephemeral("pr42", "dev", projects, overrides=parse_overrides(OWN_DOMAIN)) == files
    assert edge.read_text().startswith("encryptionsalt: v1:abc")
    other = parse_overrides(["edge:domainName=pr43.ci.payments.example.com", f"edge:hostedZoneId={ZONE}"])
    with pytest.raises(
        EphemeralEnvError,
        match=r"environment 'pr42' already exists \(projects/edge/Pulumi.pr42.yaml\) with other settings",
    ):
        create_ephemeral("pr42", "dev", projects, overrides=other)
    assert config_of(projects, "edge")["edge:domainName"] == "pr42.ci.payments.example.com"


def test_set_without_from_is_refused_before_anything_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tasks_stacks, "_engine", lambda: pytest.fail("no engine may be built"))
    with pytest.raises(Exit) as e:
        tasks_stacks.deploy_all(Context(), env="pr42", set_=OWN_DOMAIN)
    assert e.value.code == 2
    assert e.value.message == "--set only applies with --from: it sets config in a new ephemeral environment's stacks"


def _in(projects: Path, real: Callable[..., Any]) -> Callable[..., Any]:
    """`real` with its `projects_dir` defaulting to the throwaway tree instead of the repository's."""

    def call(*args: Any, **kwargs: Any) -> Any:
        if len(args) < 2 + (real.__name__ == "create_ephemeral") and "projects_dir" not in kwargs:
            kwargs["projects_dir"] = projects
        return real(*args, **kwargs)

    return call


def test_a_new_environment_refused_after_its_files_were_written_leaves_no_file_behind(
    projects: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The copy goes to a throwaway tree; the refusal comes from the checks after it (here the
    # environment check, which reads the real projects, where pr42 does not exist).
    for name in ("create_ephemeral", "is_ephemeral", "remove_ephemeral"):
        monkeypatch.setattr(ephemeral, name, _in(projects, getattr(ephemeral, name)))
    monkeypatch.setattr(tasks_stacks, "_engine", lambda: pytest.fail("no engine may be built"))
    before = sorted(str(p.relative_to(projects)) for p in projects.rglob("*") if p.is_file())
    with pytest.raises(Exit) as e:
        tasks_stacks.deploy_all(Context(), env="pr42", from_="dev", set_=OWN_DOMAIN)
    assert e.value.code == 2 and "unknown environment 'pr42'" in str(e.value.message)
    assert sorted(str(p.relative_to(projects)) for p in projects.rglob("*") if p.is_file()) == before


# The command line (against the real projects: every case is refused before a file is written) ----------


def test_deploy_all_help_lists_the_set_option() -> None:
    # `invoke --help deploy-all`: after the task name, invoke would take --help as the positional ENV.
    result = run_invoke("--help", "deploy-all")
    assert result.returncode == 0, result.stderr
    assert "--set" in result.stdout and "LAYER:KEY=VALUE" in result.stdout
    assert "edge:hostedZoneId" in result.stdout


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (("--set", OWN_DOMAIN[0]), "--set only applies with --from"),
        (("--from", "dev"), "an ephemeral environment needs its own domain (dev uses api.dev.payments.example.com"),
        (("--from", "dev", "--set", "edge:domainNme=x.example.com"), "(did you mean edge:domainName?)"),
        # Both repeated --set reach the check: the domain passes, the second value is refused.
        (
            ("--from", "dev", "--set", OWN_DOMAIN[0], "--set", "edge:hostedZoneId=zone-1"),
            "cannot create 'pr42': edge:hostedZoneId = 'zone-1' is invalid",
        ),
    ],
)
def test_deploy_all_refuses_bad_overrides_in_one_line(args: tuple[str, ...], line: str) -> None:
    result = run_invoke("deploy-all", "--env", "pr42", *args)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    lines = [ln for ln in result.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and line in lines[0], result.stderr
    assert not list((REPO / "projects").glob("*/Pulumi.pr42.yaml"))


def test_the_sources_own_zone_delegation_set_and_certificate_stay_behind(projects: Path) -> None:
    # Dev after the first-deploy advice: its reserved name servers committed in its stack file.
    dev = projects / "edge" / "Pulumi.dev.yaml"
    dev.write_text(dev.read_text().replace("config:\n", "config:\n  edge:delegationSetId: N0123456789ABC\n", 1))
    create_ephemeral("pr42", "dev", projects, overrides=parse_overrides(OWN_DOMAIN))
    edge = config_of(projects, "edge")
    assert "edge:delegationSetId" not in edge
    assert edge["edge:hostedZoneId"] == ZONE
    assert set(lifecycle("edge").not_copied) == {"hostedZoneId", "delegationSetId", "certificateArn"}
