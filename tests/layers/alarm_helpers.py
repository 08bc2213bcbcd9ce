"""Reading a planned `MetricAlarm` as a test wants to assert it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ops.plan.platform import LayerPlan

ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"


@dataclass(frozen=True)
class PlannedAlarm:
    """What an alarm watches, when it fires, and whom it tells."""

    metrics: list[tuple[str, str, str, dict[str, Any]]]  # (namespace, metric, stat, dimensions)
    expression: str | None
    period: int
    comparison: str
    threshold: float
    evaluation_periods: int
    datapoints_to_alarm: int
    treat_missing_data: str
    alarm_actions: list[str]
    ok_actions: list[str]


def alarm(plan: LayerPlan, key: str, env: str = "prod") -> PlannedAlarm:
    """The alarm `alarm-payments-<key>-<env>` of `plan`."""
    i = plan.named(f"alarm-payments-{key}-{env}").inputs
    assert i["name"] == f"alarm-payments-{key}-{env}"
    queries = i["metricQueries"]
    metric_queries = [q for q in queries if "metric" in q]
    expressions = [q for q in queries if "expression" in q]
    assert [q.get("returnData") for q in queries].count(True) == 1  # the alarm evaluates one series
    periods = {q["metric"]["period"] for q in metric_queries}
    assert len(periods) == 1
    return PlannedAlarm(
        metrics=[
            (q["metric"]["namespace"], q["metric"]["metricName"], q["metric"]["stat"], q["metric"]["dimensions"])
            for q in metric_queries
        ],
        expression=expressions[0]["expression"] if expressions else None,
        period=periods.pop(),
        comparison=i["comparisonOperator"],
        threshold=i["threshold"],
        evaluation_periods=i["evaluationPeriods"],
        datapoints_to_alarm=i["datapointsToAlarm"],
        treat_missing_data=i["treatMissingData"],
        alarm_actions=i["alarmActions"],
        ok_actions=i["okActions"],
    )


def alarm_keys(plan: LayerPlan, env: str = "prod") -> list[str]:
    """The keys of every alarm of the plan, sorted."""
    return sorted(r.name.removeprefix("alarm-payments-").removesuffix(f"-{env}") for r in plan.by_type(ALARM))
