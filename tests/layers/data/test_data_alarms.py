"""The data layer's alarms and its audit subscription: metric, threshold, window, missing data, actions."""

import pytest

from shared.plan_values import computed
from shared.settings import ConfigError
from tests.layers.alarm_helpers import alarm, alarm_keys
from tests.layers.layer_settings import layer_settings

RDS = "AWS/RDS"
DB = {"DBInstanceIdentifier": "rds-payments-prod"}
TOPIC = computed("network-stack", "alarm_topic_arn")
GIB, MIB = 1024**3, 1024**2


def test_a_burstable_instance_has_the_five_database_alarms(prod_plan):
    assert alarm_keys(prod_plan) == [
        "db-connections-high",
        "db-cpu-credits-low",
        "db-cpu-high",
        "db-free-storage-low",
        "db-freeable-memory-low",
    ]


def test_a_non_burstable_instance_has_no_cpu_credit_alarm(run_layer):
    plan = run_layer("data", "prod", overrides={"instanceClass": "db.m7g.large"})
    assert "db-cpu-credits-low" not in alarm_keys(plan)
    assert len(alarm_keys(plan)) == 4


@pytest.mark.parametrize(
    ("key", "metric", "stat", "comparison", "threshold", "missing"),
    [
        ("db-cpu-high", "CPUUtilization", "Average", "GreaterThanThreshold", 80, "notBreaching"),
        ("db-free-storage-low", "FreeStorageSpace", "Minimum", "LessThanThreshold", 2 * GIB, "breaching"),
        ("db-connections-high", "DatabaseConnections", "Maximum", "GreaterThanThreshold", 70, "notBreaching"),
        ("db-freeable-memory-low", "FreeableMemory", "Minimum", "LessThanThreshold", 128 * MIB, "notBreaching"),
        ("db-cpu-credits-low", "CPUCreditBalance", "Minimum", "LessThanThreshold", 30, "notBreaching"),
    ],
)
def test_each_database_alarm_watches_its_metric_of_this_instance(
    prod_plan, key, metric, stat, comparison, threshold, missing
):
    a = alarm(prod_plan, key)
    assert a.metrics == [(RDS, metric, stat, DB)]
    assert (a.comparison, a.threshold, a.treat_missing_data) == (comparison, threshold, missing)
    assert (a.period, a.evaluation_periods, a.datapoints_to_alarm) == (300, 3, 3)
    assert (a.alarm_actions, a.ok_actions) == ([TOPIC], [TOPIC])


def test_only_the_storage_alarm_treats_a_silent_database_as_breaching(prod_plan):
    breaching = [k for k in alarm_keys(prod_plan) if alarm(prod_plan, k).treat_missing_data == "breaching"]
    assert breaching == ["db-free-storage-low"]  # a stopped instance pages once, not five times


def test_thresholds_come_from_config_in_the_units_they_are_written_in(run_layer):
    plan = run_layer(
        "data", "prod", overrides={"alarmFreeStorageGib": 5, "alarmFreeableMemoryMib": 256, "alarmConnections": 40}
    )
    assert alarm(plan, "db-free-storage-low").threshold == 5 * GIB
    assert alarm(plan, "db-freeable-memory-low").threshold == 256 * MIB
    assert alarm(plan, "db-connections-high").threshold == 40


def test_the_postgresql_log_has_exactly_one_subscription_into_the_archive_and_the_upgrade_log_none(prod_plan):
    (sub,) = prod_plan.by_type("aws:cloudwatch/logSubscriptionFilter:LogSubscriptionFilter")
    assert sub.inputs["logGroup"] == "/aws/rds/instance/rds-payments-prod/postgresql"
    assert sub.inputs["filterPattern"] == ""
    assert sub.inputs["destinationArn"] == computed("network-stack", "audit_archive_stream_arn")
    assert sub.inputs["roleArn"] == computed("network-stack", "audit_archive_role_arn")
    assert prod_plan.exports["db_log_group_name"] == sub.inputs["logGroup"]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (
            {"alarmFreeStorageGib": "20"},
            "data:alarmFreeStorageGib = 20 is invalid: expected less than allocatedStorage (20 GiB)",
        ),
        (
            {"alarmCpuPercent": "0"},
            "data:alarmCpuPercent = '0' is invalid: expected a CPU utilization between 1 and 100",
        ),
        ({"alarmCpuCreditBalance": "0"}, "data:alarmCpuCreditBalance = '0' is invalid: expected 1-5000 CPU credits"),
        ({"alarmPeriodSeconds": "30"}, "data:alarmPeriodSeconds = '30' is invalid: expected a multiple of 60 seconds"),
    ],
)
def test_bad_alarm_settings_fail_with_one_line_naming_the_key(overrides, message):
    with pytest.raises(ConfigError) as err:
        layer_settings("data", **overrides)
    assert str(err.value).startswith(message)
    assert "\n" not in str(err.value)
