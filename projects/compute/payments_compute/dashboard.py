"""`PlatformDashboard`: one CloudWatch dashboard per environment with every layer's golden signals.

It lives in compute, the one layer that reads all the others (the ALB and target group from edge,
the instance from data) and owns the service, so every dimension is known here. Each widget plots
signals from `shared.metrics`, the same definitions the layers' alarms evaluate. One row per
layer; each widget is one golden signal (traffic, errors, latency, saturation).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws

from shared import metrics
from shared.metrics import Signal
from shared.naming import Namer

GRID_WIDTH = 24  # CloudWatch dashboards are 24 units wide
WIDGET_HEIGHT = 6


@dataclass(frozen=True)
class Widget:
    """One graph: a golden signal of one layer."""

    title: str
    signals: tuple[Signal, ...]


@dataclass(frozen=True)
class Row:
    """One layer's widgets, at the period its metrics are published (and alarmed) at."""

    layer: str
    period: int
    widgets: tuple[Widget, ...]


def rows(*, burstable_db: bool) -> tuple[Row, ...]:
    """The dashboard's layout: edge, compute, data, network; CPU credits only for a burstable instance."""
    data_saturation: tuple[Widget, ...] = (
        Widget("saturation: CPU", (metrics.RDS_CPU,)),
        Widget("saturation: memory and storage", (metrics.RDS_FREEABLE_MEMORY, metrics.RDS_FREE_STORAGE)),
    )
    if burstable_db:
        data_saturation += (Widget("saturation: CPU credits", (metrics.RDS_CPU_CREDITS,)),)
    return (
        Row(
            "edge",
            60,
            (
                Widget("traffic: requests", (metrics.ALB_REQUESTS,)),
                Widget("errors: 5xx rate", (metrics.ALB_ELB_5XX_RATE, metrics.ALB_TARGET_5XX_RATE)),
                Widget("latency: p99", (metrics.ALB_TARGET_P99,)),
                Widget("saturation: targets", (metrics.ALB_HEALTHY_HOSTS, metrics.ALB_UNHEALTHY_HOSTS)),
                Widget("errors: requests the WAF blocked", (metrics.WAF_BLOCKED_REQUESTS,)),
            ),
        ),
        Row(
            "compute",
            60,
            (
                Widget("traffic: running tasks", (metrics.ECS_RUNNING_TASKS,)),
                Widget("saturation: CPU", (metrics.ECS_CPU,)),
                Widget("saturation: memory", (metrics.ECS_MEMORY,)),
            ),
        ),
        Row(
            "data",
            300,
            (
                Widget("traffic: connections", (metrics.RDS_CONNECTIONS,)),
                Widget("latency: I/O", (metrics.RDS_READ_LATENCY, metrics.RDS_WRITE_LATENCY)),
                *data_saturation,
            ),
        ),
        Row(
            "network",
            300,
            (
                Widget("latency: audit records not yet in S3", (metrics.ARCHIVE_FRESHNESS,)),
                Widget("errors: audit objects not replicated", (metrics.ARCHIVE_REPLICATION_FAILED,)),
            ),
        ),
    )


def dashboard_body(*, region: str, dimensions: dict[str, str], burstable_db: bool) -> str:
    """The dashboard's JSON: deterministic (sorted keys, fixed layout) for the same inputs."""
    widgets: list[dict[str, Any]] = []
    for y, row in enumerate(rows(burstable_db=burstable_db)):
        width = GRID_WIDTH // len(row.widgets)
        for x, widget in enumerate(row.widgets):
            widgets.append(
                {
                    "type": "metric",
                    "x": x * width,
                    "y": y * WIDGET_HEIGHT,
                    "width": width,
                    "height": WIDGET_HEIGHT,
                    "properties": {
                        "title": f"{row.layer} - {widget.title}",
                        "region": region,
                        "period": row.period,
                        "view": "timeSeries",
                        "stacked": False,
                        "metrics": metrics.dashboard_metrics(widget.signals, dimensions),
                    },
                }
            )
    return json.dumps({"widgets": widgets}, sort_keys=True)


@dataclass(frozen=True)
class PlatformDashboardArgs:
    namer: Namer
    region: str
    dimensions: dict[str, pulumi.Input[str]]  # every dimension the signals above name
    db_instance_class: pulumi.Input[str]


class PlatformDashboard(pulumi.ComponentResource):
    """The dashboard `dashboard-<service>-<env>` (dashboards take no tags)."""

    dashboard: aws.cloudwatch.Dashboard

    def __init__(self, name: str, args: PlatformDashboardArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("payments:compute:PlatformDashboard", name, None, opts)
        n = args.namer
        names = sorted(args.dimensions)
        body = pulumi.Output.all(args.db_instance_class, *(args.dimensions[k] for k in names)).apply(
            lambda v: dashboard_body(
                region=args.region,
                dimensions=dict(zip(names, v[1:], strict=True)),
                burstable_db=metrics.is_burstable(v[0]),
            )
        )
        self.dashboard = aws.cloudwatch.Dashboard(
            n("dashboard"),
            dashboard_name=n("dashboard"),
            dashboard_body=body,
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.register_outputs({"dashboard_name": self.dashboard.dashboard_name})
