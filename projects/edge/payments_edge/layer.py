"""The edge layer assembled: what `__main__.py` runs."""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from payments_edge.access_logs import AccessLogBucket, AccessLogBucketArgs, bucket_logical_name
from payments_edge.alarms import edge_alarms
from payments_edge.certificate import DnsValidatedCertificate, DnsValidatedCertificateArgs
from payments_edge.dns import (
    AliasRecords,
    AliasRecordsArgs,
    HostedZone,
    HostedZoneArgs,
    IssuerRestriction,
    IssuerRestrictionArgs,
)
from payments_edge.load_balancer import LoadBalancer, LoadBalancerArgs
from payments_edge.settings import EdgeSettings
from payments_edge.waf import WebFirewall, WebFirewallArgs
from shared.adoption import kept_bucket, kept_zone
from shared.alarms import MetricAlarms, MetricAlarmsArgs
from shared.audit_archive import AuditArchiveTarget, AuditLogSubscription, AuditLogSubscriptionArgs
from shared.contracts.edge import EdgeContract
from shared.contracts.network import NetworkContract
from shared.naming import Namer
from shared.provider import aws_context
from shared.tags import standard_tags

LAYER = "edge"
ACCESS_LOG_PREFIX = "alb"


def build(settings: EdgeSettings) -> EdgeContract:
    """Create the edge layer and return its contract (not yet exported)."""
    ctx = aws_context(settings, LAYER)
    n = Namer(settings.service, settings.env)
    tags = standard_tags(env=settings.env, project=settings.service, layer=LAYER)
    opts = ctx.resource_opts
    network = NetworkContract.from_stack()

    # What a protected environment's teardown kept (the zone the parent delegates to, the access
    # logs) is taken back by the next deploy instead of made again (`shared.adoption`); nothing
    # else keeps anything, so nothing else looks.
    kept_zone_id = kept_logs = ""
    if settings.protected:
        if settings.creates_zone:
            found = kept_zone(
                settings.domain_name, tags=tags, delegation_set_id=settings.delegation_set_id, opts=ctx.invoke_opts
            )
            kept_zone_id = found or ""
        kept_logs = kept_bucket(bucket_logical_name(n), region=settings.region, opts=ctx.invoke_opts) or ""

    zone_id: pulumi.Input[str]
    name_servers: pulumi.Input[list[str]]
    if settings.creates_zone:
        zone = HostedZone(
            n("hostedzone"),
            HostedZoneArgs(
                namer=n,
                domain_name=settings.domain_name,
                protected=settings.protected,
                tags=tags,
                delegation_set_id=settings.delegation_set_id,
                kept_zone_id=kept_zone_id,
            ),
            opts,
        )
        zone_id, name_servers = zone.zone.zone_id, zone.zone.name_servers.apply(list)
    else:  # the zone belongs to someone else: its delegation is already theirs to manage
        zone_id, name_servers = settings.hosted_zone_id, []

    # Only Amazon's CAs may issue for the domain: ACM can, every other public CA must refuse.
    IssuerRestriction(n("caa"), IssuerRestrictionArgs(namer=n, zone_id=zone_id, domain_name=settings.domain_name), opts)

    certificate_arn: pulumi.Input[str]
    if settings.creates_certificate:
        certificate_arn = DnsValidatedCertificate(
            n("certificate"),
            DnsValidatedCertificateArgs(
                namer=n,
                domain_name=settings.domain_name,
                zone_id=zone_id,
                validation_timeout_minutes=settings.certificate_validation_timeout_minutes,
                tags=tags,
            ),
            opts,
        ).certificate_arn
    else:
        certificate_arn = settings.certificate_arn

    elb_account = aws.elb.get_service_account_output(region=settings.region, opts=ctx.invoke_opts)
    logs = AccessLogBucket(
        n("accesslogs"),
        AccessLogBucketArgs(
            namer=n,
            prefix=ACCESS_LOG_PREFIX,
            expiration_days=settings.access_log_expiration_days,
            elb_account_arn=elb_account.arn,
            account_id=ctx.account_id,
            protected=settings.protected,
            tags=tags,
            kept_bucket=kept_logs,
        ),
        opts,
    )
    lb = LoadBalancer(
        n("loadbalancer"),
        LoadBalancerArgs(
            namer=n,
            alb_name=settings.alb_name(n),
            target_group_name=settings.target_group_name(n),
            vpc_id=network.vpc_id,
            subnet_ids=network.public_subnet_ids,
            security_group_id=network.alb_security_group_id,
            certificate_arn=certificate_arn,
            tls_policy=settings.tls_policy,
            idle_timeout_seconds=settings.idle_timeout_seconds,
            deletion_protection=settings.alb_deletion_protection,
            access_log_bucket=logs.bucket.bucket,
            access_log_prefix=ACCESS_LOG_PREFIX,
            access_logs_ready=logs.policy,
            health_check_path=settings.health_check_path,
            health_check_matcher=settings.health_check_matcher,
            deregistration_delay_seconds=settings.deregistration_delay_seconds,
            tags=tags,
        ),
        opts,
    )
    firewall = WebFirewall(
        n("firewall"),
        WebFirewallArgs(
            namer=n,
            load_balancer_arn=lb.alb.arn,
            rate_limit=settings.waf_rate_limit,
            count_rules=settings.waf_count_rules,
            count_only=settings.waf_count_only,
            block_anonymous_ips=settings.waf_block_anonymous_ips,
            log_retention_days=settings.waf_log_retention_days,
            tags=tags,
            account_id=ctx.account_id,
            partition=ctx.partition,
            region=ctx.region,
        ),
        opts,
    )
    AuditLogSubscription(
        n("auditsub", "waf"),
        AuditLogSubscriptionArgs(
            n,
            "waf",
            firewall.log_group.name,
            AuditArchiveTarget(network.audit_archive_stream_arn, network.audit_archive_role_arn),
        ),
        opts,
    )
    AliasRecords(
        n("alias"),
        AliasRecordsArgs(
            namer=n,
            zone_id=zone_id,
            domain_name=settings.domain_name,
            target_dns_name=lb.alb.dns_name,
            target_zone_id=lb.alb.zone_id,
            dual_stack=False,  # the ALB is IPv4-only (see LoadBalancer)
        ),
        opts,
    )

    MetricAlarms(
        n("alarms"),
        MetricAlarmsArgs(
            namer=n,
            definitions=edge_alarms(settings),
            window=settings.alarm_window,
            dimensions={
                "LoadBalancer": lb.alb.arn_suffix,
                "TargetGroup": lb.target_group.arn_suffix,
                "WebACL": firewall.web_acl_name,
                "Region": ctx.region,
                "Rule": "ALL",
            },
            topic_arn=network.alarm_topic_arn,
            tags=tags,
        ),
        opts,
    )

    return EdgeContract(
        alb_arn=lb.alb.arn,
        alb_dns_name=lb.alb.dns_name,
        alb_zone_id=lb.alb.zone_id,
        target_group_arn=lb.target_group.arn,
        alb_arn_suffix=lb.alb.arn_suffix,
        target_group_arn_suffix=lb.target_group.arn_suffix,
        https_listener_arn=lb.https_listener.arn,
        hosted_zone_id=zone_id,
        name_servers=name_servers,
        certificate_arn=certificate_arn,
        service_url=f"https://{settings.domain_name}",
        web_acl_arn=firewall.web_acl.arn,
        web_acl_name=firewall.web_acl_name,
        waf_log_group_name=firewall.log_group.name,
    )
