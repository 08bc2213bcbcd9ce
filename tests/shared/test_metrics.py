"""Signal definitions: one series per signal, ids CloudWatch accepts, shared metrics listed once."""

import pytest

from shared import metrics
from shared.metrics import Metric, Signal, dashboard_metrics

LB = {"LoadBalancer": "app/alb-payments-prod/abc", "TargetGroup": "targetgroup/tg/def"}


def test_a_rate_lists_its_inputs_hidden_and_its_expression_labelled():
    assert dashboard_metrics((metrics.ALB_TARGET_5XX_RATE,), LB) == [
        [
            "AWS/ApplicationELB",
            "HTTPCode_Target_5XX_Count",
            "LoadBalancer",
            LB["LoadBalancer"],
            {"id": "target5xx", "stat": "Sum", "visible": False},
        ],
        [
            "AWS/ApplicationELB",
            "RequestCount",
            "LoadBalancer",
            LB["LoadBalancer"],
            {"id": "requests", "stat": "Sum", "visible": False},
        ],
        [
            {
                "expression": "100 * FILL(target5xx, 0) / requests",
                "id": "target_5xx_rate",
                "label": "Target 5xx (% of requests)",
            }
        ],
    ]


def test_a_single_metric_signal_is_one_labelled_line_with_its_dimensions_in_order():
    (row,) = dashboard_metrics((metrics.ALB_UNHEALTHY_HOSTS,), LB)
    assert row == [
        "AWS/ApplicationELB",
        "UnHealthyHostCount",
        "TargetGroup",
        LB["TargetGroup"],
        "LoadBalancer",
        LB["LoadBalancer"],
        {"id": "unhealthy", "label": "Unhealthy targets", "stat": "Maximum"},
    ]


def test_two_different_metrics_under_one_id_in_a_widget_are_refused():
    other = Signal(
        "x", "X", "count", (Metric("requests", "AWS/ApplicationELB", "RequestCount", "Average", ("LoadBalancer",)),)
    )
    with pytest.raises(ValueError, match="two metrics share the id 'requests'"):
        dashboard_metrics((metrics.ALB_TARGET_5XX_RATE, other), LB)


def test_a_missing_dimension_value_is_an_error_not_an_unfiltered_metric():
    with pytest.raises(KeyError):
        dashboard_metrics((metrics.ECS_CPU,), LB)


def test_signals_without_expression_are_one_metric_and_ids_follow_cloudwatch_rules():
    with pytest.raises(ValueError, match="exactly one metric"):
        Signal("y", "Y", "count", ())
    with pytest.raises(ValueError, match="must start with a lowercase letter"):
        Metric("5xx", "AWS/ApplicationELB", "HTTPCode_ELB_5XX_Count", "Sum", ("LoadBalancer",))


@pytest.mark.parametrize(
    ("instance_class", "burstable"),
    [("db.t3.micro", True), ("db.t4g.medium", True), ("db.m7g.large", False), ("db.r6i.xlarge", False)],
)
def test_only_db_t_classes_are_burstable(instance_class, burstable):
    assert metrics.is_burstable(instance_class) is burstable
