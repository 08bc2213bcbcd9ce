"""After a deploy: are the environment's alarms live, and is the audit archive receiving?

Three read-only checks against a live account, each returning one line that says what it saw or
raising `CheckFailed` with one line that says what is wrong:

- `check_alarms`: the environment's alarms (`alarm-<service>-*-<env>`) exist, each notifies on
  ALARM and OK, and none has sat in INSUFFICIENT_DATA longer than a grace period after its last
  state change. Every alarm of the platform decides what missing data means, so one stuck there
  past the grace period watches a metric that does not exist (a wrong dimension, Container
  Insights off) and would never page.
- `check_archive_stream`: the audit archive's delivery stream is ACTIVE and has delivered to S3
  recently: it says when last (Firehose's `DeliveryToS3.Records` metric), and fails when a stream
  older than the grace period has delivered nothing for a day.
- `check_audit_subscriptions`: each audit log group has exactly one subscription filter, into
  that stream.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from botocore.exceptions import ClientError

from shared.audit_archive import stream_name
from shared.lifecycle import CheckFailed, VerifyContext

# Long enough for a new alarm's first evaluations (the slowest alarm looks at 3 x 5 minutes).
DEFAULT_GRACE = timedelta(minutes=30)
# How far back the archive check looks for the stream's last delivery, in 5-minute periods (the
# stream flushes at least every 5 minutes while it holds records).
DELIVERY_LOOKBACK = timedelta(hours=24)
DELIVERY_PERIOD_SECONDS = 300


def environment_alarms(cloudwatch: Any, *, service: str, env: str) -> list[dict[str, Any]]:
    """The metric alarms named `alarm-<service>-...-<env>`, sorted by name."""
    paginator = cloudwatch.get_paginator("describe_alarms")
    found = [
        alarm
        for page in paginator.paginate(AlarmNamePrefix=f"alarm-{service}-", AlarmTypes=["MetricAlarm"])
        for alarm in page["MetricAlarms"]
        if alarm["AlarmName"].endswith(f"-{env}")
    ]
    return sorted(found, key=lambda a: a["AlarmName"])


def check_alarms(
    cloudwatch: Any,
    *,
    service: str,
    env: str,
    expected: Iterable[str] = (),
    grace: timedelta = DEFAULT_GRACE,
    now: datetime | None = None,
) -> str:
    """The environment's alarms exist (all of `expected`, if given), notify, and none is stuck in INSUFFICIENT_DATA."""
    now = now or datetime.now(UTC)
    alarms = environment_alarms(cloudwatch, service=service, env=env)
    if not alarms:
        raise CheckFailed(f"no alarms named alarm-{service}-*-{env}: deploy the data, edge and compute layers")
    names = {a["AlarmName"] for a in alarms}
    missing = sorted(set(expected) - names)
    if missing:
        raise CheckFailed(f"{len(alarms)} alarms of {env}, but missing: {', '.join(missing)}")
    silent = [
        a["AlarmName"]
        for a in alarms
        if not a.get("ActionsEnabled", True) or not a.get("AlarmActions") or not a.get("OKActions")
    ]
    if silent:
        raise CheckFailed(f"alarms without ALARM and OK actions: {', '.join(silent)}")
    stuck = [
        a["AlarmName"]
        for a in alarms
        if a["StateValue"] == "INSUFFICIENT_DATA" and now - a["StateUpdatedTimestamp"] > grace
    ]
    minutes = int(grace.total_seconds() // 60)
    if stuck:
        raise CheckFailed(f"in INSUFFICIENT_DATA for more than {minutes} min (no such metric?): {', '.join(stuck)}")
    states: dict[str, int] = {}
    for a in alarms:
        states[a["StateValue"]] = states.get(a["StateValue"], 0) + 1
    summary = ", ".join(f"{count} {state}" for state, count in sorted(states.items()))
    firing = [a["AlarmName"] for a in alarms if a["StateValue"] == "ALARM"]
    return (
        f"{len(alarms)} alarms of {env} ({summary}), all notify on ALARM and OK; "
        f"none in INSUFFICIENT_DATA beyond {minutes} min" + (f"; firing: {', '.join(firing)}" if firing else "")
    )


def last_delivery(cloudwatch: Any, name: str, *, now: datetime) -> datetime | None:
    """The start of the latest 5-minute period in which stream `name` delivered records to S3, or None.

    `DeliveryToS3.Records` counts the records Firehose wrote to S3 in a period (Amazon Data Firehose,
    "Data delivery CloudWatch metrics"); a period without a delivery has no data point or a zero.
    """
    points = cloudwatch.get_metric_statistics(
        Namespace="AWS/Firehose",
        MetricName="DeliveryToS3.Records",
        Dimensions=[{"Name": "DeliveryStreamName", "Value": name}],
        StartTime=now - DELIVERY_LOOKBACK,
        EndTime=now,
        Period=DELIVERY_PERIOD_SECONDS,
        Statistics=["Sum"],
    )["Datapoints"]
    delivered = [p["Timestamp"] for p in points if p.get("Sum", 0) > 0]
    return max(delivered) if delivered else None


def _ago(then: datetime, now: datetime) -> str:
    minutes = int((now - then).total_seconds() // 60)
    return f"{minutes} min ago" if minutes < 120 else f"{minutes // 60} h ago"


def check_archive_stream(
    firehose: Any,
    cloudwatch: Any,
    stream_arn: str,
    *,
    grace: timedelta = DEFAULT_GRACE,
    now: datetime | None = None,
) -> str:
    """The audit archive's delivery stream exists, is ACTIVE, and says when it last delivered to S3.

    A stream older than `grace` that delivered nothing in `DELIVERY_LOOKBACK` fails: audit logs
    flow all the time (the VPC's flow logs alone), so a silent stream is a broken archive, and its
    error log group says why.
    """
    now = now or datetime.now(UTC)
    name = stream_name(stream_arn)
    try:
        description = firehose.describe_delivery_stream(DeliveryStreamName=name)["DeliveryStreamDescription"]
    except ClientError as e:
        if e.response.get("Error", {}).get("Code") == "ResourceNotFoundException":
            raise CheckFailed(f"delivery stream {name} not found: deploy the network layer") from None
        raise
    status = description["DeliveryStreamStatus"]
    encryption = description.get("DeliveryStreamEncryptionConfiguration", {}).get("Status", "unknown")
    seen = f"{name}: {status}, encryption {encryption}"
    if status != "ACTIVE":
        raise CheckFailed(f"{seen}; expected ACTIVE")
    last = last_delivery(cloudwatch, name, now=now)
    if last is not None:
        return f"{seen}; last delivery to S3 {last:%Y-%m-%d %H:%M} UTC ({_ago(last, now)})"
    created = description.get("CreateTimestamp")
    hours = int(DELIVERY_LOOKBACK.total_seconds() // 3600)
    if created is not None and now - created <= grace:
        return f"{seen}; no delivery to S3 yet (created {_ago(created, now)}; the first flush takes up to 5 min)"
    errors = [
        d.get("ExtendedS3DestinationDescription", {}).get("CloudWatchLoggingOptions", {}).get("LogGroupName")
        for d in description.get("Destinations", [])
    ]
    where = next((f"its error log group {g}" for g in errors if g), "its error log")
    raise CheckFailed(f"{seen}; no delivery to S3 in the last {hours} h: read {where}")


def check_audit_subscriptions(logs: Any, log_group_names: Iterable[str], stream_arn: str) -> str:
    """Each audit log group has exactly one subscription filter, and it delivers to the archive stream."""
    wrong = []
    groups = sorted(log_group_names)
    for group in groups:
        try:
            filters = logs.describe_subscription_filters(logGroupName=group)["subscriptionFilters"]
        except ClientError as e:
            if e.response.get("Error", {}).get("Code") == "ResourceNotFoundException":
                wrong.append(f"{group}: no such log group")
                continue
            raise
        destinations = [f["destinationArn"] for f in filters]
        if destinations != [stream_arn]:
            wrong.append(f"{group}: {len(filters)} filters to {', '.join(destinations) or 'nothing'}")
    if wrong:
        raise CheckFailed(f"expected one subscription each into {stream_name(stream_arn)}; " + "; ".join(wrong))
    return f"{len(groups)} audit log groups each stream into {stream_name(stream_arn)}"


# The hooks `invoke verify` runs (see `payments_network.lifecycle`) ----------------------------


# The exports naming each layer's audit log group (VPC flow logs, PostgreSQL, WAF, the containers).
# Named, not discovered, so the check needs them all: a layer that lacks one stops verify up front
# instead of quietly checking fewer groups.
AUDIT_LOG_GROUP_EXPORTS: tuple[str, ...] = (
    "flow_log_group_name",
    "db_log_group_name",
    "waf_log_group_name",
    "log_group_name",
)


def audit_log_groups(exports: Mapping[str, Any]) -> list[str]:
    """Every layer's audit log group, by the export that names it, sorted."""
    return sorted(str(exports[name]) for name in AUDIT_LOG_GROUP_EXPORTS)


def verify_alarms(p: VerifyContext) -> str:
    """Hook: the environment's alarms are live (see `check_alarms`)."""
    return check_alarms(
        p.aws.client("cloudwatch"),
        service=p.expect.service,
        env=p.expect.env,
        grace=timedelta(minutes=p.expect.alarm_grace_minutes),
    )


def verify_archive_stream(p: VerifyContext) -> str:
    """Hook: the audit archive's delivery stream is ACTIVE and delivering (see `check_archive_stream`)."""
    return check_archive_stream(
        p.aws.client("firehose"),
        p.aws.client("cloudwatch"),
        p.exports["audit_archive_stream_arn"],
        grace=timedelta(minutes=p.expect.alarm_grace_minutes),
    )


def verify_audit_subscriptions(p: VerifyContext) -> str:
    """Hook: every layer's audit log group streams into the archive exactly once."""
    groups = audit_log_groups(p.exports)
    return check_audit_subscriptions(p.aws.client("logs"), groups, p.exports["audit_archive_stream_arn"])
