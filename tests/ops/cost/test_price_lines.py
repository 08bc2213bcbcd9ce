"""Every price line of the prod and dev plans against a hand computation (730-hour month).

A month of days is 730 / 24; each figure is written out as price x quantity so a reader can
check it against the price table and the usage assumptions.
"""

import pytest

from ops.cost import estimate
from tests.ops.cost.cost_helpers import charges

DAYS = 730 / 24

PROD = {
    # network: a NAT gateway and its Elastic IP per AZ, 50 GB a month shared by the two.
    "nat-payments-ap-northeast-2a-prod": [730 * 0.059, 50 / 2 * 0.059],
    "nat-payments-ap-northeast-2c-prod": [730 * 0.059, 50 / 2 * 0.059],
    "eip-payments-nat-ap-northeast-2a-prod": [730 * 0.005],
    "eip-payments-nat-ap-northeast-2c-prod": [730 * 0.005],
    "log-payments-vpcflow-prod": [1.0 * DAYS * 0.76, 1.0 * 7 * 0.0314],
    "kms-payments-vpcflow-logs-prod": [1.0],
    # data: db.t3.micro Multi-AZ, 20 GB gp3 twice, backups 1.5 x 20 GB of which 20 GB free, PI 7 days.
    "rds-payments-prod": [2 * 730 * 0.025, 2 * 20 * 0.131, (1.5 - 1) * 20 * 0.095, 0.0],
    "log-payments-rds-postgresql-prod": [0.05 * DAYS * 0.76, 0.05 * 7 * 0.0314],
    "log-payments-rds-upgrade-prod": [0.01 * DAYS * 0.76, 0.01 * 7 * 0.0314],
    "kms-payments-data-prod": [1.0],
    # edge: ALB hours, 0.5 LCU, a public IPv4 address in each of its 2 subnets; zone; 365 days of logs.
    "alb-payments-prod": [730 * 0.0225, 0.5 * 730 * 0.008, 2 * 730 * 0.005],
    "zone-payments-prod": [0.50],
    "dns-payments-api-payments-example-com-a-prod": [0.0],
    "dns-payments-certvalidation-api-payments-example-com-prod": [10_000 / 1e6 * 0.40],
    "s3-payments-alblogs-prod": [0.05 * 365 * 0.025, 17_520 / 1000 * 0.0045, 1000 / 1000 * 0.00035],
    # compute: 3 tasks of 0.5 vCPU / 1 GB, Container Insights, target tracking's two alarms.
    "ecs-payments-api-prod": [3 * 730 * 0.5 * 0.04656, 3 * 730 * 1 * 0.00511],
    "ecs-payments-prod": [20 * 0.30, 0.05 * DAYS * 0.76],
    "scaling-payments-api-cpu-prod": [2 * 0.10],
    "log-payments-api-prod": [0.5 * DAYS * 0.76, 0.5 * 7 * 0.0314],
    "kms-payments-api-logs-prod": [1.0],
}

DEV = {
    # network: one shared NAT gateway (and one Elastic IP) takes all 20 GB.
    "nat-payments-ap-northeast-2a-dev": [730 * 0.059, 20 * 0.059],
    "eip-payments-nat-ap-northeast-2a-dev": [730 * 0.005],
    "log-payments-vpcflow-dev": [0.2 * DAYS * 0.76, 0.2 * 7 * 0.0314],
    "kms-payments-vpcflow-logs-dev": [1.0],
    "rds-payments-dev": [2 * 730 * 0.025, 2 * 20 * 0.131, (1.5 - 1) * 20 * 0.095, 0.0],
    "log-payments-rds-postgresql-dev": [0.01 * DAYS * 0.76, 0.01 * 7 * 0.0314],
    "log-payments-rds-upgrade-dev": [0.01 * DAYS * 0.76, 0.01 * 7 * 0.0314],
    "kms-payments-data-dev": [1.0],
    # edge: 0.1 LCU; access logs expire after 14 days in dev.
    "alb-payments-dev": [730 * 0.0225, 0.1 * 730 * 0.008, 2 * 730 * 0.005],
    "zone-payments-dev": [0.50],
    "dns-payments-api-dev-payments-example-com-a-dev": [0.0],
    "dns-payments-certvalidation-api-dev-payments-example-com-dev": [10_000 / 1e6 * 0.40],
    "s3-payments-alblogs-dev": [0.005 * 14 * 0.025, 17_520 / 1000 * 0.0045, 1000 / 1000 * 0.00035],
    "ecs-payments-api-dev": [3 * 730 * 0.5 * 0.04656, 3 * 730 * 1 * 0.00511],
    "ecs-payments-dev": [20 * 0.30, 0.05 * DAYS * 0.76],
    "scaling-payments-api-cpu-dev": [2 * 0.10],
    "log-payments-api-dev": [0.1 * DAYS * 0.76, 0.1 * 7 * 0.0314],
    "kms-payments-api-logs-dev": [1.0],
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
    assert network == pytest.approx(second_nat + nat_data + flow_logs, abs=1e-9)
