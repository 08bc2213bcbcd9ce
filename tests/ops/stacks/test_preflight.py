"""Preflight against moto in server mode on loopback: each missing piece is one clear line."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from datetime import UTC
from pathlib import Path

import boto3
import pytest
import yaml
from botocore.stub import Stubber
from moto.rds.models import RDSBackend

from ops.aws import AwsClients
from ops.environment.environment import Environment
from ops.environment.stack_files import PROJECTS_DIR, stack_config
from ops.stacks.preflight import check_config, check_credentials, check_pulumi_cli, run_preflight
from payments_compute.ecr_image import EXPECTED_IMAGE
from payments_compute.preflight import check_image
from payments_data.preflight import check_db_secret, check_final_snapshot
from payments_data.settings import DataSettings
from shared.layers import LAYER_NAMES
from shared.settings import StackSettings, parse_settings

REGION = "ap-northeast-2"
ACCOUNT = "123456789012"  # moto's default account
IMAGE = f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/payments-api:1.0.0"
# A team backend, as a protected environment needs (`invoke bootstrap` prints this URL).
TEAM_BUCKET = f"pulumi-state-payments-prod-{ACCOUNT}"
TEAM_BACKEND = f"s3://{TEAM_BUCKET}?region={REGION}"
GOOD_ENV = {"PULUMI_CONFIG_PASSPHRASE": "test", "PULUMI_BACKEND_URL": TEAM_BACKEND}


@pytest.fixture
def moto_endpoint(moto_server: str) -> str:
    """The suite's one moto server (tests/conftest.py)."""
    return moto_server


@pytest.fixture
def aws(moto_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[AwsClients]:
    """Clients on moto with fake credentials; moto's state is reset after each test."""
    for var in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN"):
        monkeypatch.delenv(var, raising=False)
    session = boto3.Session(aws_access_key_id="testing", aws_secret_access_key="testing", region_name=REGION)
    clients = AwsClients(REGION, session=session, endpoint_url=moto_endpoint)
    # The team backend exists, as `invoke bootstrap` leaves it: preflight checks the layer's state is writable.
    clients.client("s3").create_bucket(Bucket=TEAM_BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})
    yield clients
    reset = urllib.request.Request(f"{moto_endpoint}/moto-api/reset", method="POST")
    urllib.request.urlopen(reset, timeout=10).read()


@pytest.fixture
def rds_offers(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, object]]:
    """What RDS offers for PostgreSQL here: moto answers DescribeOrderableDBInstanceOptions only for Aurora
    and Neptune, so its backend is given the offer of the layers' default class, as the real API states it."""
    offers: list[dict[str, object]] = [
        {"Engine": "postgres", "EngineVersion": "17.2", "DBInstanceClass": "db.t3.micro", "MultiAZCapable": True}
    ]
    monkeypatch.setattr(
        RDSBackend,
        "describe_orderable_db_instance_options",
        lambda self, engine, engine_version: offers if engine == "postgres" else [],
    )
    return offers


def _secret(aws: AwsClients, name: str, payload: str) -> None:
    aws.client("secretsmanager").create_secret(Name=name, SecretString=payload)


def _image(aws: AwsClients, repository: str = "payments-api", tag: str = "1.0.0") -> None:
    ecr = aws.client("ecr")
    ecr.create_repository(repositoryName=repository)
    manifest = {"schemaVersion": 2, "mediaType": "application/vnd.docker.distribution.manifest.v2+json"}
    ecr.put_image(repositoryName=repository, imageManifest=json.dumps(manifest), imageTag=tag)


@pytest.fixture
def stack_files(projects: Path) -> Path:
    """The throwaway projects tree with the data secret id and the compute image in dev."""
    (projects / "data" / "Pulumi.dev.yaml").write_text(
        f"config:\n  aws:region: {REGION}\n  data:service: payments\n  data:dbSecretId: payments/dev/db-master\n"
    )
    (projects / "compute" / "Pulumi.dev.yaml").write_text(
        f"config:\n  aws:region: {REGION}\n  compute:service: payments\n  compute:image: {IMAGE}\n"
    )
    return projects


def _preflight(
    aws: AwsClients, projects: Path, env: str = "dev", layers: tuple[str, ...] = LAYER_NAMES, **kw: object
) -> tuple[str, ...]:
    """Preflight of `layers` in the throwaway tree, with the CLI, backend and policy pack in place and no
    settings models."""
    pack = projects.parent / "policy"
    (pack / "venv" / "lib" / "python3.11" / "site-packages" / "pulumi_policy").mkdir(parents=True, exist_ok=True)
    args = {
        "changes_config": True,
        "aws": aws,
        "which": lambda _: "/usr/local/bin/pulumi",
        "environ": GOOD_ENV,
        "models": {},
        "policy_dir": pack,
    }
    args.update(kw)
    return run_preflight(Environment.load(env, projects), layers, **args).problems  # type: ignore[arg-type]


# The DB secret -----------------------------------------------------------------------------


def test_missing_secret_is_one_line_naming_the_key_and_the_fix(aws: AwsClients) -> None:
    problem = check_db_secret(aws.client("secretsmanager"), "payments/dev/db-master")
    assert problem is not None and "\n" not in problem
    assert problem.startswith("data:dbSecretId = 'payments/dev/db-master': no such secret in this account and region")
    assert "aws secretsmanager create-secret --name payments/dev/db-master" in problem


_EXPECTED_JSON = 'expected a JSON object {"username": "...", "password": "..."}'


def test_secret_without_password_is_rejected(aws: AwsClients) -> None:
    _secret(aws, "payments/dev/db-master", json.dumps({"username": "payments"}))
    assert check_db_secret(aws.client("secretsmanager"), "payments/dev/db-master") == (
        "data:dbSecretId = 'payments/dev/db-master' is invalid: key 'password' of the secret "
        f"is missing or not a non-empty string: {_EXPECTED_JSON}"
    )


def test_secret_that_is_not_json_is_rejected_without_echoing_it(aws: AwsClients) -> None:
    _secret(aws, "payments/dev/db-master", "hunter2")
    problem = check_db_secret(aws.client("secretsmanager"), "payments/dev/db-master")
    assert problem == (
        f"data:dbSecretId = 'payments/dev/db-master' is invalid: the secret's value is not valid JSON: {_EXPECTED_JSON}"
    )
    assert "hunter2" not in problem


def test_password_rds_refuses_is_rejected_as_the_data_program_would_without_echoing_it(aws: AwsClients) -> None:
    _secret(aws, "payments/dev/db-master", json.dumps({"username": "payments", "password": "p@ss/word-long"}))
    problem = check_db_secret(aws.client("secretsmanager"), "payments/dev/db-master")
    assert problem == (
        "data:dbSecretId = 'payments/dev/db-master' is invalid: key 'password' of the secret is not a valid "
        'master password: expected 8-128 printable ASCII characters without / " @ or spaces'
    )
    assert "p@ss" not in problem and "\n" not in problem


def test_username_rds_reserves_is_rejected(aws: AwsClients) -> None:
    _secret(aws, "payments/dev/db-master", json.dumps({"username": "rdsadmin", "password": "s3cr3t-long"}))
    problem = check_db_secret(aws.client("secretsmanager"), "payments/dev/db-master")
    assert problem is not None
    assert problem.startswith(
        "data:dbSecretId = 'payments/dev/db-master' is invalid: key 'username' of the secret is not a valid "
        "master user name"
    )


def test_secret_with_username_and_password_passes(aws: AwsClients) -> None:
    _secret(aws, "payments/dev/db-master", json.dumps({"username": "payments", "password": "s3cr3t-long"}))
    assert check_db_secret(aws.client("secretsmanager"), "payments/dev/db-master") is None


# The image ---------------------------------------------------------------------------------


def test_missing_repository_is_reported(aws: AwsClients) -> None:
    assert check_image(aws.client("ecr"), IMAGE) == (
        f"compute:image = '{IMAGE}': ECR repository 'payments-api' does not exist in account {ACCOUNT}"
    )


def test_missing_image_tag_is_reported(aws: AwsClients) -> None:
    _image(aws, tag="0.9.0")
    assert check_image(aws.client("ecr"), IMAGE) == (
        f"compute:image = '{IMAGE}': 1.0.0 is not in ECR repository 'payments-api': push the image first"
    )


def test_pushed_image_passes(aws: AwsClients) -> None:
    _image(aws)
    assert check_image(aws.client("ecr"), IMAGE) is None


def test_non_ecr_image_is_reported_without_calling_aws() -> None:
    assert check_image(object(), "nginx:latest") == f"compute:image = 'nginx:latest': {EXPECTED_IMAGE}"


@pytest.mark.parametrize(
    "image",
    [
        f"{ACCOUNT}.dkr.ecr.ap-northeast-2.amazonaws.com/Payments-API:1.0.0",  # ECR names are lowercase
        f"{ACCOUNT}.dkr.ecr.ap-northeast-2.amazonaws.com/payments-api:-bad",  # a tag may not start with "-"
        f"{ACCOUNT}.dkr.ecr.not-a-region.amazonaws.com/payments-api:1.0.0",
    ],
)
def test_image_the_compute_program_refuses_is_refused_here_too(image: str) -> None:
    assert check_image(object(), image) == f"compute:image = {image!r}: {EXPECTED_IMAGE}"


# Credentials and the CLI -------------------------------------------------------------------


def test_valid_credentials_pass(aws: AwsClients) -> None:
    assert check_credentials(aws.client("sts"), REGION) is None


def test_expired_credentials_say_how_to_refresh() -> None:
    sts = boto3.client("sts", region_name=REGION, aws_access_key_id="a", aws_secret_access_key="b")
    with Stubber(sts) as stub:
        stub.add_client_error(
            "get_caller_identity", service_error_code="ExpiredToken", service_message="The security token is expired"
        )
        problem = check_credentials(sts, REGION)
    assert problem == (
        f"AWS credentials: rejected by STS in {REGION} (ExpiredToken: expired or invalid): refresh them "
        "(`aws sso login`, or export AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY/AWS_SESSION_TOKEN)"
    )


def test_no_credentials_at_all_are_reported(
    moto_endpoint: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for var in (
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_PROFILE",
        "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
        "AWS_CONTAINER_CREDENTIALS_FULL_URI",
        "AWS_WEB_IDENTITY_TOKEN_FILE",
    ):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    problem = check_credentials(AwsClients(REGION, endpoint_url=moto_endpoint).client("sts"), REGION)
    assert problem is not None and problem.startswith(f"AWS credentials: none found for {REGION}: refresh them")


def test_missing_cli_gives_the_install_hint(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    assert check_pulumi_cli(lambda _: None) == (
        "Pulumi CLI: not found on PATH: install it with `curl -fsSL https://get.pulumi.com | sh` "
        "(or see https://www.pulumi.com/docs/install/), then open a new shell so ~/.pulumi/bin is on PATH"
    )
    (tmp_path / ".pulumi" / "bin").mkdir(parents=True)
    (tmp_path / ".pulumi" / "bin" / "pulumi").write_text("")
    assert check_pulumi_cli(lambda _: None) == (
        f"Pulumi CLI: found {tmp_path}/.pulumi/bin/pulumi but it is not on PATH: add ~/.pulumi/bin to PATH"
    )
    assert check_pulumi_cli(lambda _: "/usr/bin/pulumi") is None


# Config ------------------------------------------------------------------------------------


def test_real_network_config_of_dev_and_prod_is_valid() -> None:
    assert check_config(Environment.load("dev"), ["network"]) == []
    assert check_config(Environment.load("prod"), ["network"]) == []


def test_bad_network_config_names_the_key(projects: Path) -> None:
    layer = projects / "network"
    (layer / "Pulumi.yaml").write_text((PROJECTS_DIR / "network" / "Pulumi.yaml").read_text())
    (layer / "Pulumi.dev.yaml").write_text("config:\n  aws:region: ap-northeast-2\n  network:vpcCidr: 10.0.0.0/8\n")
    problems = check_config(Environment.load("dev", projects), ["network"])
    assert problems == [
        "config of network/dev: network:vpcCidr = '10.0.0.0/8' is invalid: expected a prefix length between /16 and /24"
    ]


# All together ------------------------------------------------------------------------------


def test_everything_in_place_passes(aws: AwsClients, stack_files: Path) -> None:
    _secret(aws, "payments/dev/db-master", json.dumps({"username": "payments", "password": "s3cr3t-long"}))
    _image(aws)
    assert _preflight(aws, stack_files) == ()


def test_every_missing_piece_is_reported_together(aws: AwsClients, stack_files: Path) -> None:
    problems = _preflight(aws, stack_files, which=lambda _: None, environ={"PULUMI_BACKEND_URL": "file:///tmp/s"})
    assert [p.split(":")[0] for p in problems] == ["Pulumi CLI", "Pulumi backend", "data", "compute"]
    assert all("\n" not in p for p in problems)


def test_teardown_preflight_skips_the_image_but_checks_the_secret_the_data_flip_needs(
    aws: AwsClients, stack_files: Path
) -> None:
    assert _preflight(aws, stack_files, changes_config=False) == (
        "data:dbSecretId = 'payments/dev/db-master': no such secret in this account and region: create it first, "
        """e.g. `aws secretsmanager create-secret --name payments/dev/db-master --secret-string '{"username":"...","""
        """"password":"..."}'`""",
    )
    _secret(aws, "payments/dev/db-master", json.dumps({"username": "payments", "password": "s3cr3t-long"}))
    assert _preflight(aws, stack_files, changes_config=False) == ()


def test_teardown_preflight_checks_the_config_of_the_flipped_layers_only(aws: AwsClients, stack_files: Path) -> None:
    _secret(aws, "payments/dev/db-master", json.dumps({"username": "payments", "password": "s3cr3t-long"}))
    # The bare base model knows none of the layers' keys, so each checked layer reports its own.
    models = {layer: StackSettings for layer in LAYER_NAMES}
    problems = _preflight(aws, stack_files, changes_config=False, models=models)
    assert problems and {p.split(":")[0] for p in problems} == {"config of data/dev", "config of edge/dev"}
    assert "config of data/dev: data:dbSecretId is not a setting of this project" in " ".join(problems)


def test_teardown_of_network_or_compute_alone_needs_neither_config_nor_secret(
    aws: AwsClients, stack_files: Path
) -> None:
    models = {layer: StackSettings for layer in LAYER_NAMES}
    problems = run_preflight(
        Environment.load("dev", stack_files),
        ["network", "compute"],
        changes_config=False,
        aws=aws,
        which=lambda _: "pulumi",
        environ=GOOD_ENV,
        models=models,
    ).problems
    assert problems == ()


def test_deploying_network_alone_does_not_need_the_secret_or_image(aws: AwsClients, stack_files: Path) -> None:
    pack = stack_files.parent / "policy"
    (pack / "venv" / "lib" / "python3.11" / "site-packages" / "pulumi_policy").mkdir(parents=True)
    problems = run_preflight(
        Environment.load("dev", stack_files),
        ["network"],
        changes_config=True,
        aws=aws,
        which=lambda _: "pulumi",
        environ=GOOD_ENV,
        models={},
        policy_dir=pack,
    ).problems
    assert problems == ()


# The final DB snapshot's name (teardown) ---------------------------------------------------

FINAL_SNAPSHOT = "snapshot-payments-final-prod"


@pytest.fixture
def data_stacks(projects: Path) -> Path:
    """The throwaway tree with the real data project and its real dev/prod stack files."""
    for name in ("Pulumi.yaml", "Pulumi.dev.yaml", "Pulumi.prod.yaml"):
        (projects / "data" / name).write_text((PROJECTS_DIR / "data" / name).read_text())
    return projects


def _snapshot_preflight(
    aws: AwsClients,
    projects: Path,
    env: str,
    layers: tuple[str, ...] = LAYER_NAMES,
    *,
    changes_config: bool = False,
    with_secret: bool = True,
) -> tuple[str, ...]:
    """Preflight over the copied data stacks; with the data secret in place only the snapshot check can speak."""
    if with_secret:
        _secret(aws, f"payments/{env}/db-master", json.dumps({"username": "payments", "password": "s3cr3t-long"}))
    return _preflight(aws, projects, env, layers, changes_config=changes_config)


def _earlier_final_snapshot(aws: AwsClients, env: str = "prod") -> str:
    """An earlier teardown's snapshot under `env`'s final snapshot name; returns its creation time."""
    rds = aws.client("rds")
    rds.create_db_instance(
        DBInstanceIdentifier=f"rds-payments-{env}",
        DBInstanceClass="db.t3.micro",
        Engine="postgres",
        MasterUsername="payments",
        MasterUserPassword="s3cr3t-long",
        AllocatedStorage=20,
    )
    snapshot = rds.create_db_snapshot(
        DBInstanceIdentifier=f"rds-payments-{env}", DBSnapshotIdentifier=f"snapshot-payments-final-{env}"
    )
    created = snapshot["DBSnapshot"]["SnapshotCreateTime"].astimezone(UTC)
    return f"{created:%Y-%m-%d %H:%M}"


def _final_snapshot_identifier(env: str, projects: Path) -> str | None:
    values = stack_config("data", env, projects).values
    return parse_settings(DataSettings, values, namespace="data", env=env).final_snapshot_identifier


def test_prod_final_snapshot_name_comes_from_the_data_settings(data_stacks: Path) -> None:
    assert _final_snapshot_identifier("prod", data_stacks) == FINAL_SNAPSHOT
    assert _final_snapshot_identifier("dev", data_stacks) is None  # dev skips the final snapshot


def test_prod_teardown_stops_when_the_final_snapshot_name_is_taken(aws: AwsClients, data_stacks: Path) -> None:
    created = _earlier_final_snapshot(aws)
    day = created[:10].replace("-", "")
    assert _snapshot_preflight(aws, data_stacks, "prod") == (
        f"final DB snapshot {FINAL_SNAPSHOT}: the name is taken by an earlier teardown's snapshot "
        f"(created {created} UTC), so RDS would refuse to delete the instance after the layers above it are gone: "
        "copy it under another name and delete it "
        f"(`aws rds copy-db-snapshot --source-db-snapshot-identifier {FINAL_SNAPSHOT} "
        f"--target-db-snapshot-identifier {FINAL_SNAPSHOT}-{day} --copy-tags`, "
        f"`aws rds wait db-snapshot-available --db-snapshot-identifier {FINAL_SNAPSHOT}-{day}`, "
        f"then `aws rds delete-db-snapshot --db-snapshot-identifier {FINAL_SNAPSHOT}`), then run the teardown again",
    )


def test_prod_teardown_of_the_data_layer_alone_also_checks_the_name(aws: AwsClients, data_stacks: Path) -> None:
    _earlier_final_snapshot(aws)
    problems = _snapshot_preflight(aws, data_stacks, "prod", ("data",))
    assert [p.split(":")[0] for p in problems] == [f"final DB snapshot {FINAL_SNAPSHOT}"]


def test_prod_teardown_passes_when_the_final_snapshot_name_is_free(aws: AwsClients, data_stacks: Path) -> None:
    assert _snapshot_preflight(aws, data_stacks, "prod") == ()


def test_teardown_without_the_data_layer_does_not_check_the_name(aws: AwsClients, data_stacks: Path) -> None:
    _earlier_final_snapshot(aws)
    assert _snapshot_preflight(aws, data_stacks, "prod", ("edge", "compute"), with_secret=False) == ()


def test_dev_teardown_skips_the_final_snapshot_so_the_name_is_not_checked(aws: AwsClients, data_stacks: Path) -> None:
    # A snapshot under dev's would-be name: dev deletes without one, so it is no obstacle.
    _earlier_final_snapshot(aws, "dev")
    assert _snapshot_preflight(aws, data_stacks, "dev") == ()


def test_prod_deploy_does_not_check_the_final_snapshot_name(
    aws: AwsClients, data_stacks: Path, rds_offers: list[dict[str, object]]
) -> None:
    _earlier_final_snapshot(aws)
    problems = _snapshot_preflight(
        aws, data_stacks, "prod", ("network", "data"), changes_config=True, with_secret=False
    )
    # Only the secret the data program reads is missing; the existing snapshot is no concern of a deploy.
    assert [p.split(":")[0] for p in problems] == ["data"]


def test_real_not_found_code_means_the_name_is_free_and_other_errors_are_one_line() -> None:
    rds = boto3.client("rds", region_name=REGION, aws_access_key_id="a", aws_secret_access_key="b")
    with Stubber(rds) as stub:
        stub.add_client_error("describe_db_snapshots", service_error_code="DBSnapshotNotFound", http_status_code=404)
        assert check_final_snapshot(rds, FINAL_SNAPSHOT) is None
        stub.add_client_error("describe_db_snapshots", service_error_code="AccessDenied", http_status_code=403)
        assert check_final_snapshot(rds, FINAL_SNAPSHOT) == (
            f"final DB snapshot {FINAL_SNAPSHOT}: access denied: "
            "these credentials need rds:DescribeDBSnapshots to check the name is free"
        )
        stub.add_client_error("describe_db_snapshots", service_error_code="Throttling", http_status_code=400)
        assert check_final_snapshot(rds, FINAL_SNAPSHOT) == (
            f"final DB snapshot {FINAL_SNAPSHOT}: cannot look it up in RDS (Throttling)"
        )


# A team backend for protected environments ----------------------------------------------


def _prod_preflight(
    aws: AwsClients,
    projects: Path,
    layers: tuple[str, ...],
    *,
    changes_config: bool = True,
    environ: dict[str, str] = GOOD_ENV,
) -> tuple[str, ...]:
    return _preflight(aws, projects, "prod", layers, changes_config=changes_config, environ=environ)


def test_prod_on_the_local_backend_is_refused_unless_explicitly_allowed(aws: AwsClients, stack_files: Path) -> None:
    local = {"PULUMI_CONFIG_PASSPHRASE": "test"}
    problems = _prod_preflight(aws, stack_files, ("network",), environ=local)
    assert problems == (
        "prod state must not live on this machine (the local file backend (PULUMI_BACKEND_URL is unset)): run "
        "`invoke bootstrap --env prod` and export the PULUMI_BACKEND_URL it prints, or set "
        "PAYMENTS_ALLOW_LOCAL_BACKEND=1 if you really mean a local backend",
    )
    allowed = {**local, "PAYMENTS_ALLOW_LOCAL_BACKEND": "1"}
    assert _prod_preflight(aws, stack_files, ("network",), environ=allowed) == ()
    # A teardown of prod from a laptop's state is refused the same way.
    teardown = _prod_preflight(aws, stack_files, ("network",), changes_config=False, environ=local)
    assert teardown == problems


# The account guard -------------------------------------------------------------------------

ROLE_ACCOUNT = "111122223333"
ROLE = f"arn:aws:iam::{ROLE_ACCOUNT}:role/deploy"
GOOD_SECRET = json.dumps({"username": "payments", "password": "s3cr3t-long"})
PROD_SECRET = "payments/prod/db-master"


def _real_stacks(projects: Path, layers: tuple[str, ...], **extra: object) -> None:
    """The real projects' Pulumi.yaml and prod stack files in the throwaway tree, with `extra` keys in each."""
    for layer in layers:
        (projects / layer / "Pulumi.yaml").write_text((PROJECTS_DIR / layer / "Pulumi.yaml").read_text())
        config = yaml.safe_load((PROJECTS_DIR / layer / "Pulumi.prod.yaml").read_text())["config"]
        config.update({f"{layer}:{key}": value for key, value in extra.items()})
        (projects / layer / "Pulumi.prod.yaml").write_text(yaml.safe_dump({"config": config}))


def test_credentials_of_another_account_stop_preflight_naming_both_accounts(
    aws: AwsClients, projects: Path, rds_offers: list[dict[str, object]]
) -> None:
    _real_stacks(projects, ("network", "data"), allowedAccountIds=[ROLE_ACCOUNT])
    # Only the guard speaks (the secret is missing too): the layers' checks would judge another account.
    assert _prod_preflight(aws, projects, ("network", "data")) == (
        f"these credentials are account {ACCOUNT}, prod belongs to {ROLE_ACCOUNT}",
    )
    _real_stacks(projects, ("network", "data"), allowedAccountIds=[ROLE_ACCOUNT, ACCOUNT])
    _secret(aws, PROD_SECRET, GOOD_SECRET)
    assert _prod_preflight(aws, projects, ("network", "data")) == ()


def test_the_guard_is_read_from_a_teardown_that_runs_no_program(aws: AwsClients, projects: Path) -> None:
    _real_stacks(projects, ("network",), allowedAccountIds=[ROLE_ACCOUNT])
    problems = _prod_preflight(aws, projects, ("network",), changes_config=False)
    assert problems == (f"these credentials are account {ACCOUNT}, prod belongs to {ROLE_ACCOUNT}",)


def test_checks_run_in_the_account_of_the_role_the_stacks_assume(
    aws: AwsClients, projects: Path, rds_offers: list[dict[str, object]]
) -> None:
    _real_stacks(projects, ("network", "data"), allowedAccountIds=[ROLE_ACCOUNT], assumeRoleArn=ROLE)
    _secret(aws, PROD_SECRET, GOOD_SECRET)  # in the caller's own account: not the environment's
    problems = _prod_preflight(aws, projects, ("network", "data"))
    assert len(problems) == 1 and problems[0].startswith(
        f"data:dbSecretId = '{PROD_SECRET}': no such secret in this account and region"
    )
    _secret(aws.assume_role(ROLE, "test-seed"), PROD_SECRET, GOOD_SECRET)
    assert _prod_preflight(aws, projects, ("network", "data")) == ()


def test_layers_naming_different_accounts_are_one_line_naming_both_keys(aws: AwsClients, projects: Path) -> None:
    _real_stacks(projects, ("network",), allowedAccountIds=[ROLE_ACCOUNT])
    _real_stacks(projects, ("data",), allowedAccountIds=[ACCOUNT])
    assert _prod_preflight(aws, projects, ("network", "data")) == (
        f'network:allowedAccountIds = ["{ROLE_ACCOUNT}"], data:allowedAccountIds = ["{ACCOUNT}"]: expected the same '
        "value in every layer of prod (an environment lives in one account and region)",
    )


# What AWS offers this account: zones and instance classes ---------------------------------


def test_deploy_confirms_zones_and_instance_class_with_aws(
    aws: AwsClients, projects: Path, rds_offers: list[dict[str, object]]
) -> None:
    _real_stacks(projects, ("network", "data"))
    _secret(aws, PROD_SECRET, GOOD_SECRET)
    assert _prod_preflight(aws, projects, ("network", "data")) == ()
    rds_offers.clear()  # RDS no longer offers the class for PostgreSQL 17
    assert _prod_preflight(aws, projects, ("network", "data")) == (
        "data:instanceClass = 'db.t3.micro' (PostgreSQL 17, ap-northeast-2): RDS does not offer this class for this "
        "major here",
    )


def test_teardown_does_not_ask_what_aws_offers_for_new_resources(aws: AwsClients, projects: Path) -> None:
    _real_stacks(projects, ("network", "data"))
    _secret(aws, PROD_SECRET, GOOD_SECRET)
    # moto offers no PostgreSQL class at all: a deploy would stop, a teardown must not.
    problems = _prod_preflight(aws, projects, ("network", "data"), changes_config=False)
    assert problems == ()


def test_a_deploy_without_the_policy_packs_virtualenv_says_how_to_make_it(aws: AwsClients, projects: Path) -> None:
    problems = _preflight(aws, projects, policy_dir=projects.parent / "no-pack")
    assert (
        f"policy pack: {projects.parent / 'no-pack' / 'venv'} does not exist, and every preview and deploy runs the "
        "pack in it: make it once with `python3 -m venv policy/venv && policy/venv/bin/pip install -r "
        "policy/requirements.txt`"
    ) in problems
    assert not any("policy pack" in p for p in _preflight(aws, projects, changes_config=False, policy_dir=projects))
