"""A change of config moves the total by exactly what the price table says, and nothing else."""

import pytest

from ops.cost import estimate
from ops.cost.assumptions import load_usage
from tests.ops.cost.cost_helpers import charges


def _total_with(plan_with, env: str, layer: str, **config: str) -> float:
    plan = plan_with(env, config_overrides={layer: {f"{layer}:{k}": v for k, v in config.items()}})
    assert plan.ok, [lp.error for lp in plan.layers]
    return estimate(plan).total


def test_two_more_tasks_add_two_tasks_of_fargate_hours(platform_plan, plan_with):
    base = estimate(platform_plan("prod")).total
    more = _total_with(plan_with, "prod", "compute", desiredCount="5")
    assert more - base == pytest.approx(2 * 730 * (0.5 * 0.04656 + 1 * 0.00511), abs=1e-9)


def test_a_nat_per_az_instead_of_one_adds_a_gateway_and_its_address_but_no_traffic(platform_plan, plan_with):
    base = estimate(platform_plan("dev")).total
    per_az = _total_with(plan_with, "dev", "network", natGateways="per-az")
    # The 20 GB a month is the same traffic, now shared by two gateways at the same price per GB.
    assert per_az - base == pytest.approx(730 * 0.059 + 730 * 0.005, abs=1e-9)


# A burstable class (db.t*) has a CPU credit alarm; leaving it drops that one-metric alarm.
CREDIT_ALARM = 0.10


def test_a_larger_instance_class_moves_the_total_by_the_hourly_difference_of_both_instances(platform_plan, plan_with):
    base = estimate(platform_plan("prod")).total
    larger = _total_with(plan_with, "prod", "data", instanceClass="db.m6g.large")
    assert larger - base == pytest.approx(2 * 730 * (0.211 - 0.025) - CREDIT_ALARM, abs=1e-9)


def test_an_instance_class_missing_from_the_table_is_not_priced_never_zero(platform_plan, plan_with):
    # db.r6i.large exists in Seoul (the settings accept it) but the price table has no figure for it.
    plan = plan_with("prod", config_overrides={"data": {"data:instanceClass": "db.r6i.large"}})
    assert plan.ok, [lp.error for lp in plan.layers]
    est = estimate(plan)
    assert [r.name for r in est.not_priced] == ["rds-payments-prod"]
    assert charges(est, "rds-payments-prod")[0] is None
    base = estimate(platform_plan("prod")).total
    assert est.total == pytest.approx(base - 2 * 730 * 0.025 - CREDIT_ALARM, abs=1e-9)


def test_alarm_subscriptions_add_their_deliveries_of_every_alarm_message(platform_plan, plan_with):
    base = estimate(platform_plan("prod")).total
    subscriptions = (
        '[{"protocol": "email", "endpoint": "oncall@example.com"},'
        ' {"protocol": "https", "endpoint": "https://hooks.example.com/alarms"}]'
    )
    subscribed = _total_with(plan_with, "prod", "network", alarmSubscriptions=subscriptions)
    # Each of the 1,000 messages a month reaches both: email per 100,000, HTTPS per million.
    assert subscribed - base == pytest.approx(1000 / 1e5 * 2.0 + 1000 / 1e6 * 0.60, abs=1e-9)


def test_an_existing_alarm_topic_saves_the_topic_and_its_key(platform_plan, plan_with):
    base = estimate(platform_plan("prod")).total
    existing = _total_with(plan_with, "prod", "network", alarmTopicArn="arn:aws:sns:ap-northeast-2:123456789012:oncall")
    assert base - existing == pytest.approx(1.0 + 1000 / 1e6 * 0.50, abs=1e-9)


def test_a_shorter_archive_retention_stores_fewer_days_of_the_stream(platform_plan, plan_with):
    base = estimate(platform_plan("dev")).total
    shorter = _total_with(plan_with, "dev", "network", auditArchiveRetentionDays="30")
    # 0.36 GB a day kept 30 days plus the noncurrent day instead of 365 plus one.
    assert base - shorter == pytest.approx(0.36 * (366 - 31) * 0.025, abs=1e-9)


def test_counting_instead_of_blocking_costs_the_same(platform_plan, plan_with):
    # A rule that only counts is still a rule, and every request is still inspected and logged.
    base = estimate(platform_plan("prod")).total
    assert _total_with(plan_with, "prod", "edge", wafCountOnly="true") == pytest.approx(base, abs=1e-9)


def test_shorter_access_log_expiry_in_prod_still_keeps_the_noncurrent_copies_30_days(platform_plan, plan_with):
    base = estimate(platform_plan("prod")).total
    shorter = _total_with(plan_with, "prod", "edge", accessLogExpirationDays="90")
    # The versioned prod bucket holds 0.05 GB a day for 90 + 30 days instead of 365 + 30.
    assert base - shorter == pytest.approx(0.05 * (395 - 120) * 0.025, abs=1e-9)


def test_more_requests_cost_their_waf_inspection(platform_plan):
    base = estimate(platform_plan("prod")).total
    est = estimate(platform_plan("prod"), usage=load_usage("prod").model_copy(update={"requests_per_month": 60e6}))
    # 30 million more requests inspected; the LCUs and log volume are separate assumptions.
    assert est.total - base == pytest.approx(30 * 0.60, abs=1e-9)
