"""The whole planned platform: every alarm notifies the network topic and is on the dashboard; every
audit log group streams into the archive exactly once."""

from __future__ import annotations

import json
from collections import Counter

import pytest

ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
SUBSCRIPTION = "aws:cloudwatch/logSubscriptionFilter:LogSubscriptionFilter"


@pytest.mark.parametrize("env", ["prod", "dev"])
def test_every_alarm_of_every_layer_notifies_the_network_topic_on_alarm_and_ok(platform_plan, env):
    plan = platform_plan(env)
    topic = plan.layer("network").exports["alarm_topic_arn"]
    alarms = [(layer, r) for layer, r in plan.all_resources() if r.type == ALARM]
    assert Counter(layer for layer, _ in alarms) == {"network": 2, "edge": 5, "compute": 3, "data": 5}
    for _, r in alarms:
        assert r.inputs["alarmActions"] == [topic] and r.inputs["okActions"] == [topic], r.name


@pytest.mark.parametrize("env", ["prod", "dev"])
def test_every_audit_log_group_has_exactly_one_subscription_into_the_archive(platform_plan, env):
    plan = platform_plan(env)
    network = plan.layer("network").exports
    audit_groups = {
        network["flow_log_group_name"],
        plan.layer("compute").exports["log_group_name"],
        plan.layer("data").exports["db_log_group_name"],
        plan.layer("edge").exports["waf_log_group_name"],
    }
    subscriptions = [r for _, r in plan.all_resources() if r.type == SUBSCRIPTION]
    assert Counter(s.inputs["logGroup"] for s in subscriptions) == dict.fromkeys(audit_groups, 1)
    for s in subscriptions:
        assert s.inputs["destinationArn"] == network["audit_archive_stream_arn"]
        assert s.inputs["roleArn"] == network["audit_archive_role_arn"]


def _plotted(body: str) -> set[tuple]:
    series = set()
    for widget in json.loads(body)["widgets"]:
        for row in widget["properties"]["metrics"]:
            if isinstance(row[0], str):
                namespace, name, *dims, options = row
                series.add((namespace, name, frozenset(zip(dims[::2], dims[1::2], strict=True)), options["stat"]))
    return series


def test_the_dashboard_plots_every_series_every_alarm_evaluates_with_the_same_dimensions(platform_plan):
    plan = platform_plan("prod")
    body = plan.layer("compute").one("aws:cloudwatch/dashboard:Dashboard").inputs["dashboardBody"]
    plotted = _plotted(body)
    for _, r in plan.all_resources():
        if r.type != ALARM:
            continue
        for query in r.inputs["metricQueries"]:
            if "metric" in query:
                m = query["metric"]
                key = (m["namespace"], m["metricName"], frozenset(m["dimensions"].items()), m["stat"])
                assert key in plotted, (r.name, key)
    assert "data - saturation: CPU credits" in body  # the plan's db.t3.micro is burstable
