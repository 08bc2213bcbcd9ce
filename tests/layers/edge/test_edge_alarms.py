"""The edge layer's alarms: metric, dimensions, threshold, comparison, window, missing data, actions."""

import pytest

from shared.plan_values import computed
from shared.settings import ConfigError
from tests.layers.alarm_helpers import alarm, alarm_keys
from tests.layers.layer_settings import layer_settings

ALB = "AWS/ApplicationELB"
LB = {"LoadBalancer": computed("alb-payments-prod", "arnSuffix")}
LB_TG = {**LB, "TargetGroup": computed("tg-payments-app-prod", "arnSuffix")}
TOPIC = computed("network-stack", "alarm_topic_arn")


def test_edge_has_exactly_the_load_balancer_alarms(prod_plan):
    assert alarm_keys(prod_plan) == [
        "elb-5xx-rate",
        "target-5xx-rate",
        "target-p99-latency",
        "unhealthy-hosts",
        "waf-blocked-spike",
    ]


def test_every_edge_alarm_notifies_the_network_topic_on_alarm_and_on_ok(prod_plan):
    for key in alarm_keys(prod_plan):
        a = alarm(prod_plan, key)
        assert (a.alarm_actions, a.ok_actions) == ([TOPIC], [TOPIC]), key
        assert (a.period, a.evaluation_periods, a.datapoints_to_alarm) == (60, 5, 3), key
        assert a.treat_missing_data == "notBreaching", key  # ELB reports nothing while no request flows


def test_elb_5xx_alarm_is_a_rate_over_requests_including_those_no_target_saw(prod_plan):
    a = alarm(prod_plan, "elb-5xx-rate")
    assert a.metrics == [
        (ALB, "HTTPCode_ELB_5XX_Count", "Sum", LB),
        (ALB, "RequestCount", "Sum", LB),
    ]
    assert a.expression == "100 * elb5xx / MAX([FILL(requests, 0), elb5xx])"
    assert (a.comparison, a.threshold) == ("GreaterThanThreshold", 1)


def test_target_5xx_alarm_is_a_rate_over_requests(prod_plan):
    a = alarm(prod_plan, "target-5xx-rate")
    assert a.metrics == [(ALB, "HTTPCode_Target_5XX_Count", "Sum", LB), (ALB, "RequestCount", "Sum", LB)]
    assert a.expression == "100 * FILL(target5xx, 0) / requests"
    assert (a.comparison, a.threshold) == ("GreaterThanThreshold", 1)


def test_unhealthy_hosts_alarm_watches_the_target_group_on_this_load_balancer(prod_plan):
    a = alarm(prod_plan, "unhealthy-hosts")
    assert a.metrics == [(ALB, "UnHealthyHostCount", "Maximum", LB_TG)]
    assert a.expression is None
    assert (a.comparison, a.threshold) == ("GreaterThanOrEqualToThreshold", 1)


def test_latency_alarm_is_the_p99_target_response_time_in_seconds(prod_plan):
    a = alarm(prod_plan, "target-p99-latency")
    assert a.metrics == [(ALB, "TargetResponseTime", "p99", LB)]
    assert (a.comparison, a.threshold) == ("GreaterThanThreshold", 2)


def test_waf_alarm_counts_what_the_whole_web_acl_blocks_in_this_region(prod_plan):
    a = alarm(prod_plan, "waf-blocked-spike")
    assert a.metrics == [
        (
            "AWS/WAFV2",
            "BlockedRequests",
            "Sum",
            {"WebACL": "waf-payments-prod", "Region": "ap-northeast-2", "Rule": "ALL"},
        )
    ]
    assert (a.comparison, a.threshold) == ("GreaterThanThreshold", 100)


def test_waf_log_group_streams_into_the_audit_archive_once(prod_plan):
    [sub] = [
        r
        for r in prod_plan.by_type("aws:cloudwatch/logSubscriptionFilter:LogSubscriptionFilter")
        if r.inputs["logGroup"] == computed("aws-waf-logs-payments-prod", "name")
        or r.inputs["logGroup"] == "aws-waf-logs-payments-prod"
    ]
    assert sub.inputs["destinationArn"] == computed("network-stack", "audit_archive_stream_arn")


def test_thresholds_and_window_come_from_config(run_layer):
    plan = run_layer(
        "edge",
        "prod",
        overrides={
            "alarmElb5xxRatePercent": 5,
            "alarmTarget5xxRatePercent": 2,
            "alarmUnhealthyHosts": 2,
            "alarmP99LatencyMs": 750,
            "alarmWafBlockedRequests": 250,
            "alarmPeriodSeconds": 120,
            "alarmEvaluationPeriods": 4,
            "alarmDatapointsToAlarm": 4,
        },
    )
    thresholds = {k: alarm(plan, k).threshold for k in alarm_keys(plan)}
    assert thresholds == {
        "elb-5xx-rate": 5,
        "target-5xx-rate": 2,
        "unhealthy-hosts": 2,
        "target-p99-latency": 0.75,
        "waf-blocked-spike": 250,
    }
    a = alarm(plan, "elb-5xx-rate")
    assert (a.period, a.evaluation_periods, a.datapoints_to_alarm) == (120, 4, 4)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (
            {"alarmDatapointsToAlarm": "6"},
            "edge:alarmDatapointsToAlarm = 6 is invalid: expected at most alarmEvaluationPeriods (5)",
        ),
        ({"alarmPeriodSeconds": "90"}, "edge:alarmPeriodSeconds = '90' is invalid: expected a multiple of 60 seconds"),
        (
            {"alarmPeriodSeconds": "3600", "alarmEvaluationPeriods": "25", "alarmDatapointsToAlarm": "1"},
            "edge:alarmEvaluationPeriods = 25 is invalid: expected alarmPeriodSeconds x alarmEvaluationPeriods at most",
        ),
        ({"alarmElb5xxRatePercent": "0"}, "edge:alarmElb5xxRatePercent = '0' is invalid: expected a share of requests"),
        ({"alarmTarget5xxRatePercent": "101"}, "edge:alarmTarget5xxRatePercent = '101' is invalid"),
        ({"alarmP99LatencyMs": "5"}, "edge:alarmP99LatencyMs = '5' is invalid: expected 10-60000 milliseconds"),
        ({"alarmUnhealthyHosts": "0"}, "edge:alarmUnhealthyHosts = '0' is invalid: expected 1-1000"),
    ],
)
def test_bad_alarm_settings_fail_with_one_line_naming_the_key(overrides, message):
    with pytest.raises(ConfigError) as err:
        layer_settings("edge", **overrides)
    assert str(err.value).startswith(message)
    assert "\n" not in str(err.value)
