"""The compute layer assembled: what `__main__.py` runs."""

from __future__ import annotations

import pulumi

from payments_compute.alarms import compute_alarms
from payments_compute.autoscaling import ServiceAutoscaling, ServiceAutoscalingArgs
from payments_compute.cluster import EcsCluster, EcsClusterArgs
from payments_compute.dashboard import PlatformDashboard, PlatformDashboardArgs
from payments_compute.iam import TaskRoles, TaskRolesArgs
from payments_compute.service import FargateService, FargateServiceArgs
from payments_compute.settings import ComputeSettings
from shared.alarms import MetricAlarms, MetricAlarmsArgs
from shared.audit_archive import (
    REPLICATION_RULE_ID,
    AuditArchiveTarget,
    AuditLogSubscription,
    AuditLogSubscriptionArgs,
    stream_name,
)
from shared.contracts.compute import ComputeContract
from shared.contracts.data import DataContract
from shared.contracts.edge import EdgeContract
from shared.contracts.network import NetworkContract
from shared.encrypted_log_group import EncryptedLogGroup, EncryptedLogGroupArgs
from shared.naming import Namer
from shared.provider import aws_context
from shared.tags import standard_tags

LAYER = "compute"
LOG_PURPOSE = "api"


def build(settings: ComputeSettings) -> ComputeContract:
    """Create the compute layer on top of the network, data and edge stacks; return its contract."""
    network = NetworkContract.from_stack()
    data = DataContract.from_stack()
    edge = EdgeContract.from_stack()

    ctx = aws_context(settings, LAYER)
    n = Namer(settings.service, settings.env)
    tags = standard_tags(env=settings.env, project=settings.service, layer=LAYER)
    opts = ctx.resource_opts
    container_name = f"{settings.service}-api"

    logs = EncryptedLogGroup(
        n("logs", LOG_PURPOSE),
        EncryptedLogGroupArgs(
            namer=n,
            purpose=LOG_PURPOSE,
            retention_in_days=settings.log_retention_days,
            tags=tags,
            account_id=ctx.account_id,
            partition=ctx.partition,
            region=ctx.region,
        ),
        opts,
    )
    log_group_name = logs.log_group.name
    AuditLogSubscription(
        n("auditsub", LOG_PURPOSE),
        AuditLogSubscriptionArgs(
            n,
            LOG_PURPOSE,
            log_group_name,
            AuditArchiveTarget(network.audit_archive_stream_arn, network.audit_archive_role_arn),
        ),
        opts,
    )

    roles = TaskRoles(
        n("roles"),
        TaskRolesArgs(
            namer=n,
            image=settings.ecr_image,
            log_group_name=log_group_name,
            db_secret_arn=data.db_secret_arn,
            db_secret_kms_key_arn=data.db_secret_kms_key_arn,
            task_role_statements=settings.task_role_statements,
            tags=tags,
            account_id=ctx.account_id,
            partition=ctx.partition,
            region=ctx.region,
        ),
        opts,
    )
    cluster = EcsCluster(n("cluster"), EcsClusterArgs(namer=n, tags=tags), opts)
    service = FargateService(
        n("service"),
        FargateServiceArgs(
            namer=n,
            cluster_arn=cluster.cluster.arn,
            container_name=container_name,
            image=settings.image,
            cpu=settings.cpu,
            memory=settings.memory,
            cpu_architecture=settings.cpu_architecture,
            readonly_root_filesystem=settings.readonly_root_filesystem,
            run_as_user=settings.run_as_user,
            log_group_name=log_group_name,
            execution_role_arn=roles.execution_role.arn,
            task_role_arn=roles.task_role.arn,
            db_address=data.db_address,
            db_port=data.db_port,
            db_name=data.db_name,
            db_ssl_mode=settings.db_ssl_mode,
            db_secret_arn=data.db_secret_arn,
            desired_count=settings.desired_count,
            health_check_grace_period_seconds=settings.health_check_grace_period_seconds,
            private_subnet_ids=network.private_subnet_ids,
            app_security_group_id=network.app_security_group_id,
            target_group_arn=edge.target_group_arn,
            tags=tags,
            region=ctx.region,
            # Tasks must be able to pull and log from the first start: wait for the grants.
            depends_on=(roles.execution_policy, logs.log_group),
        ),
        opts,
    )
    ServiceAutoscaling(
        n("autoscaling"),
        ServiceAutoscalingArgs(
            namer=n,
            cluster_name=cluster.cluster.name,
            service_name=service.service.name,
            min_capacity=settings.min_capacity,
            max_capacity=settings.max_capacity,
            cpu_target_percent=settings.cpu_target_percent,
            scale_in_cooldown_seconds=settings.scale_in_cooldown_seconds,
            scale_out_cooldown_seconds=settings.scale_out_cooldown_seconds,
            tags=tags,
        ),
        opts,
    )
    MetricAlarms(
        n("alarms"),
        MetricAlarmsArgs(
            namer=n,
            definitions=compute_alarms(settings),
            window=settings.alarm_window,
            dimensions={"ClusterName": cluster.cluster.name, "ServiceName": service.service.name},
            topic_arn=network.alarm_topic_arn,
            tags=tags,
        ),
        opts,
    )
    PlatformDashboard(
        n("dashboard"),
        PlatformDashboardArgs(
            namer=n,
            region=ctx.region,
            dimensions={
                "LoadBalancer": edge.alb_arn_suffix,
                "TargetGroup": edge.target_group_arn_suffix,
                "WebACL": edge.web_acl_name,
                "Region": ctx.region,
                "Rule": "ALL",
                "ClusterName": cluster.cluster.name,
                "ServiceName": service.service.name,
                "DBInstanceIdentifier": data.db_instance_identifier,
                "DeliveryStreamName": pulumi.Output.from_input(network.audit_archive_stream_arn).apply(stream_name),
                "SourceBucket": network.audit_archive_delivery_bucket,
                "DestinationBucket": network.audit_archive_bucket,
                "RuleId": REPLICATION_RULE_ID,
            },
            db_instance_class=data.db_instance_class,
        ),
        opts,
    )
    return ComputeContract(
        cluster_name=cluster.cluster.name,
        cluster_arn=cluster.cluster.arn,
        service_name=service.service.name,
        task_definition_arn=service.task_definition.arn,
        log_group_name=logs.log_group.name,
        log_group_arn=logs.log_group.arn,
    )
