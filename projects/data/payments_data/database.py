"""`Database`: RDS PostgreSQL in the private subnets, its subnet group, parameter group and log groups.

The instance identifier is set explicitly (never auto-named) because three other names derive
from it and must be known before the instance exists: the log groups RDS exports into
(`/aws/rds/instance/<identifier>/<log>`, pre-created here so they are KMS-encrypted and expire),
the key policy statements for those groups, and the contract's `db_instance_identifier`.

A fixed identifier means RDS cannot create a replacement next to the old instance, so the
instance is also Pulumi-`protect`ed whenever `deletionProtection` is on: a change that would
replace it (a new master `username` in the secret, say) stops at the preview instead of
failing halfway through the update. Teardown's `deletionProtection=false` lifts both.

The parameter group's name carries its family (`dbparams-<service>-pg17-<env>`): a major
upgrade changes the family, which replaces the group, and the new group must be created under
a new name while the instance still uses the old one.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from shared.naming import Namer
from shared.ports import DB_PORT

ENGINE = "postgres"
STORAGE_TYPE = "gp3"  # baseline 3000 IOPS below 400 GiB, independent of size
# Logs RDS exports to CloudWatch; each gets a pre-created, encrypted group.
LOG_EXPORTS: tuple[str, ...] = ("postgresql", "upgrade")


def log_group_name(identifier: str, log_type: str) -> str:
    """The group RDS writes an exported log into (fixed by RDS, not configurable)."""
    return f"/aws/rds/instance/{identifier}/{log_type}"


def log_groups(identifier: str) -> dict[str, str]:
    """Label (for policy Sids) -> log group name, for every exported log."""
    return {t.capitalize(): log_group_name(identifier, t) for t in LOG_EXPORTS}


def parameter_group_purpose(engine_version: str) -> str:
    """The name part that ties a parameter group to its family: `pg17` for PostgreSQL 17."""
    return f"pg{engine_version}"


def force_ssl_parameter() -> dict[str, str]:
    """`rds.force_ssl=1`: plaintext connections are refused.

    RDS for PostgreSQL classifies rds.force_ssl as a static parameter: ModifyDBParameterGroup
    rejects `immediate` for it ("cannot use immediate apply method for static parameter"), so it
    is applied `pending-reboot`. A new instance boots with its parameter group, so it starts
    with SSL enforced; only a later change to the value waits for the next reboot.
    """
    return {"name": "rds.force_ssl", "value": "1", "apply_method": "pending-reboot"}


def audit_parameters(log_min_duration_statement_ms: int) -> list[dict[str, str]]:
    """Who connected, which schema changed, which statements were slow; never a statement's values.

    - `log_connections`, `log_disconnections`: every session's start and end (user, host, SSL).
    - `log_statement=ddl`: schema changes (CREATE/ALTER/DROP), not the DML that carries card data.
    - `log_min_duration_statement`: statements slower than this many ms (-1: off).
    - `log_parameter_max_length=0`, `log_parameter_max_length_on_error=0`: bind parameter values
      never appear in a logged statement, normally or in an error's context, so a card number
      passed as a parameter cannot reach the log. (Literals written into the SQL text would: the
      application binds every value.)

    All six are dynamic parameters in RDS for PostgreSQL (a PostgreSQL `superuser`,
    `superuser-backend` or `user` context, none `postmaster`): `immediate` applies them without a
    reboot; new sessions pick up the connection-logging pair.
    """
    values = {
        "log_connections": "1",
        "log_disconnections": "1",
        "log_min_duration_statement": str(log_min_duration_statement_ms),
        "log_parameter_max_length": "0",
        "log_parameter_max_length_on_error": "0",
        "log_statement": "ddl",
    }
    return [{"name": name, "value": value, "apply_method": "immediate"} for name, value in sorted(values.items())]


@dataclass(frozen=True)
class DatabaseArgs:
    namer: Namer
    identifier: str
    engine_version: str
    instance_class: str
    db_name: str
    username: pulumi.Input[str]
    password: pulumi.Input[str]
    multi_az: bool
    allocated_storage: int
    max_allocated_storage: int
    backup_retention_days: int
    backup_window: str
    maintenance_window: str
    deletion_protection: bool
    allow_major_version_upgrade: bool
    final_snapshot_identifier: str | None  # None: deleted without a final snapshot
    performance_insights_retention_days: int
    log_retention_days: int
    ca_cert_identifier: str
    log_min_duration_statement_ms: int
    kms_key_arn: pulumi.Input[str]
    private_subnet_ids: pulumi.Input[list[str]]
    security_group_id: pulumi.Input[str]
    tags: dict[str, str]


class Database(pulumi.ComponentResource):
    """One Multi-AZ PostgreSQL instance, private, encrypted, TLS-only, backed up."""

    instance: aws.rds.Instance
    subnet_group: aws.rds.SubnetGroup
    parameter_group: aws.rds.ParameterGroup
    log_groups: dict[str, aws.cloudwatch.LogGroup]

    def __init__(self, name: str, args: DatabaseArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("payments:data:Database", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        n, tags = args.namer, args.tags

        self.subnet_group = aws.rds.SubnetGroup(
            n("dbsubnet"),
            name=n("dbsubnet"),
            description="Private subnets of the payments database, one per AZ",
            subnet_ids=args.private_subnet_ids,
            tags=tags,
            opts=child,
        )
        # The logical name stays put (one group per stack); the physical name follows the family,
        # so a major upgrade creates the new group before deleting the old one without a clash.
        self.parameter_group = aws.rds.ParameterGroup(
            n("dbparams"),
            name=n("dbparams", parameter_group_purpose(args.engine_version)),
            family=f"{ENGINE}{args.engine_version}",
            description="Payments PostgreSQL: TLS-only connections, audit logging without statement values",
            parameters=[
                aws.rds.ParameterGroupParameterArgs(**p)
                for p in (force_ssl_parameter(), *audit_parameters(args.log_min_duration_statement_ms))
            ],
            tags=tags,
            opts=child,
        )
        self.log_groups = {
            log_type: aws.cloudwatch.LogGroup(
                n("log", f"rds-{log_type}"),
                name=log_group_name(args.identifier, log_type),
                retention_in_days=args.log_retention_days,
                kms_key_id=args.kms_key_arn,
                tags=tags,
                opts=child,
            )
            for log_type in LOG_EXPORTS
        }

        self.instance = aws.rds.Instance(
            n("rds"),
            identifier=args.identifier,
            engine=ENGINE,
            engine_version=args.engine_version,
            instance_class=args.instance_class,
            db_name=args.db_name,
            username=args.username,
            password=args.password,
            port=DB_PORT,
            # IAM database authentication: a database role granted `rds_iam` signs in with a
            # 15-minute token from its IAM identity; the master password stays for the app until
            # it switches.
            iam_database_authentication_enabled=True,
            multi_az=args.multi_az,
            db_subnet_group_name=self.subnet_group.name,
            vpc_security_group_ids=[args.security_group_id],
            publicly_accessible=False,
            parameter_group_name=self.parameter_group.name,
            ca_cert_identifier=args.ca_cert_identifier,
            storage_type=STORAGE_TYPE,
            allocated_storage=args.allocated_storage,
            max_allocated_storage=args.max_allocated_storage,  # > allocated: storage autoscaling on
            storage_encrypted=True,
            kms_key_id=args.kms_key_arn,
            backup_retention_period=args.backup_retention_days,
            backup_window=args.backup_window,
            maintenance_window=args.maintenance_window,
            copy_tags_to_snapshot=True,
            auto_minor_version_upgrade=True,
            # A major upgrade is deliberate: a new engineVersion AND allowMajorVersionUpgrade=true.
            allow_major_version_upgrade=args.allow_major_version_upgrade,
            # ...and it happens during that deploy: deferred to the maintenance window, the
            # instance would keep the old parameter group, and deleting it would fail the deploy.
            apply_immediately=args.allow_major_version_upgrade,
            enabled_cloudwatch_logs_exports=list(LOG_EXPORTS),
            performance_insights_enabled=True,
            performance_insights_kms_key_id=args.kms_key_arn,
            performance_insights_retention_period=args.performance_insights_retention_days,
            deletion_protection=args.deletion_protection,
            skip_final_snapshot=args.final_snapshot_identifier is None,
            final_snapshot_identifier=args.final_snapshot_identifier,
            tags=tags,
            opts=pulumi.ResourceOptions(
                parent=self,
                # The log groups exist first, or RDS would create unencrypted, never-expiring ones.
                depends_on=list(self.log_groups.values()),
                # Pulumi refuses to delete or replace a protected instance (see module docstring).
                protect=args.deletion_protection,
                # The secret's password sets the instance's at creation; afterwards rotation owns
                # it (it changes secret and database together), so a rotated secret is not a
                # diff here (see the data README, "Rotation").
                ignore_changes=["password"],
            ),
        )
        self.register_outputs({"endpoint": self.instance.endpoint, "identifier": self.instance.identifier})
