"""The compute layer's alarms, its audit subscription and the environment's dashboard."""

import json

import pytest

from payments_compute.dashboard import dashboard_body
from shared import metrics
from shared.settings import ConfigError
from tests.layers.alarm_helpers import alarm, alarm_keys
from tests.layers.compute.compute_helpers import LOG_GROUP, upstream
from tests.layers.layer_settings import layer_settings

SERVICE = {"ClusterName": "ecs-payments-prod", "ServiceName": "ecs-payments-api-prod"}
DIMENSIONS = {
    "LoadBalancer": "app/alb-payments-prod/0123456789abcdef",
    "TargetGroup": "targetgroup/tg-payments-app-prod/0123456789abcdef",
    "ClusterName": "ecs-payments-prod",
    "ServiceName": "ecs-payments-api-prod",
    "DBInstanceIdentifier": "rds-payments-prod",
    "WebACL": "waf-payments-prod",
    "Region": "ap-northeast-2",
    "Rule": "ALL",
    "DeliveryStreamName": "firehose-payments-auditarchive-prod",
    "SourceBucket": "s3-payments-auditdelivery-prod-a1b2c3d",
    "DestinationBucket": "s3-payments-auditarchive-prod-d4e5f6a",
    "RuleId": "into-the-locked-archive",
}


@pytest.fixture
def prod_plan(run_layer):
    return run_layer("compute", "prod", upstream_exports=upstream())


def test_compute_has_the_task_floor_cpu_and_memory_alarms(prod_plan):
    assert alarm_keys(prod_plan) == ["running-tasks-low", "service-cpu-high", "service-memory-high"]
    for key in alarm_keys(prod_plan):
        a = alarm(prod_plan, key)
        topic = upstream()["network"]["alarm_topic_arn"]
        assert (a.alarm_actions, a.ok_actions) == ([topic], [topic]), key
        assert (a.period, a.evaluation_periods, a.datapoints_to_alarm) == (60, 5, 3), key


def test_running_tasks_alarm_fires_below_the_autoscaling_minimum_from_container_insights(run_layer):
    plan = run_layer("compute", "prod", overrides={"minCapacity": 4, "desiredCount": 4}, upstream_exports=upstream())
    a = alarm(plan, "running-tasks-low")
    assert a.metrics == [("ECS/ContainerInsights", "RunningTaskCount", "Minimum", SERVICE)]
    assert (a.comparison, a.threshold) == ("LessThanThreshold", 4)
    assert a.treat_missing_data == "breaching"  # a service that runs nothing reports nothing


def test_cpu_and_memory_alarms_watch_the_service_against_config(prod_plan):
    cpu, memory = alarm(prod_plan, "service-cpu-high"), alarm(prod_plan, "service-memory-high")
    assert cpu.metrics == [("AWS/ECS", "CPUUtilization", "Average", SERVICE)]
    assert memory.metrics == [("AWS/ECS", "MemoryUtilization", "Average", SERVICE)]
    assert (cpu.comparison, cpu.threshold, cpu.treat_missing_data) == ("GreaterThanThreshold", 85, "notBreaching")
    assert (memory.comparison, memory.threshold) == ("GreaterThanThreshold", 85)


def test_a_cpu_alarm_at_or_below_the_scaling_target_is_refused():
    with pytest.raises(ConfigError) as err:
        layer_settings("compute", alarmCpuPercent="60")
    assert str(err.value) == (
        "compute:alarmCpuPercent = 60 is invalid: expected above cpuTargetPercent (60), "
        "or autoscaling's normal state pages"
    )


def test_the_application_log_has_exactly_one_subscription_into_the_archive(prod_plan):
    (sub,) = prod_plan.by_type("aws:cloudwatch/logSubscriptionFilter:LogSubscriptionFilter")
    assert sub.inputs["logGroup"] == LOG_GROUP
    assert sub.inputs["destinationArn"] == upstream()["network"]["audit_archive_stream_arn"]
    assert sub.inputs["roleArn"] == upstream()["network"]["audit_archive_role_arn"]


def _widgets(body: str) -> dict[str, dict]:
    return {w["properties"]["title"]: w for w in json.loads(body)["widgets"]}


def test_dashboard_has_every_layers_golden_signals(prod_plan):
    dashboard = prod_plan.one("aws:cloudwatch/dashboard:Dashboard")
    assert dashboard.inputs["dashboardName"] == "dashboard-payments-prod"
    titles = sorted(_widgets(dashboard.inputs["dashboardBody"]))
    assert [t for t in titles if t.startswith("edge")] == [
        "edge - errors: 5xx rate",
        "edge - errors: requests the WAF blocked",
        "edge - latency: p99",
        "edge - saturation: targets",
        "edge - traffic: requests",
    ]
    assert [t.split(" - ")[0] for t in titles].count("compute") == 3
    assert [t.split(" - ")[0] for t in titles].count("data") == 4  # the stand-in class is not burstable


def _series(widget: dict) -> set[tuple]:
    """(namespace, metric, dimensions, stat) of every metric a widget reads."""
    out = set()
    for row in widget["properties"]["metrics"]:
        if isinstance(row[0], str):
            *parts, options = row
            dims = frozenset(zip(parts[2::2], parts[3::2], strict=True))
            out.add((parts[0], parts[1], dims, options["stat"]))
    return out


def test_dashboard_plots_exactly_what_the_alarms_evaluate(prod_plan):
    widgets = _widgets(prod_plan.one("aws:cloudwatch/dashboard:Dashboard").inputs["dashboardBody"])
    plotted = set().union(*(_series(w) for w in widgets.values()))
    for key in alarm_keys(prod_plan):
        for namespace, metric, stat, dims in alarm(prod_plan, key).metrics:
            assert (namespace, metric, frozenset(dims.items()), stat) in plotted, key


def test_dashboard_error_widget_reuses_the_alarm_expressions(prod_plan):
    errors = _widgets(prod_plan.one("aws:cloudwatch/dashboard:Dashboard").inputs["dashboardBody"])[
        "edge - errors: 5xx rate"
    ]
    expressions = [row[0] for row in errors["properties"]["metrics"] if isinstance(row[0], dict)]
    assert expressions == [
        {
            "expression": metrics.ALB_ELB_5XX_RATE.expression,
            "id": "elb_5xx_rate",
            "label": metrics.ALB_ELB_5XX_RATE.label,
        },
        {
            "expression": metrics.ALB_TARGET_5XX_RATE.expression,
            "id": "target_5xx_rate",
            "label": metrics.ALB_TARGET_5XX_RATE.label,
        },
    ]
    ids = [row[-1]["id"] for row in errors["properties"]["metrics"] if isinstance(row[0], str)]
    assert ids == ["elb5xx", "requests", "target5xx"]  # the request count both rates divide by, listed once


def test_dashboard_reads_its_dimensions_from_the_upstream_contracts(prod_plan):
    body = prod_plan.one("aws:cloudwatch/dashboard:Dashboard").inputs["dashboardBody"]
    for name in ("alb_arn_suffix", "target_group_arn_suffix", "db_instance_identifier"):
        layer = "data" if name.startswith("db") else "edge"
        assert upstream()[layer][name] in body, name


def test_dashboard_json_is_deterministic_and_shows_credits_only_for_burstable_classes():
    burstable = dashboard_body(region="ap-northeast-2", dimensions=DIMENSIONS, burstable_db=True)
    assert burstable == dashboard_body(
        region="ap-northeast-2", dimensions=dict(reversed(DIMENSIONS.items())), burstable_db=True
    )
    assert "data - saturation: CPU credits" in _widgets(burstable)
    # The network row: what the audit archive's two alarms evaluate.
    assert {"network - latency: audit records not yet in S3", "network - errors: audit objects not replicated"} <= set(
        _widgets(burstable)
    )
    other = dashboard_body(region="ap-northeast-2", dimensions=DIMENSIONS, burstable_db=False)
    assert "data - saturation: CPU credits" not in _widgets(other)
    for widget in json.loads(burstable)["widgets"]:
        assert widget["x"] + widget["width"] <= 24 and widget["properties"]["region"] == "ap-northeast-2"
