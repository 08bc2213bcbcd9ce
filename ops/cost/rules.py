"""Pricing rules: for each billable resource type, its monthly charges from its planned inputs.

A rule reads only what the plan holds (inputs, and the resources they reference) plus the price
table and the usage assumptions. Types AWS does not bill are listed as free in the price file;
a type in neither place is "not priced" (see `ops.cost.pricing`).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ops.cost.assumptions import Usage
from ops.cost.model import Charge
from ops.cost.prices import PriceTable
from ops.plan.mock_engine import PlannedResource
from ops.plan.platform import PlatformPlan
from shared.plan_values import COMPUTED_PREFIX

HOURS_PER_DAY = 24
SECONDS_PER_DAY = 86_400
MIB_PER_GB = 1024  # AWS bills data in GiB ("GB"); Firehose buffers in MiB

FIREHOSE = "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream"
LIFECYCLE = "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration"
VERSIONING = "aws:s3/bucketVersioning:BucketVersioning"
REPLICATION = "aws:s3/bucketReplicationConfig:BucketReplicationConfig"
# S3 Replication metrics, per rule that enables them (ReplicationLatency, BytesPendingReplication,
# OperationsPendingReplication, OperationsFailedReplication), billed as CloudWatch custom metrics
# (S3 pricing, "Replication").
REPLICATION_METRICS_PER_RULE = 4
# What Firehose uses for an S3 destination without buffering hints.
FIREHOSE_DEFAULT_BUFFER_SECONDS = 300
FIREHOSE_DEFAULT_BUFFER_MIB = 5
# Firehose S3 features billed per GB beyond ingestion: input key -> (what, on when `enabled` is unset).
FIREHOSE_PAID_FEATURES = {
    "dataFormatConversionConfiguration": ("format conversion", True),
    "dynamicPartitioningConfiguration": ("dynamic partitioning", False),
    "processingConfiguration": ("record processing", False),
}

# Managed rule groups that carry a subscription and request fee on top of the rule price
# (Bot Control, account takeover prevention, account creation fraud prevention, Anti-DDoS).
PAID_MANAGED_RULE_GROUPS = frozenset(
    {
        "AWSManagedRulesBotControlRuleSet",
        "AWSManagedRulesATPRuleSet",
        "AWSManagedRulesACFPRuleSet",
        "AWSManagedRulesAntiDDoSRuleSet",
    }
)


@dataclass(frozen=True)
class PricingContext:
    """What a rule may consult besides the resource: prices, assumptions and the whole plan."""

    plan: PlatformPlan
    table: PriceTable
    usage: Usage

    @property
    def hours(self) -> float:
        """Hours in the billed month."""
        return self.table.hours_per_month

    @property
    def days(self) -> float:
        """Days in the billed month (730 hours: 30.42 days)."""
        return self.table.hours_per_month / HOURS_PER_DAY

    def resource_key(self, resource: PlannedResource) -> str:
        """The logical name without the environment suffix: the key per-resource assumptions use."""
        return resource.name.removesuffix(f"-{self.plan.env}")

    def count(self, token: str) -> int:
        """How many resources of a type the whole platform plans."""
        return sum(1 for _, r in self.plan.all_resources() if r.type == token)

    def referenced(self, value: Any) -> PlannedResource | None:
        """The planned resource a cloud-only value such as `(known after apply: <name>.arn)` points to."""
        if not isinstance(value, str) or not value.startswith(COMPUTED_PREFIX):
            return None
        name = value.removeprefix(COMPUTED_PREFIX).split(".", 1)[0]
        return next((r for _, r in self.plan.all_resources() if r.name == name), None)

    def referring(self, token: str, key: str, target: PlannedResource) -> list[PlannedResource]:
        """Resources of type `token` whose input `key` (dotted for a nested one) references `target`."""
        return [
            r
            for _, r in self.plan.all_resources()
            if r.type == token and (ref := self.referenced(_input(r, key))) is not None and ref.name == target.name
        ]


def _input(r: PlannedResource, key: str) -> Any:
    """The input at a dotted path such as `extendedS3Configuration.bucketArn` (None when absent)."""
    value: Any = r.inputs
    for part in key.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


Rule = Callable[[PlannedResource, PricingContext], list[Charge]]


def usd(x: float) -> str:
    """A unit price as printed in an item: `$0.059`."""
    return f"${x:g}"


def qty(x: float) -> str:
    """A quantity as printed in an item: no trailing zeros, thousands separated."""
    return f"{x:,.4f}".rstrip("0").rstrip(".")


def _hours(what: str, count: float, hourly: float, ctx: PricingContext) -> Charge:
    label = f"{qty(count)} x " if count != 1 else ""
    return Charge(f"{what}: {label}{qty(ctx.hours)} h x {usd(hourly)}/h", count * ctx.hours * hourly)


def nat_gateway(r: PlannedResource, ctx: PricingContext) -> list[Charge]:
    """Hours, and this gateway's even share of the GB the platform sends through NAT."""
    p = ctx.table.prices
    gb = ctx.usage.nat_gb_per_month / ctx.count(r.type)
    return [
        _hours("NAT gateway", 1, p.nat_gateway_hour, ctx),
        Charge(
            f"data processed: {qty(gb)} GB x {usd(p.nat_gateway_gb_processed)}/GB",
            gb * p.nat_gateway_gb_processed,
            ("nat_gb_per_month",),
        ),
    ]


def elastic_ip(r: PlannedResource, ctx: PricingContext) -> list[Charge]:
    """Every public IPv4 address is billed by the hour, attached or not."""
    return [_hours("public IPv4 address", 1, ctx.table.prices.public_ipv4_hour, ctx)]


def load_balancer(r: PlannedResource, ctx: PricingContext) -> list[Charge]:
    """ALB hours, LCU-hours, and one public IPv4 address per subnet when internet-facing."""
    p = ctx.table.prices
    if r.inputs.get("loadBalancerType", "application") != "application":
        return [Charge(f"{r.inputs['loadBalancerType']} load balancer: not in the price table", None)]
    charges = [
        _hours("load balancer", 1, p.alb_hour, ctx),
        Charge(
            f"LCUs: {qty(ctx.usage.alb_lcus)} x {qty(ctx.hours)} h x {usd(p.alb_lcu_hour)}/LCU-h",
            ctx.usage.alb_lcus * ctx.hours * p.alb_lcu_hour,
            ("alb_lcus",),
        ),
    ]
    if not r.inputs.get("internal", False):
        # An internet-facing ALB holds a public IPv4 address in each of its subnets (at least).
        nodes = len(r.inputs.get("subnets") or r.inputs.get("subnetMappings") or [])
        charges.append(_hours("public IPv4 addresses (one per subnet)", nodes, p.public_ipv4_hour, ctx))
    return charges


def ecs_service(r: PlannedResource, ctx: PricingContext) -> list[Charge]:
    """Fargate vCPU and memory of the planned task count, at the task definition's size."""
    if r.inputs.get("launchType") != "FARGATE":
        return [Charge(f"launch type {r.inputs.get('launchType')}: not in the price table", None)]
    task = ctx.referenced(r.inputs.get("taskDefinition"))
    if task is None:
        return [Charge("task definition not in the plan: size unknown", None)]
    arch = (task.inputs.get("runtimePlatform") or {}).get("cpuArchitecture", "X86_64")
    rates = ctx.table.prices.fargate.get(arch)
    if rates is None:
        return [Charge(f"Fargate {arch}: not in the price table", None)]
    count = int(r.inputs.get("desiredCount", 1))
    vcpu = int(task.inputs["cpu"]) / 1024
    gb = int(task.inputs["memory"]) / 1024
    where = f"{count} tasks x {qty(ctx.hours)} h"
    return [
        Charge(
            f"Fargate {arch} vCPU: {where} x {qty(vcpu)} vCPU x {usd(rates.vcpu_hour)}/vCPU-h",
            count * ctx.hours * vcpu * rates.vcpu_hour,
        ),
        Charge(
            f"Fargate {arch} memory: {where} x {qty(gb)} GB x {usd(rates.gb_hour)}/GB-h",
            count * ctx.hours * gb * rates.gb_hour,
        ),
    ]


def ecs_cluster(r: PlannedResource, ctx: PricingContext) -> list[Charge]:
    """A cluster is free; Container Insights, when on, bills its metrics and performance logs."""
    settings = {s.get("name"): s.get("value") for s in r.inputs.get("settings") or []}
    if settings.get("containerInsights", "disabled") == "disabled":
        return [Charge("cluster: free (Container Insights off)", 0.0)]
    cw = ctx.table.prices.cloudwatch
    metrics, log_gb = ctx.usage.container_insights_metrics, ctx.usage.container_insights_log_gb_per_day * ctx.days
    return [
        Charge(
            f"Container Insights metrics: {qty(metrics)} x {usd(cw.custom_metric_month)}/metric-month",
            metrics * cw.custom_metric_month,
            ("container_insights_metrics",),
        ),
        Charge(
            f"Container Insights logs: {qty(log_gb)} GB x {usd(cw.logs_ingested_gb)}/GB",
            log_gb * cw.logs_ingested_gb,
            ("container_insights_log_gb_per_day",),
        ),
    ]


def rds_instance(r: PlannedResource, ctx: PricingContext) -> list[Charge]:
    """Instance hours and storage (twice for Multi-AZ), backup beyond the free allowance, PI."""
    rds = ctx.table.prices.rds_postgresql
    if r.inputs.get("engine") != "postgres":
        return [Charge(f"engine {r.inputs.get('engine')}: not in the price table", None)]
    copies = 2 if r.inputs.get("multiAz") else 1
    deployment = "Multi-AZ (2 instances)" if copies == 2 else "Single-AZ"
    cls = r.inputs["instanceClass"]
    charges = []
    if cls in rds.instance_hour:
        charges.append(_hours(f"{cls} {deployment}", copies, rds.instance_hour[cls], ctx))
    else:
        charges.append(Charge(f"instance class {cls}: not in the price table", None))
    gb = float(r.inputs.get("allocatedStorage", 0))
    storage = r.inputs.get("storageType", "gp2")
    if storage in rds.storage_gb_month:
        rate = rds.storage_gb_month[storage]
        charges.append(Charge(f"{storage} storage: {copies} x {qty(gb)} GB x {usd(rate)}/GB-month", copies * gb * rate))
    else:
        charges.append(Charge(f"{storage} storage: not in the price table", None))
    if int(r.inputs.get("backupRetentionPeriod", 0)) > 0:
        # Backup storage up to the provisioned storage is free; only the excess is billed.
        extra = max(0.0, ctx.usage.rds_backup_ratio - 1) * gb
        charges.append(
            Charge(
                f"backup beyond the free {qty(gb)} GB: {qty(extra)} GB x {usd(rds.backup_gb_month)}/GB-month",
                extra * rds.backup_gb_month,
                ("rds_backup_ratio",),
            )
        )
    if r.inputs.get("performanceInsightsEnabled"):
        days = int(r.inputs.get("performanceInsightsRetentionPeriod", rds.performance_insights_free_days))
        if days <= rds.performance_insights_free_days:
            charges.append(Charge(f"Performance Insights: {days} days retention (free tier)", 0.0))
        else:
            charges.append(Charge(f"Performance Insights: {days} days retention not in the price table", None))
    return charges


def kms_key(r: PlannedResource, ctx: PricingContext) -> list[Charge]:
    """A customer managed key, by the month."""
    return [Charge(f"KMS key: 1 x {usd(ctx.table.prices.kms_key_month)}/month", ctx.table.prices.kms_key_month)]


def log_group(r: PlannedResource, ctx: PricingContext) -> list[Charge]:
    """Ingestion of the group's daily volume, and storage of its retention (the steady state)."""
    cw = ctx.table.prices.cloudwatch
    per_day = ctx.usage.per_resource("log_gb_per_day", ctx.resource_key(r))
    retention = r.inputs.get("retentionInDays") or 0
    kept = float(retention) if retention else ctx.usage.log_days_without_expiry
    ingested, stored = per_day * ctx.days, per_day * kept
    return [
        Charge(
            f"ingestion: {qty(per_day)} GB/day x {qty(ctx.days)} days x {usd(cw.logs_ingested_gb)}/GB",
            ingested * cw.logs_ingested_gb,
            ("log_gb_per_day",),
        ),
        Charge(
            f"storage: {qty(per_day)} GB/day x {qty(kept)} days kept x {usd(cw.logs_stored_gb_month)}/GB-month",
            stored * cw.logs_stored_gb_month,
            ("log_gb_per_day",) if retention else ("log_gb_per_day", "log_days_without_expiry"),
        ),
    ]


def metric_alarm(r: PlannedResource, ctx: PricingContext) -> list[Charge]:
    """Per metric the alarm evaluates: one, or each metric of its metric-math queries."""
    cw = ctx.table.prices.cloudwatch
    queries = r.inputs.get("metricQueries") or []
    metrics = sum(1 for q in queries if q.get("metric")) if queries else 1
    periods = [int(q["metric"].get("period", 60)) for q in queries if q.get("metric")] or [
        int(r.inputs.get("period", 60))
    ]
    high_res = min(periods) < 60
    rate = cw.high_resolution_alarm_metric_month if high_res else cw.alarm_metric_month
    kind = "high-resolution alarm" if high_res else "alarm"
    return [Charge(f"{kind}: {metrics} metric(s) x {usd(rate)}/metric-month", metrics * rate)]


def scaling_policy(r: PlannedResource, ctx: PricingContext) -> list[Charge]:
    """Target tracking creates two CloudWatch alarms (scale out, scale in), billed as alarms."""
    if r.inputs.get("policyType") != "TargetTrackingScaling":
        return [Charge("step scaling policy: free (its alarms are separate resources)", 0.0)]
    rate = ctx.table.prices.cloudwatch.alarm_metric_month
    return [Charge(f"target tracking alarms: 2 x {usd(rate)}/alarm-month", 2 * rate)]


def dashboard(r: PlannedResource, ctx: PricingContext) -> list[Charge]:
    """A dashboard, by the month."""
    rate = ctx.table.prices.cloudwatch.dashboard_month
    return [Charge(f"dashboard: 1 x {usd(rate)}/month", rate)]


def _acl_rules(r: PlannedResource) -> list[dict[str, Any]]:
    """The ACL's rules, from `rules` or from the raw `ruleJson` (AWS API casing)."""
    raw = r.inputs.get("ruleJson")
    return list(r.inputs.get("rules") or (json.loads(raw) if isinstance(raw, str) and raw else []))


def _managed_group(rule: dict[str, Any]) -> str | None:
    statement = rule.get("statement") or rule.get("Statement") or {}
    group = statement.get("managedRuleGroupStatement") or statement.get("ManagedRuleGroupStatement") or {}
    return group.get("name") or group.get("Name")


def web_acl(r: PlannedResource, ctx: PricingContext) -> list[Charge]:
    """The ACL and each rule by the month, the requests it inspects, and its managed rule groups.

    A managed rule group is one rule; those AWS charges extra for are not priced, the others
    are listed at no extra charge so the estimate says they were checked.
    """
    waf = ctx.table.prices.waf
    rules = _acl_rules(r)
    millions = ctx.usage.requests_per_month / 1e6
    charges = [
        Charge(f"web ACL: 1 x {usd(waf.web_acl_month)}/month", waf.web_acl_month),
        Charge(f"rules: {len(rules)} x {usd(waf.rule_month)}/rule-month", len(rules) * waf.rule_month),
        Charge(
            f"requests: {qty(millions)} million x {usd(waf.requests_million)}/million",
            millions * waf.requests_million,
            ("requests_per_month",),
        ),
    ]
    groups = sorted(filter(None, (_managed_group(rule) for rule in rules)))
    included = [name.removeprefix("AWSManagedRules") for name in groups if name not in PAID_MANAGED_RULE_GROUPS]
    if included:
        charges.append(Charge(f"managed rule groups without extra fees: {', '.join(included)}", 0.0))
    for name in groups:
        if name in PAID_MANAGED_RULE_GROUPS:
            charges.append(Charge(f"{name} subscription and request fees: not in the price table", None))
    return charges


def hosted_zone(r: PlannedResource, ctx: PricingContext) -> list[Charge]:
    """A hosted zone, by the month (queries are priced per record)."""
    rate = ctx.table.prices.route53.hosted_zone_month
    return [Charge(f"hosted zone: 1 x {usd(rate)}/month", rate)]


def dns_record(r: PlannedResource, ctx: PricingContext) -> list[Charge]:
    """Alias queries to AWS resources are free; other records pay for the queries they answer."""
    if r.inputs.get("aliases"):
        return [Charge("alias record: queries to AWS resources are free", 0.0)]
    rate = ctx.table.prices.route53.queries_million
    millions = ctx.usage.route53_queries_per_month / 1e6
    return [
        Charge(
            f"queries: {qty(millions)} million x {usd(rate)}/million",
            millions * rate,
            ("route53_queries_per_month",),
        )
    ]


def _days_kept(bucket: PlannedResource, ctx: PricingContext) -> tuple[float, float] | None:
    """(Days to expiry, days then kept as a noncurrent version) under the bucket's lifecycle, the
    longest-keeping rule's; None when nothing removes an object.

    In a versioned bucket, expiry only makes the object noncurrent: it stays billed until the
    rule's noncurrent-version expiration removes it, and forever without one.
    """
    versioned = any(
        (v.inputs.get("versioningConfiguration") or {}).get("status") == "Enabled"
        for v in ctx.referring(VERSIONING, "bucket", bucket)
    )
    kept = []
    for lc in ctx.referring(LIFECYCLE, "bucket", bucket):
        for rule in lc.inputs.get("rules") or []:
            expiry = (rule.get("expiration") or {}).get("days")
            if rule.get("status") != "Enabled" or not expiry:
                continue
            noncurrent = (rule.get("noncurrentVersionExpiration") or {}).get("noncurrentDays")
            if not versioned:
                kept.append((float(expiry), 0.0))
            elif noncurrent:
                kept.append((float(expiry), float(noncurrent)))
    return max(kept, key=sum) if kept else None


def _stream_objects_per_month(stream: PlannedResource, ctx: PricingContext) -> float:
    """Objects a delivery stream writes to S3 in a month: one per flush of its buffer.

    Firehose flushes when either the interval passes or the buffer fills, so a steady stream
    writes the larger of (seconds a day / interval) and (MiB a day / buffer size) a day.
    """
    s3 = stream.inputs.get("extendedS3Configuration") or {}
    interval = float(s3.get("bufferingInterval") or FIREHOSE_DEFAULT_BUFFER_SECONDS)
    size_mib = float(s3.get("bufferingSize") or FIREHOSE_DEFAULT_BUFFER_MIB)
    mib_per_day = ctx.usage.firehose_gb_per_day * MIB_PER_GB
    return max(SECONDS_PER_DAY / interval, mib_per_day / size_mib) * ctx.days


@dataclass(frozen=True)
class _Inflow:
    """What a bucket receives: GB a day and PUTs a month, the assumptions they come from, and from whom."""

    gb_per_day: float
    puts: float
    gb_key: str
    puts_key: str
    source: str


def _replicated_into(bucket: PlannedResource, ctx: PricingContext) -> list[PlannedResource]:
    """The buckets whose replication configuration copies every object into `bucket`."""
    sources = []
    for config in (r for _, r in ctx.plan.all_resources() if r.type == REPLICATION):
        rules = config.inputs.get("rules") or []
        into = [ctx.referenced((rule.get("destination") or {}).get("bucket")) for rule in rules]
        source = ctx.referenced(config.inputs.get("bucket"))
        if source is not None and any(d is not None and d.name == bucket.name for d in into):
            sources.append(source)
    return sources


def _inflow(r: PlannedResource, ctx: PricingContext) -> _Inflow:
    """A bucket delivery streams write into holds what they ingest (exactly, for a stream that does not
    compress; an upper bound otherwise), in one object per buffer flush; a bucket replication writes
    into receives every object its sources receive; any other bucket takes its daily GB and PUTs
    from the usage assumptions."""
    streams = ctx.referring(FIREHOSE, "extendedS3Configuration.bucketArn", r)
    if streams:
        return _Inflow(
            len(streams) * ctx.usage.firehose_gb_per_day,
            sum(_stream_objects_per_month(s, ctx) for s in streams),
            "firehose_gb_per_day",
            "firehose_gb_per_day",
            f" (written by {', '.join(s.name for s in streams)})",
        )
    sources = [_inflow(s, ctx) for s in _replicated_into(r, ctx)]
    if sources:
        return _Inflow(
            sum(s.gb_per_day for s in sources),
            sum(s.puts for s in sources),
            sources[0].gb_key,
            sources[0].puts_key,
            f" (replicated from {', '.join(s.name for s in _replicated_into(r, ctx))})",
        )
    return _Inflow(
        ctx.usage.per_resource("s3_gb_per_day", ctx.resource_key(r)),
        ctx.usage.s3_put_requests_per_month,
        "s3_gb_per_day",
        "s3_put_requests_per_month",
        "",
    )


def s3_bucket(r: PlannedResource, ctx: PricingContext) -> list[Charge]:
    """Standard storage of the objects its lifecycle keeps, and its requests (see `_inflow`)."""
    s3 = ctx.table.prices.s3_standard
    inflow = _inflow(r, ctx)
    days = _days_kept(r, ctx)
    kept = sum(days) if days is not None else ctx.usage.s3_days_without_expiry
    storage_from = (inflow.gb_key,) if days is not None else (inflow.gb_key, "s3_days_without_expiry")
    how_long = f"{qty(kept)} days kept"
    if days is not None and days[1]:
        how_long += f" ({qty(days[0])} + {qty(days[1])} as a noncurrent version)"
    gets = ctx.usage.s3_get_requests_per_month
    per_object = " (one per buffer flush)" if inflow.gb_key == "firehose_gb_per_day" else ""
    return [
        Charge(
            f"storage{inflow.source}: {qty(inflow.gb_per_day)} GB/day x {how_long} x "
            f"{usd(s3.storage_gb_month)}/GB-month",
            inflow.gb_per_day * kept * s3.storage_gb_month,
            storage_from,
        ),
        Charge(
            f"PUT requests{per_object}: {qty(inflow.puts)} x {usd(s3.put_requests_thousand)}/1,000",
            inflow.puts / 1000 * s3.put_requests_thousand,
            (inflow.puts_key,),
        ),
        Charge(
            f"GET requests: {qty(gets)} x {usd(s3.get_requests_thousand)}/1,000",
            gets / 1000 * s3.get_requests_thousand,
            ("s3_get_requests_per_month",),
        ),
    ]


def bucket_replication(r: PlannedResource, ctx: PricingContext) -> list[Charge]:
    """Replication metrics of each rule that enables them; the replicas are priced as their bucket.

    Replication within one region moves no billed data; each replica is a PUT and storage in the
    destination bucket (priced there); the KMS requests of re-encryption are not modelled.
    """
    rate = ctx.table.prices.cloudwatch.custom_metric_month
    rules = [rule for rule in r.inputs.get("rules") or [] if rule.get("status") == "Enabled"]
    metered = [
        rule for rule in rules if ((rule.get("destination") or {}).get("metrics") or {}).get("status") == "Enabled"
    ]
    n = len(metered) * REPLICATION_METRICS_PER_RULE
    return [Charge(f"replication metrics: {qty(n)} x {usd(rate)}/metric-month", n * rate)] if n else []


def delivery_stream(r: PlannedResource, ctx: PricingContext) -> list[Charge]:
    """Data ingested into the stream (its S3 destination is priced as the bucket).

    Format conversion, dynamic partitioning and record processing bill per GB on top of
    ingestion; the table has no price for them, so a stream using one is not priced.
    """
    rate = ctx.table.prices.firehose.ingested_gb
    gb = ctx.usage.firehose_gb_per_day * ctx.days
    charges = [Charge(f"ingestion: {qty(gb)} GB x {usd(rate)}/GB", gb * rate, ("firehose_gb_per_day",))]
    s3 = r.inputs.get("extendedS3Configuration") or {}
    for key, (what, on_by_default) in FIREHOSE_PAID_FEATURES.items():
        block = s3.get(key)
        if isinstance(block, dict) and block.get("enabled", on_by_default):
            charges.append(Charge(f"{what}: not in the price table", None))
    return charges


def sns_topic(r: PlannedResource, ctx: PricingContext) -> list[Charge]:
    """Messages published to the topic."""
    rate = ctx.table.prices.sns.publishes_million
    millions = ctx.usage.sns_publishes_per_month / 1e6
    return [
        Charge(
            f"publishes: {qty(millions)} million x {usd(rate)}/million",
            millions * rate,
            ("sns_publishes_per_month",),
        )
    ]


def sns_subscription(r: PlannedResource, ctx: PricingContext) -> list[Charge]:
    """Deliveries by protocol: every publish reaches every subscription."""
    sns = ctx.table.prices.sns
    n = ctx.usage.sns_publishes_per_month
    protocol = r.inputs.get("protocol")
    if protocol in ("sqs", "lambda", "firehose"):
        return [Charge(f"{protocol} deliveries: free", 0.0)]
    if protocol in ("email", "email-json"):
        rate = sns.email_deliveries_hundred_thousand
        return [
            Charge(f"email deliveries: {qty(n)} x {usd(rate)}/100,000", n / 1e5 * rate, ("sns_publishes_per_month",))
        ]
    if protocol in ("http", "https"):
        rate = sns.https_deliveries_million
        return [
            Charge(
                f"{protocol} deliveries: {qty(n)} x {usd(rate)}/million", n / 1e6 * rate, ("sns_publishes_per_month",)
            )
        ]
    return [Charge(f"{protocol} deliveries: not in the price table", None)]


RULES: dict[str, Rule] = {
    "aws:appautoscaling/policy:Policy": scaling_policy,
    "aws:cloudwatch/dashboard:Dashboard": dashboard,
    "aws:cloudwatch/logGroup:LogGroup": log_group,
    "aws:cloudwatch/metricAlarm:MetricAlarm": metric_alarm,
    "aws:ec2/eip:Eip": elastic_ip,
    "aws:ec2/natGateway:NatGateway": nat_gateway,
    "aws:ecs/cluster:Cluster": ecs_cluster,
    "aws:ecs/service:Service": ecs_service,
    FIREHOSE: delivery_stream,
    "aws:kms/key:Key": kms_key,
    "aws:lb/loadBalancer:LoadBalancer": load_balancer,
    "aws:rds/instance:Instance": rds_instance,
    "aws:route53/record:Record": dns_record,
    "aws:route53/zone:Zone": hosted_zone,
    "aws:s3/bucket:Bucket": s3_bucket,
    REPLICATION: bucket_replication,
    "aws:sns/topic:Topic": sns_topic,
    "aws:sns/topicSubscription:TopicSubscription": sns_subscription,
    "aws:wafv2/webAcl:WebAcl": web_acl,
}
