"""The offline plan runs the same rules: all green for the real platform, red with the rule and
resource named as soon as one setting breaks a rule, and `invoke plan` exits non-zero then."""

from __future__ import annotations

import pytest
from invoke.context import Context
from invoke.exceptions import Exit
from payments_policy.rules import RULES
from payments_policy.verdicts import plan_verdicts

import ops.tasks_offline as tasks_offline
from ops.plan import plan_platform


@pytest.mark.parametrize("env", ["prod", "dev"])
def test_whole_platform_passes_every_rule(platform_plan, env):
    plan = platform_plan(env)
    assert [lp.status for lp in plan.layers] == ["planned"] * 4
    verdicts = plan_verdicts(plan)
    assert {v.rule.id: [x.message for x in v.violations] for v in verdicts} == {r.id: [] for r in RULES}


def test_every_rule_checks_real_resources_of_the_platform(platform_plan):
    checked = {v.rule.id: v.checked for v in plan_verdicts(platform_plan("prod"))}
    assert all(count >= 1 for count in checked.values()), checked
    assert checked["rds-highly-available-private"] == 1
    assert checked["tls-listeners"] == 2  # HTTPS 443 and the HTTP 80 redirect
    assert checked["alb-has-web-acl"] == 1  # the one internet-facing ALB, and it has its web ACL
    assert checked["no-public-ingress"] == 4 + 4  # ALB/app/DB and the emptied default group; 4 ingress rules


def test_a_longer_flow_log_retention_fails_log_retention_naming_the_log_group():
    plan = plan_platform("prod", config_overrides={"network": {"network:flowLogRetentionDays": "14"}})
    failed = [v for v in plan_verdicts(plan) if not v.passed]
    assert [v.rule.id for v in failed] == ["log-retention"]
    assert [(x.resource, x.message) for x in failed[0].violations] == [
        ("network/log-payments-vpcflow-prod", "retentionInDays must be 7, got 14")
    ]


def test_prod_database_without_deletion_protection_fails_the_rds_rule():
    plan = plan_platform("prod", layers=["data"], config_overrides={"data": {"data:deletionProtection": "false"}})
    failed = {v.rule.id: v.violations for v in plan_verdicts(plan) if not v.passed}
    assert list(failed) == ["rds-highly-available-private"]
    assert failed["rds-highly-available-private"][0].resource == "data/rds-payments-prod"
    assert failed["rds-highly-available-private"][0].message == "deletionProtection must be true in prod, got False"


def test_invoke_plan_exits_non_zero_on_a_mandatory_violation(monkeypatch):
    bad = plan_platform("prod", config_overrides={"network": {"network:flowLogRetentionDays": "14"}})
    monkeypatch.setattr(tasks_offline, "plan_platform", lambda env, layers=None: bad)
    with pytest.raises(Exit) as raised:
        tasks_offline.plan.body(Context(), env="prod")
    assert raised.value.code == 1
    assert "mandatory policy violated: log-retention" in str(raised.value.message)


def test_invoke_plan_passes_the_clean_platform(platform_plan, monkeypatch):
    monkeypatch.setattr(tasks_offline, "plan_platform", lambda env, layers=None: platform_plan("prod"))
    tasks_offline.plan.body(Context(), env="prod")  # no Exit: every verdict passed
