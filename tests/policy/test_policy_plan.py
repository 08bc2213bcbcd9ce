"""The offline plan runs the same rules: all green for the real platform. A setting that would
break a rule is refused by the settings first, naming the key; a resource built otherwise still
fails the rule, naming the resource, and `invoke plan` exits non-zero then."""

from __future__ import annotations

import dataclasses

import pytest
from invoke.context import Context
from invoke.exceptions import Exit
from payments_policy.rules import RULES
from payments_policy.verdicts import plan_verdicts

import ops.cli.offline as tasks_offline
from ops.plan.platform import PlatformPlan


@pytest.mark.parametrize("env", ["prod", "dev"])
def test_whole_platform_passes_every_rule(platform_plan, env):
    plan = platform_plan(env)
    assert [lp.status for lp in plan.layers] == ["planned"] * 4
    verdicts = plan_verdicts(plan)
    assert {v.rule.id: [x.message for x in v.violations] for v in verdicts} == {r.id: [] for r in RULES}


def test_every_rule_checks_real_resources_of_the_platform(platform_plan, plan_with):
    checked = {v.rule.id: v.checked for v in plan_verdicts(platform_plan("prod"))}
    assert all(count >= 1 for count in checked.values()), checked
    assert checked["rds-highly-available-private"] == 1
    assert checked["tls-listeners"] == 2  # HTTPS 443 and the HTTP 80 redirect
    assert checked["alb-has-web-acl"] == 1  # the one internet-facing ALB, and it has its web ACL
    assert checked["no-public-ingress"] == 4 + 4  # ALB/app/DB and the emptied default group; 4 ingress rules


def _tampered(plan_with, env: str, layer: str, name: str, **inputs: object) -> PlatformPlan:
    """The real plan of `env` with one resource's inputs changed, as a program outside the settings might."""
    plan = plan_with(env, layers=[layer])
    for lp in plan.layers:
        lp.resources = [
            dataclasses.replace(r, inputs={**r.inputs, **inputs}) if r.name == name else r for r in lp.resources
        ]
    return plan


@pytest.mark.parametrize(
    ("layer", "key", "value", "line"),
    [
        ("network", "flowLogRetentionDays", "14", "network:flowLogRetentionDays = '14' is invalid: expected 7 days"),
        ("data", "deletionProtection", "false", "data:deletionProtection = False is invalid: expected true in prod"),
        (
            "edge",
            "albDeletionProtection",
            "false",
            "edge:albDeletionProtection = False is invalid: expected true in prod",
        ),
        ("compute", "cpu", "1024", "compute:cpu = 1024 is invalid: expected 512 CPU units"),
    ],
)
def test_a_setting_a_rule_would_fail_stops_the_plan_at_the_settings_naming_the_key(layer, key, value, line, plan_with):
    plan = plan_with("prod", layers=[layer], config_overrides={layer: {f"{layer}:{key}": value}})
    failed = plan.layer(layer)
    assert failed.status == "failed" and failed.resources == []
    assert failed.error is not None and failed.error.startswith(line), failed.error
    assert "policy rule" in failed.error  # the message says which rule the value would have broken


def test_the_pack_still_fails_a_log_group_built_with_another_retention(plan_with):
    plan = _tampered(plan_with, "prod", "network", "log-payments-vpcflow-prod", retentionInDays=14)
    failed = [v for v in plan_verdicts(plan) if not v.passed]
    assert [v.rule.id for v in failed] == ["log-retention"]
    assert [(x.resource, x.message) for x in failed[0].violations] == [
        ("network/log-payments-vpcflow-prod", "retentionInDays must be 7, got 14")
    ]


def test_the_pack_still_fails_a_prod_database_built_without_deletion_protection(plan_with):
    plan = _tampered(plan_with, "prod", "data", "rds-payments-prod", deletionProtection=False)
    failed = {v.rule.id: v.violations for v in plan_verdicts(plan) if not v.passed}
    assert list(failed) == ["rds-highly-available-private"]
    assert failed["rds-highly-available-private"][0].resource == "data/rds-payments-prod"
    assert failed["rds-highly-available-private"][0].message == "deletionProtection must be true in prod, got False"


def test_the_pack_fails_a_prod_load_balancer_built_without_deletion_protection(plan_with):
    alb = plan_with("prod", layers=["edge"]).layer("edge").one("aws:lb/loadBalancer:LoadBalancer").name
    plan = _tampered(plan_with, "prod", "edge", alb, enableDeletionProtection=False)
    failed = {v.rule.id: v.violations for v in plan_verdicts(plan) if not v.passed}
    assert list(failed) == ["alb-deletion-protected"]
    assert [(x.resource, x.message) for x in failed["alb-deletion-protected"]] == [
        (f"edge/{alb}", "enableDeletionProtection must be true in prod, got False")
    ]


def test_invoke_plan_exits_non_zero_on_a_mandatory_violation(monkeypatch, plan_with):
    bad = _tampered(plan_with, "prod", "network", "log-payments-vpcflow-prod", retentionInDays=14)
    monkeypatch.setattr(tasks_offline, "plan_platform", lambda env, layers=None: bad)
    with pytest.raises(Exit) as raised:
        tasks_offline.plan.body(Context(), env="prod")
    assert raised.value.code == 1
    assert "mandatory policy violated: log-retention" in str(raised.value.message)


def test_invoke_plan_passes_the_clean_platform(platform_plan, monkeypatch):
    monkeypatch.setattr(tasks_offline, "plan_platform", lambda env, layers=None: platform_plan("prod"))
    tasks_offline.plan.body(Context(), env="prod")  # no Exit: every verdict passed
