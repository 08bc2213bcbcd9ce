"""The platform's metric definitions: one definition per signal, used by alarms and the dashboard.

A `Signal` is what an operator looks at: one CloudWatch metric, or a metric-math expression over
a few metrics (an error *rate*). An alarm (`shared.alarms`) and a dashboard widget
(`dashboard_metrics`) both render the same `Signal`, so the graph an on-call opens shows exactly
the series the alarm evaluated. Dimension values (an ALB's ARN suffix, a DB identifier) are only
known per stack, so a signal names its dimensions and the caller binds their values.

Namespaces, metric names, statistics and dimensions are AWS's (the "CloudWatch metrics" pages of
Elastic Load Balancing, Amazon ECS Container Insights, Amazon RDS, Amazon Data Firehose and S3
Replication).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

ALB = "AWS/ApplicationELB"
ECS = "AWS/ECS"
CONTAINER_INSIGHTS = "ECS/ContainerInsights"
RDS = "AWS/RDS"

_ID = re.compile(r"^[a-z][a-zA-Z0-9_]*$")  # CloudWatch's rule for metric query ids


@dataclass(frozen=True)
class Metric:
    """One CloudWatch metric with its statistic; `id` names it inside a metric-math expression."""

    id: str
    namespace: str
    name: str
    stat: str  # Sum, Average, Minimum, Maximum or a percentile such as p99
    dimensions: tuple[str, ...]

    def __post_init__(self) -> None:
        if not _ID.match(self.id):
            raise ValueError(f"metric id {self.id!r} must start with a lowercase letter (letters, digits, _)")


@dataclass(frozen=True)
class Signal:
    """A golden signal: one metric, or `expression` (metric math over `metrics` by their ids)."""

    key: str
    label: str
    unit: str  # what the value means, for labels and docs: "percent", "seconds", "bytes", ...
    metrics: tuple[Metric, ...]
    expression: str | None = None

    def __post_init__(self) -> None:
        if self.expression is None and len(self.metrics) != 1:
            raise ValueError(f"signal {self.key}: without an expression it must be exactly one metric")

    @property
    def query_id(self) -> str:
        """The id of the series this signal returns (its expression, or its one metric)."""
        return self.key.replace("-", "_") if self.expression else self.metrics[0].id


def bind(metric: Metric, values: Mapping[str, Any]) -> dict[str, Any]:
    """The metric's dimensions with their values, in the metric's order (KeyError if one is missing)."""
    return {name: values[name] for name in metric.dimensions}


# --- edge: the Application Load Balancer ------------------------------------------------------
# ELB publishes these only while requests flow: a quiet minute has no data point, not a zero.
_requests = Metric("requests", ALB, "RequestCount", "Sum", ("LoadBalancer",))
_elb_5xx = Metric("elb5xx", ALB, "HTTPCode_ELB_5XX_Count", "Sum", ("LoadBalancer",))
_target_5xx = Metric("target5xx", ALB, "HTTPCode_Target_5XX_Count", "Sum", ("LoadBalancer",))

ALB_REQUESTS = Signal("alb-requests", "Requests", "count", (_requests,))
# RequestCount only counts requests for which the load balancer chose a target, so a 503 for
# "no registered target" is in the 5xx count but not in RequestCount: dividing by the larger of
# the two keeps that outage at 100% instead of a division by zero. No 5xx -> no data point.
ALB_ELB_5XX_RATE = Signal(
    "elb-5xx-rate",
    "Load balancer 5xx (% of requests)",
    "percent",
    (_elb_5xx, _requests),
    expression="100 * elb5xx / MAX([FILL(requests, 0), elb5xx])",
)
ALB_TARGET_5XX_RATE = Signal(
    "target-5xx-rate",
    "Target 5xx (% of requests)",
    "percent",
    (_target_5xx, _requests),
    expression="100 * FILL(target5xx, 0) / requests",
)
ALB_TARGET_P99 = Signal(
    "target-p99",
    "Target response time p99",
    "seconds",
    (Metric("p99", ALB, "TargetResponseTime", "p99", ("LoadBalancer",)),),
)
ALB_UNHEALTHY_HOSTS = Signal(
    "unhealthy-hosts",
    "Unhealthy targets",
    "count",
    (Metric("unhealthy", ALB, "UnHealthyHostCount", "Maximum", ("TargetGroup", "LoadBalancer")),),
)
ALB_HEALTHY_HOSTS = Signal(
    "healthy-hosts",
    "Healthy targets",
    "count",
    (Metric("healthy", ALB, "HealthyHostCount", "Minimum", ("TargetGroup", "LoadBalancer")),),
)

# AWS WAF publishes per web ACL and Region; Rule=ALL is the whole ACL's count.
WAF = "AWS/WAFV2"
WAF_BLOCKED_REQUESTS = Signal(
    "waf-blocked",
    "Requests blocked by the web ACL",
    "count",
    (Metric("blocked", WAF, "BlockedRequests", "Sum", ("WebACL", "Region", "Rule")),),
)

# --- compute: the ECS service ------------------------------------------------------------------
_SERVICE = ("ClusterName", "ServiceName")
ECS_RUNNING_TASKS = Signal(
    "running-tasks",
    "Running tasks",
    "count",
    (Metric("running", CONTAINER_INSIGHTS, "RunningTaskCount", "Minimum", _SERVICE),),
)
ECS_CPU = Signal(
    "service-cpu",
    "Service CPU (% of reserved)",
    "percent",
    (Metric("cpu", ECS, "CPUUtilization", "Average", _SERVICE),),
)
ECS_MEMORY = Signal(
    "service-memory",
    "Service memory (% of reserved)",
    "percent",
    (Metric("memory", ECS, "MemoryUtilization", "Average", _SERVICE),),
)

# --- data: the RDS instance --------------------------------------------------------------------
_DB = ("DBInstanceIdentifier",)
RDS_CPU = Signal("db-cpu", "Database CPU", "percent", (Metric("dbcpu", RDS, "CPUUtilization", "Average", _DB),))
RDS_FREE_STORAGE = Signal(
    "db-free-storage", "Free storage", "bytes", (Metric("freestorage", RDS, "FreeStorageSpace", "Minimum", _DB),)
)
RDS_CONNECTIONS = Signal(
    "db-connections", "Connections", "count", (Metric("connections", RDS, "DatabaseConnections", "Maximum", _DB),)
)
RDS_FREEABLE_MEMORY = Signal(
    "db-freeable-memory", "Freeable memory", "bytes", (Metric("freemem", RDS, "FreeableMemory", "Minimum", _DB),)
)
RDS_CPU_CREDITS = Signal(
    "db-cpu-credits", "CPU credit balance", "credits", (Metric("credits", RDS, "CPUCreditBalance", "Minimum", _DB),)
)
RDS_READ_LATENCY = Signal(
    "db-read-latency", "Read latency", "seconds", (Metric("readlat", RDS, "ReadLatency", "Average", _DB),)
)
RDS_WRITE_LATENCY = Signal(
    "db-write-latency", "Write latency", "seconds", (Metric("writelat", RDS, "WriteLatency", "Average", _DB),)
)


def is_burstable(instance_class: str) -> bool:
    """Whether an RDS instance class earns and spends CPU credits (the db.t* families)."""
    return instance_class.startswith("db.t")


# --- network: the audit archive ----------------------------------------------------------------
# Firehose ("Monitoring with CloudWatch metrics", data delivery metrics): the age of the oldest
# record still in the stream, i.e. not yet written to S3. It is published while records wait;
# a stream that holds nothing publishes nothing.
FIREHOSE = "AWS/Firehose"
ARCHIVE_FRESHNESS = Signal(
    "archive-freshness",
    "Oldest audit record not yet in S3",
    "seconds",
    (Metric("freshness", FIREHOSE, "DeliveryToS3.DataFreshness", "Maximum", ("DeliveryStreamName",)),),
)
# S3 Replication metrics ("Monitoring replication with S3 Replication metrics"): operations that
# failed to replicate, per rule, published once the rule enables metrics. A failed object is not
# retried by S3 (it takes S3 Batch Replication), so one is already lost evidence.
S3 = "AWS/S3"
ARCHIVE_REPLICATION_FAILED = Signal(
    "archive-replication-failed",
    "Audit objects that failed to replicate into the locked archive",
    "count",
    (
        Metric(
            "replfailed",
            S3,
            "OperationsFailedReplication",
            "Sum",
            ("SourceBucket", "DestinationBucket", "RuleId"),
        ),
    ),
)


# --- the dashboard's view of a signal ----------------------------------------------------------
def dashboard_metrics(signals: tuple[Signal, ...], values: Mapping[str, Any]) -> list[list[Any]]:
    """The `metrics` array of one dashboard widget plotting `signals` (dimension values bound).

    Metrics an expression reads are listed hidden; a metric two signals share (the request
    count under both 5xx rates) is listed once. Two different metrics under one id are an error.
    """
    rows: list[list[Any]] = []
    seen: dict[str, Metric] = {}
    for signal in signals:
        for metric in signal.metrics:
            if metric.id in seen:
                if seen[metric.id] != metric:
                    raise ValueError(f"two metrics share the id {metric.id!r} in one widget")
                continue
            seen[metric.id] = metric
            dims = [part for name, value in bind(metric, values).items() for part in (name, value)]
            options: dict[str, Any] = {"id": metric.id, "stat": metric.stat}
            if signal.expression:
                options["visible"] = False
            else:
                options["label"] = signal.label
            rows.append([metric.namespace, metric.name, *dims, options])
        if signal.expression:
            rows.append([{"expression": signal.expression, "id": signal.query_id, "label": signal.label}])
    return rows
