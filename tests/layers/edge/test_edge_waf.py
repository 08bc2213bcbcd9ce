"""The WAF web ACL on the load balancer: its rules, count-mode switches, association and logs."""

import json
import typing

import pulumi_aws as aws
import pytest

from payments_edge.waf import WebFirewall
from shared.plan_values import computed

ACL = "aws:wafv2/webAcl:WebAcl"
ASSOCIATION = "aws:wafv2/webAclAssociation:WebAclAssociation"
LOGGING = "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
KEY = "aws:kms/key:Key"
ANONYMOUS = "AWSManagedRulesAnonymousIpList"
MANAGED = (
    "AWSManagedRulesAmazonIpReputationList",
    "AWSManagedRulesCommonRuleSet",
    "AWSManagedRulesKnownBadInputsRuleSet",
    "AWSManagedRulesSQLiRuleSet",
)
BLOCK, COUNT, NONE = {"block": {}}, {"count": {}}, {"none": {}}


def rules(plan) -> dict[str, dict]:
    return {r["name"]: r for r in plan.one(ACL).inputs["rules"]}


def decisions(plan) -> dict[str, dict]:
    """Rule name -> its action (own rules) or override action (managed groups)."""
    return {name: r.get("action") or r["overrideAction"] for name, r in rules(plan).items()}


@pytest.mark.parametrize("env", ["prod", "dev"])
def test_a_regional_web_acl_allows_what_no_rule_blocks_and_reports_metrics(run_layer, env):
    acl = run_layer("edge", env).one(ACL)
    assert acl.name == f"waf-payments-{env}"
    assert acl.inputs["name"] == f"waf-payments-{env}"
    assert acl.inputs["scope"] == "REGIONAL"
    assert acl.inputs["defaultAction"] == {"allow": {}}
    assert acl.inputs["visibilityConfig"] == {
        "cloudwatchMetricsEnabled": True,
        "metricName": f"waf-payments-{env}",
        "sampledRequestsEnabled": True,
    }


def test_rules_are_evaluated_rate_limit_reputation_anonymous_ips_body_size_then_the_managed_groups(prod_plan):
    ordered = sorted(prod_plan.one(ACL).inputs["rules"], key=lambda r: r["priority"])
    assert [(r["priority"], r["name"]) for r in ordered] == [
        (0, "RateLimitPerIp"),
        (1, "AWSManagedRulesAmazonIpReputationList"),
        (2, ANONYMOUS),
        (3, "BodyOverInspectionLimit"),
        (4, "AWSManagedRulesCommonRuleSet"),
        (5, "AWSManagedRulesKnownBadInputsRuleSet"),
        (6, "AWSManagedRulesSQLiRuleSet"),
    ]
    for r in ordered:
        assert r["visibilityConfig"] == {
            "cloudwatchMetricsEnabled": True,
            "metricName": r["name"],
            "sampledRequestsEnabled": True,
        }


@pytest.mark.parametrize("group", MANAGED)
def test_each_aws_managed_rule_group_keeps_its_own_blocking_actions(prod_plan, group):
    rule = rules(prod_plan)[group]
    statement = rule["statement"]["managedRuleGroupStatement"]
    assert statement["vendorName"] == "AWS" and statement["name"] == group
    assert rule["overrideAction"] == NONE
    assert "action" not in rule  # a rule group statement takes an override action only


@pytest.mark.parametrize("env", ["prod", "dev"])
def test_the_anonymous_ip_list_counts_by_default_and_blocks_when_configured(run_layer, env):
    rule = rules(run_layer("edge", env))[ANONYMOUS]
    assert rule["statement"] == {"managedRuleGroupStatement": {"vendorName": "AWS", "name": ANONYMOUS}}
    assert rule["overrideAction"] == COUNT
    blocking = rules(run_layer("edge", env, overrides={"wafBlockAnonymousIps": "true"}))[ANONYMOUS]
    assert blocking["overrideAction"] == NONE  # the group's own (blocking) actions
    # Count mode still wins over the switch: a rollout can count everything, this group included.
    both = {"wafBlockAnonymousIps": "true", "wafCountRules": [ANONYMOUS]}
    assert rules(run_layer("edge", env, overrides=both))[ANONYMOUS]["overrideAction"] == COUNT


def test_rate_limit_blocks_one_client_ip_over_2000_requests_in_5_minutes(prod_plan):
    rule = rules(prod_plan)["RateLimitPerIp"]
    assert rule["statement"] == {
        "rateBasedStatement": {"aggregateKeyType": "IP", "limit": 2000, "evaluationWindowSec": 300}
    }
    assert rule["action"] == BLOCK


def test_rate_limit_comes_from_config(run_layer):
    plan = run_layer("edge", "prod", overrides={"wafRateLimit": 500})
    assert rules(plan)["RateLimitPerIp"]["statement"]["rateBasedStatement"]["limit"] == 500


def test_a_body_over_the_8_kb_alb_inspection_limit_is_blocked_even_when_waf_could_not_read_it_whole(prod_plan):
    rule = rules(prod_plan)["BodyOverInspectionLimit"]
    assert rule["statement"] == {
        "sizeConstraintStatement": {
            "comparisonOperator": "GT",
            "size": 8192,
            "fieldToMatch": {"body": {"oversizeHandling": "MATCH"}},
            "textTransformations": [{"priority": 0, "type": "NONE"}],
        }
    }
    assert rule["action"] == BLOCK


def test_common_rule_set_size_restriction_only_counts_because_the_body_size_rule_decides(prod_plan):
    statement = rules(prod_plan)["AWSManagedRulesCommonRuleSet"]["statement"]["managedRuleGroupStatement"]
    assert statement["ruleActionOverrides"] == [{"name": "SizeRestrictions_BODY", "actionToUse": {"count": {}}}]
    others = [n for n in MANAGED if n != "AWSManagedRulesCommonRuleSet"]
    assert all(
        "ruleActionOverrides" not in rules(prod_plan)[n]["statement"]["managedRuleGroupStatement"] for n in others
    )


def test_count_rules_switches_only_the_named_group_and_rule_to_count(run_layer):
    plan = run_layer("edge", "prod", overrides={"wafCountRules": ["AWSManagedRulesSQLiRuleSet", "RateLimitPerIp"]})
    assert decisions(plan) == {
        "RateLimitPerIp": COUNT,
        "AWSManagedRulesAmazonIpReputationList": NONE,
        ANONYMOUS: COUNT,  # counts unless edge:wafBlockAnonymousIps
        "BodyOverInspectionLimit": BLOCK,
        "AWSManagedRulesCommonRuleSet": NONE,
        "AWSManagedRulesKnownBadInputsRuleSet": NONE,
        "AWSManagedRulesSQLiRuleSet": COUNT,
    }


def test_count_only_switches_every_rule_of_the_acl_to_count(run_layer):
    plan = run_layer("edge", "dev", overrides={"wafCountOnly": "true"})
    assert decisions(plan) == {name: COUNT for name in rules(plan)}
    assert len(decisions(plan)) == 7
    assert plan.one(ACL).inputs["defaultAction"] == {"allow": {}}


@pytest.mark.parametrize("env", ["prod", "dev"])
def test_the_web_acl_is_associated_with_the_load_balancer(run_layer, env):
    association = run_layer("edge", env).one(ASSOCIATION).inputs
    assert association == {
        "resourceArn": computed(f"alb-payments-{env}", "arn"),
        "webAclArn": computed(f"waf-payments-{env}", "arn"),
    }


def test_the_web_acl_arn_is_exported(prod_plan):
    assert prod_plan.exports["web_acl_arn"] == computed("waf-payments-prod", "arn")


@pytest.mark.parametrize("env", ["prod", "dev"])
def test_every_request_is_logged_to_the_waf_log_group_with_authorization_and_cookie_redacted(run_layer, env):
    plan = run_layer("edge", env)
    logging = plan.one(LOGGING).inputs
    assert logging["resourceArn"] == computed(f"waf-payments-{env}", "arn")
    assert logging["logDestinationConfigs"] == [computed(f"log-payments-waf-{env}", "arn")]
    assert logging["redactedFields"] == [
        {"singleHeader": {"name": "authorization"}},
        {"singleHeader": {"name": "cookie"}},
    ]
    assert "loggingFilter" not in logging  # every request, allowed or blocked


@pytest.mark.parametrize("env", ["prod", "dev"])
def test_a_log_resource_policy_lets_wafs_log_delivery_write_that_group_only_and_logging_waits_for_it(
    run_layer, registrations, env
):
    plan = run_layer("edge", env)
    policy = plan.one("aws:cloudwatch/logResourcePolicy:LogResourcePolicy")
    assert policy.inputs["policyName"] == f"logpolicy-payments-waf-{env}"
    (statement,) = json.loads(policy.inputs["policyDocument"])["Statement"]
    assert statement["Effect"] == "Allow"
    assert statement["Principal"] == {"Service": "delivery.logs.amazonaws.com"}
    assert statement["Action"] == ["logs:CreateLogStream", "logs:PutLogEvents"]
    logs = "arn:aws:logs:ap-northeast-2:123456789012"
    assert statement["Resource"] == f"{logs}:log-group:aws-waf-logs-payments-{env}:log-stream:*"
    assert statement["Condition"] == {
        "StringEquals": {"aws:SourceAccount": "123456789012"},
        "ArnLike": {"aws:SourceArn": f"{logs}:*"},
    }
    waits = registrations[f"waflogging-payments-{env}"].dependencies
    assert any(urn.endswith(f"::logpolicy-payments-waf-{env}") for urn in waits)


@pytest.mark.parametrize("env", ["prod", "dev"])
def test_waf_log_group_has_the_prefix_aws_requires_the_env_suffix_a_kms_key_and_7_days(run_layer, env):
    plan = run_layer("edge", env)
    (group,) = plan.by_type(LOG_GROUP)
    assert group.inputs["name"] == f"aws-waf-logs-payments-{env}"
    assert group.inputs["retentionInDays"] == 7
    assert group.inputs["kmsKeyId"] == computed(f"kms-payments-waf-logs-{env}", "arn")


def test_waf_log_key_lets_cloudwatch_logs_use_it_for_the_waf_log_group_only(prod_plan):
    key = prod_plan.one(KEY).inputs
    assert key["enableKeyRotation"] is True
    statements = {s["Sid"]: s for s in json.loads(key["policy"])["Statement"]}
    logs = statements["CloudWatchLogsUsesKeyForOneLogGroup"]
    assert logs["Principal"] == {"Service": "logs.ap-northeast-2.amazonaws.com"}
    assert logs["Condition"] == {
        "ArnEquals": {
            "kms:EncryptionContext:aws:logs:arn": (
                "arn:aws:logs:ap-northeast-2:123456789012:log-group:aws-waf-logs-payments-prod"
            )
        }
    }


@pytest.mark.parametrize(("env", "days"), [("prod", 30), ("dev", 7)])
def test_waf_log_key_deletion_waits_thirty_days_in_protected_environments_and_seven_in_dev(run_layer, env, days):
    assert run_layer("edge", env).one(KEY).inputs["deletionWindowInDays"] == days


def test_the_component_exposes_acl_name_metric_name_and_log_group_for_alarms_and_subscriptions():
    # The component's own annotations, resolved in its module (the Resource base's are not of interest).
    own = type("Own", (), {"__annotations__": dict(WebFirewall.__annotations__), "__module__": WebFirewall.__module__})
    assert typing.get_type_hints(own) == {
        "web_acl": aws.wafv2.WebAcl,
        "web_acl_name": str,
        "metric_name": str,
        "log_group": aws.cloudwatch.LogGroup,
    }
