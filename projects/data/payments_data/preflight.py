"""What preflight checks for the data layer before it is deployed or torn down (read-only AWS calls)."""

from __future__ import annotations

from datetime import UTC
from typing import Any

from botocore.exceptions import ClientError

from payments_data.settings import DataSettings
from shared.aws_catalog import region_catalog
from shared.aws_catalog.live import instance_class_problems
from shared.lifecycle import Grant, GrantContext, PreflightContext
from shared.settings import ConfigError

DB_SECRET_KEY = "data:dbSecretId"


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


def check_db_secret_of(ctx: PreflightContext) -> str | None:
    """Preflight hook: the environment's DB secret (when configured) is readable and well-formed."""
    secret_id = ctx.value(DB_SECRET_KEY)
    return check_db_secret(ctx.aws.client("secretsmanager"), secret_id) if secret_id else None


def check_final_snapshot_of(ctx: PreflightContext) -> str | None:
    """Preflight hook before teardown: the final snapshot's name (when one is kept) is free.

    Unreadable data settings yield no check here: preflight already reports them, because the data
    layer's teardown flip runs its program.
    """
    settings = ctx.settings("data")
    identifier = settings.final_snapshot_identifier if isinstance(settings, DataSettings) else None
    return check_final_snapshot(ctx.aws.client("rds"), identifier) if identifier else None


def check_instance_class_of(ctx: PreflightContext) -> str | None:
    """Preflight hook before a deploy: RDS offers the configured class for the PostgreSQL major here, Multi-AZ.

    The settings already check the class against the region's table; this asks RDS itself
    (`DescribeOrderableDBInstanceOptions`), which is also how the table is kept true. Unreadable
    data settings yield no check: preflight reports them as config problems.
    """
    settings = ctx.settings("data")
    if not isinstance(settings, DataSettings):
        return None
    try:
        problems = instance_class_problems(
            ctx.aws.client("rds"), region_catalog(settings.region), settings.engine_version, settings.instance_class
        )
    except ClientError as e:
        code = e.response.get("Error", {}).get("Code", "")
        return (
            f"data:instanceClass = {settings.instance_class!r}: cannot confirm it with RDS in {settings.region} "
            f"({code}): these credentials need rds:DescribeOrderableDBInstanceOptions"
        )
    return "; ".join(problems) or None


def secret_arn(ctx: GrantContext, secret_id: str) -> str:
    """The secret's ARN; a name gets the six characters Secrets Manager appends (`-??????`, as its user guide
    writes ARNs in IAM policies)."""
    if secret_id.startswith("arn:"):
        return secret_id
    return f"arn:{ctx.partition}:secretsmanager:{ctx.region}:{ctx.account}:secret:{secret_id}-??????"


def db_secret_grants(ctx: GrantContext) -> list[Grant]:
    """What `check_db_secret_of` reads: the configured secret's value (its keys are checked)."""
    settings = ctx.settings("data")
    if not isinstance(settings, DataSettings):
        return []
    return [Grant(("secretsmanager:GetSecretValue",), (secret_arn(ctx, settings.db_secret_id),))]


def final_snapshot_grants(ctx: GrantContext) -> list[Grant]:
    """What `check_final_snapshot_of` reads: whether the final snapshot's name is taken."""
    settings = ctx.settings("data")
    identifier = settings.final_snapshot_identifier if isinstance(settings, DataSettings) else None
    if not identifier:
        return []
    arn = f"arn:{ctx.partition}:rds:{ctx.region}:{ctx.account}:snapshot:{identifier}"
    return [Grant(("rds:DescribeDBSnapshots",), (arn,))]


def instance_class_grants(ctx: GrantContext) -> list[Grant]:
    """What `check_instance_class_of` reads: the classes RDS offers (an action with no resource type)."""
    return [Grant(("rds:DescribeOrderableDBInstanceOptions",), ("*",))]
