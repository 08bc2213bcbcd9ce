"""The network layer assembled: what `__main__.py` runs."""

from __future__ import annotations

import pulumi

from payments_network.alarm_topic import AlarmTopic, AlarmTopicArgs, Subscription
from payments_network.alarms import network_alarms
from payments_network.audit_archive import AuditArchive, AuditArchiveArgs, find_kept_archive
from payments_network.flow_logs import FlowLogs, FlowLogsArgs
from payments_network.security_groups import SecurityGroups, SecurityGroupsArgs
from payments_network.settings import NetworkSettings
from payments_network.vpc import Vpc, VpcArgs
from shared import kms
from shared.alarms import MetricAlarms, MetricAlarmsArgs
from shared.audit_archive import (
    REPLICATION_RULE_ID,
    AuditArchiveTarget,
    AuditLogSubscription,
    AuditLogSubscriptionArgs,
    stream_name,
)
from shared.contracts.network import NetworkContract
from shared.guardrails import LOG_RETENTION_DAYS
from shared.naming import Namer
from shared.provider import aws_context
from shared.tags import standard_tags

LAYER = "network"


def build(settings: NetworkSettings) -> NetworkContract:
    """Create the network layer and return its contract (not yet exported)."""
    ctx = aws_context(settings, LAYER)
    n = Namer(settings.service, settings.env)
    tags = standard_tags(env=settings.env, project=settings.service, layer=LAYER)
    opts = ctx.resource_opts
    azs = sorted(settings.availability_zones)

    vpc = Vpc(
        n("network"),
        VpcArgs(
            namer=n,
            cidr=settings.vpc_cidr,
            subnets_by_az=settings.subnets_by_az(),
            nat_per_az=settings.nat_gateways == "per-az",
            tags=tags,
        ),
        opts,
    )
    flow_logs = FlowLogs(
        n("flowlogs"),
        FlowLogsArgs(
            namer=n,
            vpc_id=vpc.vpc.id,
            traffic_type=settings.flow_log_traffic_type,
            retention_in_days=settings.flow_log_retention_days,
            tags=tags,
            account_id=ctx.account_id,
            partition=ctx.partition,
            region=ctx.region,
        ),
        opts,
    )
    deletion_window_days = kms.deletion_window_days(settings.protected)
    topic = AlarmTopic(
        n("alarmtopic"),
        AlarmTopicArgs(
            namer=n,
            existing_topic_arn=settings.alarm_topic_arn,
            subscriptions=tuple(Subscription(s.protocol, s.endpoint) for s in settings.alarm_subscriptions),
            deletion_window_days=deletion_window_days,
            tags=tags,
            account_id=ctx.account_id,
            partition=ctx.partition,
            region=ctx.region,
        ),
        opts,
    )
    archive = AuditArchive(
        n("auditarchive"),
        AuditArchiveArgs(
            namer=n,
            retention_days=settings.audit_archive_retention_days,
            protected=settings.protected,
            deletion_window_days=deletion_window_days,
            log_retention_days=LOG_RETENTION_DAYS,
            tags=tags,
            account_id=ctx.account_id,
            partition=ctx.partition,
            region=ctx.region,
            # A protected environment's teardown keeps its archive; the next deploy takes it back.
            kept=find_kept_archive(n, region=ctx.region, opts=ctx.invoke_opts) if settings.protected else None,
        ),
        opts,
    )
    MetricAlarms(
        n("alarms"),
        MetricAlarmsArgs(
            namer=n,
            definitions=network_alarms(settings),
            window=settings.alarm_window,
            dimensions={
                # From the ARN, as the dashboard (compute) derives it from the exported ARN.
                "DeliveryStreamName": archive.stream.arn.apply(stream_name),
                "SourceBucket": archive.delivery_bucket.bucket,
                "DestinationBucket": archive.bucket.bucket,
                "RuleId": REPLICATION_RULE_ID,
            },
            topic_arn=topic.topic_arn,
            tags=tags,
        ),
        opts,
    )
    archive_target = AuditArchiveTarget(stream_arn=archive.stream.arn, role_arn=archive.logs_role.arn)
    AuditLogSubscription(
        n("auditsub", "vpcflow"),
        AuditLogSubscriptionArgs(n, "vpcflow", flow_logs.log_group.name, archive_target),
        pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(depends_on=archive.ready)),
    )
    groups = SecurityGroups(n("securitygroups"), SecurityGroupsArgs(namer=n, vpc_id=vpc.vpc.id, tags=tags), opts)

    return NetworkContract(
        vpc_id=vpc.vpc.id,
        vpc_cidr=vpc.vpc.cidr_block,
        availability_zones=azs,
        public_subnet_ids=pulumi.Output.all(*[vpc.public_subnets[az].id for az in azs]),
        private_subnet_ids=pulumi.Output.all(*[vpc.private_subnets[az].id for az in azs]),
        nat_public_ips=pulumi.Output.all(*[vpc.eips[az].public_ip for az in sorted(vpc.eips)]),
        alb_security_group_id=groups.alb.id,
        app_security_group_id=groups.app.id,
        db_security_group_id=groups.db.id,
        flow_log_group_name=flow_logs.log_group.name,
        alarm_topic_arn=topic.topic_arn,
        audit_archive_stream_arn=archive.stream.arn,
        audit_archive_role_arn=archive.logs_role.arn,
        audit_archive_delivery_bucket=archive.delivery_bucket.bucket,
        audit_archive_bucket=archive.bucket.bucket,
    )
