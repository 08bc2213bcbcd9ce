"""Preflight: everything a deploy needs, checked before anything changes (SPEC §6).

Pulumi CLI on PATH, a usable backend, valid AWS credentials for the configured region, complete
and valid stack config, the existing DB secret holding credentials RDS accepts, and the image in
ECR; before a teardown that keeps a final DB snapshot, that the snapshot's name is free. Each
failure is one line that names the problem and the fix; all are reported together.
The secret and the image are judged by the layers' own parsers (`payments_data.credentials`,
`payments_compute.ecr_image`), so preflight accepts exactly what the programs accept.
The boto3 calls take an `AwsClients`, so tests point them at moto on loopback.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC
from pathlib import Path
from typing import Any

import boto3
from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError

from ops.automation import PULUMI_INSTALL_HINT, BackendError, backend_settings
from ops.orchestrator import teardown_flips
from ops.stack_config import PROJECTS_DIR, StackConfigError, layer_exists, settings_model, stack_config
from shared.layers import LAYER_NAMES
from shared.settings import ConfigError, StackSettings, parse_settings

DB_SECRET_KEY = "data:dbSecretId"
IMAGE_KEY = "compute:image"
REGION_KEY = "aws:region"
_BAD_CREDENTIALS = (
    "InvalidClientTokenId",
    "ExpiredToken",
    "ExpiredTokenException",
    "SignatureDoesNotMatch",
    "UnrecognizedClientException",
    "AccessDenied",
    "InvalidToken",
)


@dataclass(frozen=True)
class AwsClients:
    """boto3 clients for one region (and, in tests, one endpoint such as moto on loopback)."""

    region: str
    session: boto3.Session | None = None
    endpoint_url: str | None = None

    def client(self, service: str) -> Any:
        """A client of `service` in this region."""
        session = self.session or boto3.Session()
        return session.client(service, region_name=self.region, endpoint_url=self.endpoint_url)


# The checks: each returns None when fine, or one line -------------------------------------


def check_pulumi_cli(which: Callable[[str], str | None] = shutil.which) -> str | None:
    """The Pulumi CLI the Automation API drives must be on PATH."""
    if which("pulumi"):
        return None
    installed = Path.home() / ".pulumi" / "bin" / "pulumi"
    if installed.is_file():
        return f"Pulumi CLI: found {installed} but it is not on PATH: add ~/.pulumi/bin to PATH"
    return f"Pulumi CLI: not found on PATH: {PULUMI_INSTALL_HINT}"


def check_backend(environ: Mapping[str, str] | None = None) -> str | None:
    """The backend can encrypt secrets (a passphrase or a secrets provider is set)."""
    try:
        backend_settings(environ)
    except BackendError as e:
        return f"Pulumi backend: {e}"
    return None


def check_credentials(sts: Any, region: str) -> str | None:
    """`sts get-caller-identity` succeeds in `region` with the credentials boto3 finds."""
    fix = "refresh them (`aws sso login`, or export AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY/AWS_SESSION_TOKEN)"
    try:
        sts.get_caller_identity()
    except NoCredentialsError:
        return f"AWS credentials: none found for {region}: {fix}, or set AWS_PROFILE"
    except ClientError as e:
        code = e.response.get("Error", {}).get("Code", "")
        if code in _BAD_CREDENTIALS:
            return f"AWS credentials: rejected by STS in {region} ({code}: expired or invalid): {fix}"
        return f"AWS credentials: STS in {region} failed ({code}): {e.response.get('Error', {}).get('Message', '')}"
    except BotoCoreError as e:
        return f"AWS credentials: cannot reach STS in {region}: {e}"
    return None


Models = Mapping[str, type[StackSettings]]


def check_config(
    env: str, layers: Iterable[str], projects_dir: Path = PROJECTS_DIR, models: Models | None = None
) -> list[str]:
    """Each built layer's stack config parses into its settings model (one line per bad key).

    `models` replaces the layers' own settings models (tests); a layer without one is only read.
    """
    problems: list[str] = []
    for layer in layers:
        if not layer_exists(layer, projects_dir):
            continue
        try:
            values = stack_config(layer, env, projects_dir).values
            model = settings_model(layer) if models is None else models.get(layer)
            if model is not None:
                parse_settings(model, values, namespace=layer, env=env)
        except (ConfigError, StackConfigError) as e:
            problems.extend(f"config of {layer}/{env}: {line}" for line in str(e).splitlines())
        except (ImportError, LookupError) as e:
            problems.append(f"config of {layer}/{env}: cannot load the settings model of payments_{layer}: {e}")
    return problems


def check_db_secret(secretsmanager: Any, secret_id: str) -> str | None:
    """The existing DB secret can be read and holds credentials the data program (and RDS) accepts.

    The value is judged by the data layer's own `parse_credentials`; it is never printed or kept.
    """
    from payments_data.credentials import parse_credentials  # the layer's package; imported when used

    where = f"{DB_SECRET_KEY} = {secret_id!r}"
    try:
        value = secretsmanager.get_secret_value(SecretId=secret_id)
    except ClientError as e:
        code = e.response.get("Error", {}).get("Code", "")
        if code == "ResourceNotFoundException":
            return (
                f"{where}: no such secret in this account and region: create it first, e.g. "
                f"`aws secretsmanager create-secret --name {secret_id} "
                """--secret-string '{"username":"...","password":"..."}'`"""
            )
        if code == "AccessDeniedException":
            return f"{where}: access denied: these credentials need secretsmanager:GetSecretValue on it"
        return f"{where}: cannot read it ({code})"
    try:
        parse_credentials(secret_id, value.get("SecretString"))
    except ConfigError as e:
        return " ".join(str(e).split())  # one line; the message names keys, never values
    return None


def check_image(ecr: Any, image: str) -> str | None:
    """The image (tag or digest) is a URI the compute program accepts and exists in its ECR repository."""
    from payments_compute.ecr_image import EcrImage  # the layer's package; imported when used

    where = f"{IMAGE_KEY} = {image!r}"
    try:
        parsed = EcrImage.parse(image)
    except ValueError as e:
        return f"{where}: {e}"
    image_id = {"imageDigest": parsed.digest} if parsed.digest else {"imageTag": parsed.tag}
    try:
        ecr.describe_images(registryId=parsed.account_id, repositoryName=parsed.repository, imageIds=[image_id])
    except ClientError as e:
        code = e.response.get("Error", {}).get("Code", "")
        if code == "RepositoryNotFoundException":
            return f"{where}: ECR repository {parsed.repository!r} does not exist in account {parsed.account_id}"
        if code == "ImageNotFoundException":
            ref = parsed.digest or parsed.tag
            return f"{where}: {ref} is not in ECR repository {parsed.repository!r}: push the image first"
        return f"{where}: cannot look it up in ECR ({code})"
    return None


def check_final_snapshot(rds: Any, identifier: str) -> str | None:
    """No DB snapshot holds the name of the final snapshot the data layer's teardown writes.

    RDS refuses to delete an instance whose final snapshot name is taken (an earlier teardown's
    snapshot), and by then the layers above data are already gone: a partial teardown.
    """
    where = f"final DB snapshot {identifier}"
    try:
        found = rds.describe_db_snapshots(DBSnapshotIdentifier=identifier).get("DBSnapshots", [])
    except ClientError as e:
        code = e.response.get("Error", {}).get("Code", "")
        # AWS answers DBSnapshotNotFound (botocore's model); moto sends the shape name instead.
        if code in ("DBSnapshotNotFound", "DBSnapshotNotFoundFault"):
            return None
        if code in ("AccessDenied", "AccessDeniedException"):
            return f"{where}: access denied: these credentials need rds:DescribeDBSnapshots to check the name is free"
        return f"{where}: cannot look it up in RDS ({code})"
    if not found:
        return None
    created = found[0].get("SnapshotCreateTime")
    when = f"created {created.astimezone(UTC):%Y-%m-%d %H:%M} UTC" if created else f"status {found[0].get('Status')}"
    copy = f"{identifier}-{created.astimezone(UTC):%Y%m%d}" if created else f"{identifier}-old"
    return (
        f"{where}: the name is taken by an earlier teardown's snapshot ({when}), so RDS would refuse to delete "
        "the instance after the layers above it are gone: copy it under another name and delete it "
        f"(`aws rds copy-db-snapshot --source-db-snapshot-identifier {identifier} "
        f"--target-db-snapshot-identifier {copy} --copy-tags`, "
        f"`aws rds wait db-snapshot-available --db-snapshot-identifier {copy}`, "
        f"then `aws rds delete-db-snapshot --db-snapshot-identifier {identifier}`), then run the teardown again"
    )


def final_snapshot_identifier(env: str, projects_dir: Path = PROJECTS_DIR) -> str | None:
    """The final snapshot the data program names from `env`'s config, or None (skipped, or config unreadable).

    Unreadable config yields None here because `check_config` already reports it: the data layer's
    teardown flip runs its program, so its config is checked on every teardown.
    """
    from payments_data.settings import DataSettings  # the layer's package; imported when used

    if not layer_exists("data", projects_dir):
        return None
    try:
        values = stack_config("data", env, projects_dir).values
        return parse_settings(DataSettings, values, namespace="data", env=env).final_snapshot_identifier
    except (ConfigError, StackConfigError):
        return None


# All together ------------------------------------------------------------------------------


@dataclass(frozen=True)
class PreflightReport:
    """The problems found (empty when everything is ready)."""

    problems: tuple[str, ...]

    @property
    def ok(self) -> bool:
        """True when nothing stands in the way."""
        return not self.problems


def region_of(env: str, layers: Iterable[str], projects_dir: Path = PROJECTS_DIR) -> str | None:
    """The `aws:region` of the first built layer's stack config."""
    for layer in layers:
        if layer_exists(layer, projects_dir):
            try:
                return stack_config(layer, env, projects_dir).values.get(REGION_KEY)
            except StackConfigError:
                return None
    return None


def _config_value(layer: str, key: str, env: str, projects_dir: Path) -> str | None:
    if not layer_exists(layer, projects_dir):
        return None
    try:
        value = stack_config(layer, env, projects_dir).values.get(key)
    except StackConfigError:
        return None
    return value if value and value != "[secret]" else None


def run_preflight(
    env: str,
    layers: Iterable[str],
    *,
    changes_config: bool,
    aws: AwsClients | None = None,
    which: Callable[[str], str | None] = shutil.which,
    environ: Mapping[str, str] | None = None,
    projects_dir: Path = PROJECTS_DIR,
    models: Models | None = None,
) -> PreflightReport:
    """Run every check that applies to `layers`.

    `changes_config`: a deploy or preview, which runs the programs - so their config, the DB secret
    (data, compute) and the image (compute) must be ready too. Teardown needs the CLI, the backend
    and credentials, and for the layers whose teardown flips protection (a targeted `up`, which
    runs the program) their config and, for data, the DB secret; the other layers' config may
    have gone stale. A teardown of data that keeps a final snapshot also needs that snapshot's
    name free (`changes_config=False` is exactly destroy / destroy-all).
    """
    layers = [n for n in LAYER_NAMES if n in set(layers)]
    environ = os.environ if environ is None else environ
    problems = [p for p in (check_pulumi_cli(which), check_backend(environ)) if p]
    # The layers whose programs run: all of them for a deploy or preview; for teardown, the flipped ones.
    running = layers if changes_config else [n for n in layers if teardown_flips(n, env)]
    problems += check_config(env, running, projects_dir, models)
    region = region_of(env, layers or LAYER_NAMES, projects_dir)
    if region is None:
        problems.append(f"{REGION_KEY}: not set for {env}: add `aws:region: ap-northeast-2` to each Pulumi.{env}.yaml")
        return PreflightReport(tuple(problems))
    aws = aws or AwsClients(region)
    credential_problem = check_credentials(aws.client("sts"), region)
    if credential_problem:
        # Without credentials the remaining checks would only repeat the same failure.
        return PreflightReport((*problems, credential_problem))
    secret_id = _config_value("data", DB_SECRET_KEY, env, projects_dir)
    if secret_id and {"data", "compute"} & set(running):
        problems += [p for p in [check_db_secret(aws.client("secretsmanager"), secret_id)] if p]
    image = _config_value("compute", IMAGE_KEY, env, projects_dir)
    if image and "compute" in running:
        problems += [p for p in [check_image(aws.client("ecr"), image)] if p]
    snapshot = final_snapshot_identifier(env, projects_dir) if not changes_config and "data" in layers else None
    if snapshot:
        problems += [p for p in [check_final_snapshot(aws.client("rds"), snapshot)] if p]
    return PreflightReport(tuple(problems))
