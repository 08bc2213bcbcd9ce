"""CloudWatch alarms from signal definitions: every alarm notifies on ALARM and on OK.

A layer lists its alarms as `AlarmDefinition`s (a signal from `shared.metrics`, a comparison,
a threshold from config and a deliberate choice of how missing data counts) and hands them to
`MetricAlarms` with the alarm topic from the network contract. Adding an alarm is one more entry
in that list. The evaluation window (period, evaluation periods, datapoints to alarm) is stack
config, shared by the alarms of one layer and validated by `AlarmWindowSettings`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal, Self

import pulumi
import pulumi_aws as aws
from pydantic import field_validator, model_validator

from shared.metrics import Signal, bind
from shared.naming import Namer
from shared.settings import InvalidSetting, StackSettings

Comparison = Literal[
    "GreaterThanThreshold",
    "GreaterThanOrEqualToThreshold",
    "LessThanThreshold",
    "LessThanOrEqualToThreshold",
]
MissingData = Literal["breaching", "notBreaching", "ignore", "missing"]

# AWS limit: period x evaluation periods may not exceed one day for periods of a minute or more.
MAX_EVALUATION_SECONDS = 86_400


def alarm_name_pattern(namer: Namer) -> str:
    """The names of this environment's alarms as a wildcard (`alarm-<service>-*-<env>`), for policies."""
    return f"alarm-{namer.service}-*-{namer.env}"


@dataclass(frozen=True)
class AlarmWindow:
    """How long a signal must be bad before the alarm fires: M of N periods."""

    period_seconds: int
    evaluation_periods: int
    datapoints_to_alarm: int


@dataclass(frozen=True)
class AlarmDefinition:
    """One alarm: which signal, which way is bad, from which threshold, and what silence means."""

    key: str
    signal: Signal
    comparison: Comparison
    threshold: float
    treat_missing_data: MissingData
    description: str


class AlarmWindowSettings(StackSettings):
    """The evaluation window keys every layer with alarms declares (`alarm*` in `Pulumi.yaml`)."""

    alarm_period_seconds: int
    alarm_evaluation_periods: int
    alarm_datapoints_to_alarm: int

    @field_validator("alarm_period_seconds")
    @classmethod
    def _period(cls, v: int) -> int:
        # AWS service metrics are standard resolution: a period is a whole number of minutes.
        if v < 60 or v % 60 or v > MAX_EVALUATION_SECONDS:
            raise ValueError("expected a multiple of 60 seconds, at most 86400")
        return v

    @field_validator("alarm_evaluation_periods", "alarm_datapoints_to_alarm")
    @classmethod
    def _count(cls, v: int) -> int:
        if not 1 <= v <= 1440:
            raise ValueError("expected 1 to 1440 periods")
        return v

    @model_validator(mode="after")
    def _window(self) -> Self:
        if self.alarm_datapoints_to_alarm > self.alarm_evaluation_periods:
            raise InvalidSetting(
                "alarmDatapointsToAlarm",
                self.alarm_datapoints_to_alarm,
                f"expected at most alarmEvaluationPeriods ({self.alarm_evaluation_periods})",
            )
        if self.alarm_period_seconds * self.alarm_evaluation_periods > MAX_EVALUATION_SECONDS:
            raise InvalidSetting(
                "alarmEvaluationPeriods",
                self.alarm_evaluation_periods,
                f"expected alarmPeriodSeconds x alarmEvaluationPeriods at most {MAX_EVALUATION_SECONDS} (one day)",
            )
        return self

    @property
    def alarm_window(self) -> AlarmWindow:
        """The configured window as one value."""
        return AlarmWindow(self.alarm_period_seconds, self.alarm_evaluation_periods, self.alarm_datapoints_to_alarm)


def metric_queries(
    signal: Signal, dimensions: Mapping[str, pulumi.Input[str]], period: int
) -> list[aws.cloudwatch.MetricAlarmMetricQueryArgs]:
    """The alarm's queries for `signal`: each metric, and the expression when there is one.

    Only the signal's own series returns data, so the alarm evaluates exactly what the dashboard
    plots under the same label.
    """
    queries = [
        aws.cloudwatch.MetricAlarmMetricQueryArgs(
            id=m.id,
            return_data=signal.expression is None,
            label=signal.label if signal.expression is None else None,
            metric=aws.cloudwatch.MetricAlarmMetricQueryMetricArgs(
                namespace=m.namespace, metric_name=m.name, stat=m.stat, period=period, dimensions=bind(m, dimensions)
            ),
        )
        for m in signal.metrics
    ]
    if signal.expression:
        queries.append(
            aws.cloudwatch.MetricAlarmMetricQueryArgs(
                id=signal.query_id, expression=signal.expression, label=signal.label, return_data=True
            )
        )
    return queries


@dataclass(frozen=True)
class MetricAlarmsArgs:
    namer: Namer
    definitions: Sequence[AlarmDefinition]
    window: AlarmWindow
    dimensions: Mapping[str, pulumi.Input[str]]  # dimension name -> value, for every signal above
    topic_arn: pulumi.Input[str]  # the network layer's alarm topic (or the configured one)
    tags: dict[str, str]


class MetricAlarms(pulumi.ComponentResource):
    """One `MetricAlarm` per definition, named `alarm-<service>-<key>-<env>`, acting on ALARM and OK."""

    alarms: dict[str, aws.cloudwatch.MetricAlarm]

    def __init__(self, name: str, args: MetricAlarmsArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("payments:shared:MetricAlarms", name, None, opts)
        n, w = args.namer, args.window
        self.alarms = {}
        for d in sorted(args.definitions, key=lambda d: d.key):
            self.alarms[d.key] = aws.cloudwatch.MetricAlarm(
                n("alarm", d.key),
                name=n("alarm", d.key),
                alarm_description=d.description,
                metric_queries=metric_queries(d.signal, args.dimensions, w.period_seconds),
                comparison_operator=d.comparison,
                threshold=d.threshold,
                evaluation_periods=w.evaluation_periods,
                datapoints_to_alarm=w.datapoints_to_alarm,
                treat_missing_data=d.treat_missing_data,
                actions_enabled=True,
                # OK too: whoever was paged learns that it recovered without opening the console.
                alarm_actions=[args.topic_arn],
                ok_actions=[args.topic_arn],
                tags=args.tags,
                opts=pulumi.ResourceOptions(parent=self),
            )
        self.register_outputs({"alarm_names": [a.name for a in self.alarms.values()]})
