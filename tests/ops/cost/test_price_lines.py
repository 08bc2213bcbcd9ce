"""Every price line of the prod and dev plans against a hand computation (730-hour month).

A month of days is 730 / 24; each figure is written out as price x quantity so a reader can
check it against the price table and the usage assumptions.
"""

import pytest

from ops.cost import estimate
from ops.cost.assumptions import load_usage
from tests.ops.cost.cost_helpers import charges

DAYS = 730 / 24
# Firehose writes one object per flush: every 300 s, or sooner when 5 MiB are buffered.
FLUSHES_PER_DAY = 86_400 / 300

PROD = {
    # network: a NAT gateway and its Elastic IP per AZ, 50 GB a month shared by the two.
    "nat-payments-ap-northeast-2a-prod": [730 * 0.059, 50 / 2 * 0.059],
    "nat-payments-ap-northeast-2c-prod": [730 * 0.059, 50 / 2 * 0.059],
    "eip-payments-nat-ap-northeast-2a-prod": [730 * 0.005],
    "eip-payments-nat-ap-northeast-2c-prod": [730 * 0.005],
    "log-payments-vpcflow-prod": [1.0 * DAYS * 0.76, 1.0 * 7 * 0.0314],
    "kms-payments-vpcflow-logs-prod": [1.0],
    # the alarm topic and its key; 1,000 alarm messages a month.
    "kms-payments-alarms-prod": [1.0],
    "sns-payments-alarms-prod": [1000 / 1e6 * 0.50],
    # the audit archive: 3.05 GB a day into the stream (flow 1.0 + WAF 1.5 + application 0.5 +
    # PostgreSQL 0.05); 3.05 GB = 3,123.2 MiB a day fills the 5 MiB buffer 624.64 times a day,
    # more than the 288 timed flushes. The delivery bucket keeps each object 7 days plus the
    # noncurrent day; replication puts every one into the archive, which keeps it 365 + 1 days and
    # pays the replica's PUT; the rule's 4 replication metrics are custom metrics. Firehose's error
    # log group is assumed at the default 0.01 GB a day under its own key; two single-metric alarms.
    "kms-payments-auditarchive-prod": [1.0],
    "firehose-payments-auditarchive-prod": [3.05 * DAYS * 0.031],
    "s3-payments-auditdelivery-prod": [
        3.05 * (7 + 1) * 0.025,
        3.05 * 1024 / 5 * DAYS / 1000 * 0.0045,
        1000 / 1000 * 0.00035,
    ],
    "s3-payments-auditarchive-prod": [
        3.05 * (365 + 1) * 0.025,
        3.05 * 1024 / 5 * DAYS / 1000 * 0.0045,
        1000 / 1000 * 0.00035,
    ],
    "s3replication-payments-auditdelivery-prod": [4 * 0.30],
    "log-payments-auditarchive-errors-prod": [0.01 * DAYS * 0.76, 0.01 * 7 * 0.0314],
    "kms-payments-auditarchive-errors-logs-prod": [1.0],
    "alarm-payments-archive-delivery-late-prod": [0.10],
    "alarm-payments-archive-replication-failed-prod": [0.10],
    # data: db.t3.micro Multi-AZ, 20 GB gp3 twice, backups 1.5 x 20 GB of which 20 GB free, PI 7 days.
    "rds-payments-prod": [2 * 730 * 0.025, 2 * 20 * 0.131, (1.5 - 1) * 20 * 0.095, 0.0],
    "log-payments-rds-postgresql-prod": [0.05 * DAYS * 0.76, 0.05 * 7 * 0.0314],
    "log-payments-rds-upgrade-prod": [0.01 * DAYS * 0.76, 0.01 * 7 * 0.0314],
    "kms-payments-data-prod": [1.0],
    # five single-metric alarms (CPU credits because db.t3 is burstable).
    "alarm-payments-db-connections-high-prod": [0.10],
    "alarm-payments-db-cpu-credits-low-prod": [0.10],
    "alarm-payments-db-cpu-high-prod": [0.10],
    "alarm-payments-db-free-storage-low-prod": [0.10],
    "alarm-payments-db-freeable-memory-low-prod": [0.10],
    # edge: ALB hours, 0.5 LCU, a public IPv4 address in each of its 2 subnets; zone; CAA record
    # priced as any non-alias record; access logs expire after 365 days and, the bucket being
    # versioned in prod, stay 30 more days as noncurrent versions.
    "alb-payments-prod": [730 * 0.0225, 0.5 * 730 * 0.008, 2 * 730 * 0.005],
    "zone-payments-prod": [0.50],
    "dns-payments-api-payments-example-com-a-prod": [0.0],
    "dns-payments-api-payments-example-com-caa-prod": [10_000 / 1e6 * 0.40],
    "dns-payments-certvalidation-api-payments-example-com-prod": [10_000 / 1e6 * 0.40],
    "s3-payments-alblogs-prod": [0.05 * (365 + 30) * 0.025, 17_520 / 1000 * 0.0045, 1000 / 1000 * 0.00035],
    # WAF: the ACL, its 7 rules (5 of them AWS managed groups without extra fees), 30 million
    # requests; every request logged (1.5 GB a day, kept 7 days) under its own key.
    "waf-payments-prod": [5.0, 7 * 1.0, 30 * 0.60, 0.0],
    "log-payments-waf-prod": [1.5 * DAYS * 0.76, 1.5 * 7 * 0.0314],
    "kms-payments-waf-logs-prod": [1.0],
    "alarm-payments-waf-blocked-spike-prod": [0.10],
    # the two 5xx rates are metric math over two metrics each (billed per metric).
    "alarm-payments-elb-5xx-rate-prod": [2 * 0.10],
    "alarm-payments-target-5xx-rate-prod": [2 * 0.10],
    "alarm-payments-target-p99-latency-prod": [0.10],
    "alarm-payments-unhealthy-hosts-prod": [0.10],
    # compute: 3 tasks of 0.5 vCPU / 1 GB, Container Insights, target tracking's two alarms.
    "ecs-payments-api-prod": [3 * 730 * 0.5 * 0.04656, 3 * 730 * 1 * 0.00511],
    "ecs-payments-prod": [20 * 0.30, 0.05 * DAYS * 0.76],
    "scaling-payments-api-cpu-prod": [2 * 0.10],
    "log-payments-api-prod": [0.5 * DAYS * 0.76, 0.5 * 7 * 0.0314],
    "kms-payments-api-logs-prod": [1.0],
    "dashboard-payments-prod": [3.0],
    "alarm-payments-running-tasks-low-prod": [0.10],
    "alarm-payments-service-cpu-high-prod": [0.10],
    "alarm-payments-service-memory-high-prod": [0.10],
}

DEV = {
    # network: one shared NAT gateway (and one Elastic IP) takes all 20 GB.
    "nat-payments-ap-northeast-2a-dev": [730 * 0.059, 20 * 0.059],
    "eip-payments-nat-ap-northeast-2a-dev": [730 * 0.005],
    "log-payments-vpcflow-dev": [0.2 * DAYS * 0.76, 0.2 * 7 * 0.0314],
    "kms-payments-vpcflow-logs-dev": [1.0],
    "kms-payments-alarms-dev": [1.0],
    "sns-payments-alarms-dev": [100 / 1e6 * 0.50],
    # 0.36 GB (0.2 + 0.05 + 0.1 + 0.01) = 368.64 MiB a day: 73.728 full buffers, fewer than the
    # 288 timed flushes.
    "kms-payments-auditarchive-dev": [1.0],
    "firehose-payments-auditarchive-dev": [0.36 * DAYS * 0.031],
    "s3-payments-auditdelivery-dev": [
        0.36 * (7 + 1) * 0.025,
        FLUSHES_PER_DAY * DAYS / 1000 * 0.0045,
        1000 / 1000 * 0.00035,
    ],
    "s3-payments-auditarchive-dev": [
        0.36 * (365 + 1) * 0.025,
        FLUSHES_PER_DAY * DAYS / 1000 * 0.0045,
        1000 / 1000 * 0.00035,
    ],
    "s3replication-payments-auditdelivery-dev": [4 * 0.30],
    "log-payments-auditarchive-errors-dev": [0.01 * DAYS * 0.76, 0.01 * 7 * 0.0314],
    "kms-payments-auditarchive-errors-logs-dev": [1.0],
    "alarm-payments-archive-delivery-late-dev": [0.10],
    "alarm-payments-archive-replication-failed-dev": [0.10],
    "rds-payments-dev": [2 * 730 * 0.025, 2 * 20 * 0.131, (1.5 - 1) * 20 * 0.095, 0.0],
    "log-payments-rds-postgresql-dev": [0.01 * DAYS * 0.76, 0.01 * 7 * 0.0314],
    "log-payments-rds-upgrade-dev": [0.01 * DAYS * 0.76, 0.01 * 7 * 0.0314],
    "kms-payments-data-dev": [1.0],
    "alarm-payments-db-connections-high-dev": [0.10],
    "alarm-payments-db-cpu-credits-low-dev": [0.10],
    "alarm-payments-db-cpu-high-dev": [0.10],
    "alarm-payments-db-free-storage-low-dev": [0.10],
    "alarm-payments-db-freeable-memory-low-dev": [0.10],
    # edge: 0.1 LCU; access logs expire after 14 days in dev (the bucket is not versioned there).
    "alb-payments-dev": [730 * 0.0225, 0.1 * 730 * 0.008, 2 * 730 * 0.005],
    "zone-payments-dev": [0.50],
    "dns-payments-api-dev-payments-example-com-a-dev": [0.0],
    "dns-payments-api-dev-payments-example-com-caa-dev": [10_000 / 1e6 * 0.40],
    "dns-payments-certvalidation-api-dev-payments-example-com-dev": [10_000 / 1e6 * 0.40],
    "s3-payments-alblogs-dev": [0.005 * 14 * 0.025, 17_520 / 1000 * 0.0045, 1000 / 1000 * 0.00035],
    # the same ACL and rules for 1 million requests, logged at 0.05 GB a day.
    "waf-payments-dev": [5.0, 7 * 1.0, 1 * 0.60, 0.0],
    "log-payments-waf-dev": [0.05 * DAYS * 0.76, 0.05 * 7 * 0.0314],
    "kms-payments-waf-logs-dev": [1.0],
    "alarm-payments-waf-blocked-spike-dev": [0.10],
    "alarm-payments-elb-5xx-rate-dev": [2 * 0.10],
    "alarm-payments-target-5xx-rate-dev": [2 * 0.10],
    "alarm-payments-target-p99-latency-dev": [0.10],
    "alarm-payments-unhealthy-hosts-dev": [0.10],
    "ecs-payments-api-dev": [3 * 730 * 0.5 * 0.04656, 3 * 730 * 1 * 0.00511],
    "ecs-payments-dev": [20 * 0.30, 0.05 * DAYS * 0.76],
    "scaling-payments-api-cpu-dev": [2 * 0.10],
    "log-payments-api-dev": [0.1 * DAYS * 0.76, 0.1 * 7 * 0.0314],
    "kms-payments-api-logs-dev": [1.0],
    "dashboard-payments-dev": [3.0],
    "alarm-payments-running-tasks-low-dev": [0.10],
    "alarm-payments-service-cpu-high-dev": [0.10],
    "alarm-payments-service-memory-high-dev": [0.10],
}

EXPECTED = {"prod": PROD, "dev": DEV}


@pytest.mark.parametrize("env", ["prod", "dev"])
def test_each_price_line_matches_its_hand_computation(platform_plan, env):
    est = estimate(platform_plan(env))
    for name, expected in EXPECTED[env].items():
        assert charges(est, name) == pytest.approx(expected, abs=1e-9), name


@pytest.mark.parametrize("env", ["prod", "dev"])
def test_every_other_resource_is_free_and_none_is_unpriced(platform_plan, env):
    est = estimate(platform_plan(env))
    others = [r for r in est.resources if r.name not in EXPECTED[env]]
    assert others and all(r.status == "free" and r.monthly_usd == 0 for r in others)
    assert est.not_priced == []


@pytest.mark.parametrize("env", ["prod", "dev"])
def test_layer_subtotals_and_total_are_the_sums_of_the_lines(platform_plan, env):
    est = estimate(platform_plan(env))
    by_layer = est.by_layer()
    for layer in ("network", "data", "edge", "compute"):
        hand = sum(sum(EXPECTED[env][r.name]) for r in est.layer(layer) if r.name in EXPECTED[env])
        assert by_layer[layer] == pytest.approx(hand, abs=1e-9), layer
    assert est.total == pytest.approx(sum(sum(lines) for lines in EXPECTED[env].values()), abs=1e-9)


def test_prod_costs_more_than_dev_by_the_second_nat_and_the_heavier_usage(platform_plan):
    prod, dev = estimate(platform_plan("prod")), estimate(platform_plan("dev"))
    network = prod.by_layer()["network"] - dev.by_layer()["network"]
    second_nat = 730 * 0.059 + 730 * 0.005
    nat_data = 50 * 0.059 - 20 * 0.059
    flow_logs = (1.0 - 0.2) * DAYS * 0.76 + (1.0 - 0.2) * 7 * 0.0314
    alarm_messages = (1000 - 100) / 1e6 * 0.50
    archive = (
        (3.05 - 0.36) * DAYS * 0.031  # stream ingestion
        + (3.05 - 0.36) * (366 + 8) * 0.025  # archive and delivery bucket storage
        + 2
        * (3.05 * 1024 / 5 - FLUSHES_PER_DAY)
        * DAYS
        / 1000
        * 0.0045  # objects (and replicas): prod's fill the buffer
    )
    assert network == pytest.approx(second_nat + nat_data + flow_logs + alarm_messages + archive, abs=1e-9)


@pytest.mark.parametrize("env", ["prod", "dev"])
def test_the_archive_stream_is_assumed_to_carry_what_its_subscribed_log_groups_ingest(platform_plan, env):
    plan, usage = platform_plan(env), load_usage(env)
    planned = [r for _, r in plan.all_resources()]
    filters = [r for r in planned if r.type == "aws:cloudwatch/logSubscriptionFilter:LogSubscriptionFilter"]
    streams = {f.inputs["destinationArn"] for f in filters}
    assert streams == {f"(known after apply: firehose-payments-auditarchive-{env}.arn)"}
    archived = {f.inputs["logGroup"] for f in filters}
    groups = [r for r in planned if r.type == "aws:cloudwatch/logGroup:LogGroup" and r.inputs["name"] in archived]
    assert len(groups) == len(archived) == 4  # flow, PostgreSQL, WAF, application
    daily = [usage.per_resource("log_gb_per_day", g.name.removesuffix(f"-{env}")) for g in groups]
    assert usage.firehose_gb_per_day == pytest.approx(sum(daily), abs=1e-9)
