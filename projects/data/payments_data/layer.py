"""The data layer assembled: what `__main__.py` runs."""

from __future__ import annotations

from payments_data.alarms import data_alarms
from payments_data.credentials import read_master_credentials
from payments_data.database import Database, DatabaseArgs, log_groups
from payments_data.encryption import DataKey, DataKeyArgs
from payments_data.settings import DataSettings
from shared.alarms import MetricAlarms, MetricAlarmsArgs
from shared.audit_archive import AuditArchiveTarget, AuditLogSubscription, AuditLogSubscriptionArgs
from shared.contracts.data import DataContract
from shared.contracts.network import NetworkContract
from shared.naming import Namer
from shared.provider import aws_context
from shared.tags import standard_tags

LAYER = "data"


def build(settings: DataSettings) -> DataContract:
    """Create the data layer and return its contract (not yet exported)."""
    ctx = aws_context(settings, LAYER)
    n = Namer(settings.service, settings.env)
    tags = standard_tags(env=settings.env, project=settings.service, layer=LAYER)
    network = NetworkContract.from_stack()
    credentials = read_master_credentials(settings.db_secret_id, ctx.invoke_opts)
    identifier = n("rds")

    key = DataKey(
        n("datakey"),
        DataKeyArgs(
            namer=n,
            log_groups=log_groups(identifier),
            retain_on_delete=not settings.skip_final_snapshot,
            protected=settings.protected,
            tags=tags,
            account_id=ctx.account_id,
            partition=ctx.partition,
            region=ctx.region,
        ),
        ctx.resource_opts,
    )
    db = Database(
        n("database"),
        DatabaseArgs(
            namer=n,
            identifier=identifier,
            engine_version=settings.engine_version,
            instance_class=settings.instance_class,
            db_name=settings.db_name,
            username=credentials.username,
            password=credentials.password,
            multi_az=settings.multi_az,
            allocated_storage=settings.allocated_storage,
            max_allocated_storage=settings.max_allocated_storage,
            backup_retention_days=settings.backup_retention_days,
            backup_window=settings.backup_window,
            maintenance_window=settings.maintenance_window,
            deletion_protection=settings.deletion_protection,
            allow_major_version_upgrade=settings.allow_major_version_upgrade,
            final_snapshot_identifier=settings.final_snapshot_identifier,
            performance_insights_retention_days=settings.performance_insights_retention_days,
            log_retention_days=settings.log_retention_days,
            ca_cert_identifier=settings.ca_cert_identifier,
            log_min_duration_statement_ms=settings.log_min_duration_statement_ms,
            kms_key_arn=key.key.arn,
            private_subnet_ids=network.private_subnet_ids,
            security_group_id=network.db_security_group_id,
            tags=tags,
        ),
        ctx.resource_opts,
    )

    instance = db.instance
    archive = AuditArchiveTarget(network.audit_archive_stream_arn, network.audit_archive_role_arn)
    AuditLogSubscription(
        n("auditsub", "rds-postgresql"),
        AuditLogSubscriptionArgs(n, "rds-postgresql", db.log_groups["postgresql"].name, archive),
        ctx.resource_opts,
    )
    MetricAlarms(
        n("alarms"),
        MetricAlarmsArgs(
            namer=n,
            definitions=data_alarms(settings),
            window=settings.alarm_window,
            dimensions={"DBInstanceIdentifier": instance.identifier},
            topic_arn=network.alarm_topic_arn,
            tags=tags,
        ),
        ctx.resource_opts,
    )
    return DataContract(
        db_endpoint=instance.endpoint,
        db_address=instance.address,
        db_port=instance.port,
        db_name=instance.db_name,
        db_instance_identifier=instance.identifier,
        db_instance_class=instance.instance_class,
        db_secret_arn=credentials.secret_arn,
        db_secret_kms_key_arn=credentials.secret_kms_key_arn,
        db_log_group_name=db.log_groups["postgresql"].name,
        db_kms_key_arn=key.key.arn,
    )
