"""Each bad edge setting fails before any resource exists, with one line naming the key."""

from pathlib import Path

import pytest
import yaml

from payments_edge.settings import ALLOWED_TLS_POLICIES, EdgeSettings
from shared.settings import ConfigError, parse_settings
from shared.tls import ACCEPTED_TLS_POLICIES, DEFAULT_TLS_POLICY

OTHER_REGION_CERT = "arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9"

CASES = [
    ({"domainName": ""}, "edge:domainName = '' is invalid: expected a lowercase fully qualified domain name"),
    ({"domainName": "localhost"}, "edge:domainName = 'localhost' is invalid: expected a lowercase fully qualified"),
    ({"domainName": "API.payments.example.com"}, "edge:domainName = 'API.payments.example.com' is invalid"),
    ({"domainName": "api..example.com"}, "edge:domainName = 'api..example.com' is invalid"),
    ({"domainName": "-api.example.com"}, "edge:domainName = '-api.example.com' is invalid"),
    ({"domainName": "*.example.com"}, "edge:domainName = '*.example.com' is invalid"),
    ({"domainName": "https://api.example.com"}, "edge:domainName = 'https://api.example.com' is invalid"),
    ({"domainName": "api.example.123"}, "edge:domainName = 'api.example.123' is invalid"),
    ({"hostedZoneId": "zone-1"}, "edge:hostedZoneId = 'zone-1' is invalid: expected empty (create a zone) or"),
    ({"certificateArn": "arn:aws:iam::123456789012:server-certificate/x"}, "edge:certificateArn = 'arn:aws:iam"),
    (
        {"certificateArn": OTHER_REGION_CERT},
        f"edge:certificateArn = '{OTHER_REGION_CERT}' is invalid: expected a certificate in ap-northeast-2",
    ),
    (
        {"healthCheckPath": "health"},
        "edge:healthCheckPath = 'health' is invalid: expected an HTTP path starting with /",
    ),
    ({"healthCheckPath": "/he alth"}, "edge:healthCheckPath = '/he alth' is invalid"),
    ({"healthCheckMatcher": "ok"}, "edge:healthCheckMatcher = 'ok' is invalid: expected HTTP codes 200-499"),
    ({"healthCheckMatcher": "199"}, "edge:healthCheckMatcher = '199' is invalid"),
    ({"healthCheckMatcher": "299-200"}, "edge:healthCheckMatcher = '299-200' is invalid"),
    (
        {"tlsPolicy": "ELBSecurityPolicy-2016-08"},
        "edge:tlsPolicy = 'ELBSecurityPolicy-2016-08' is invalid: expected a TLS 1.2+ ELB policy without CBC",
    ),
    (
        {"tlsPolicy": "ELBSecurityPolicy-TLS13-1-2-Ext2-2021-06"},
        "edge:tlsPolicy = 'ELBSecurityPolicy-TLS13-1-2-Ext2-2021-06' is invalid",
    ),
    ({"deregistrationDelaySeconds": 900}, "edge:deregistrationDelaySeconds = '900' is invalid: expected 0-300 seconds"),
    ({"deregistrationDelaySeconds": -1}, "edge:deregistrationDelaySeconds = '-1' is invalid"),
    ({"idleTimeoutSeconds": 0}, "edge:idleTimeoutSeconds = '0' is invalid: expected 1-4000 seconds"),
    ({"accessLogExpirationDays": 0}, "edge:accessLogExpirationDays = '0' is invalid: expected 1-3650 days"),
    (
        {"certificateValidationTimeoutMinutes": 1440},
        "edge:certificateValidationTimeoutMinutes = '1440' is invalid: expected 5-180 minutes",
    ),
    ({"wafRateLimit": 9}, "edge:wafRateLimit = '9' is invalid: expected 10-2000000000 requests per client IP"),
    ({"wafRateLimit": 2_000_000_001}, "edge:wafRateLimit = '2000000001' is invalid: expected 10-2000000000"),
    (
        {"wafCountRules": ["AWSManagedRulesSQLiRuleSet", "SQLi"]},
        'edge:wafCountRules = ["AWSManagedRulesSQLiRuleSet", "SQLi"] is invalid: expected distinct names of the '
        "web ACL's rules: RateLimitPerIp, AWSManagedRulesAmazonIpReputationList, AWSManagedRulesAnonymousIpList, ",
    ),
    ({"wafCountOnly": "sometimes"}, "edge:wafCountOnly = 'sometimes' is invalid"),
    ({"wafLogRetentionDays": 10}, "edge:wafLogRetentionDays = '10' is invalid: expected a CloudWatch retention"),
    ({"albDeletionProtection": "maybe"}, "edge:albDeletionProtection = 'maybe' is invalid"),
    (
        {"albDeletionProtection": "false"},
        "edge:albDeletionProtection = False is invalid: expected true in prod, a protected environment "
        "(policy rule alb-deletion-protected); teardown lifts it by itself",
    ),
    ({"albDeletionProtection": "off"}, "edge:albDeletionProtection = False is invalid: expected true in prod"),
    (
        {"albDeletionProtection": "0", "teardown": "false"},
        "edge:albDeletionProtection = False is invalid: expected true in prod",
    ),
    ({"teardown": "soon"}, "edge:teardown = 'soon' is invalid"),
    (
        {"service": "paymentsgatew"},
        "edge:service = 'paymentsgatew' is invalid",
    ),
    (
        {"domainNmae": "api.payments.example.com"},
        "edge:domainNmae is not a setting of this project (did you mean edge:domainName?)",
    ),
]


@pytest.mark.parametrize(
    ("overrides", "message"), CASES, ids=[f"{next(iter(c[0]))}={next(iter(c[0].values()))}" for c in CASES]
)
def test_bad_setting_is_one_clear_line_before_any_resource(run_layer, engines, overrides, message):
    with pytest.raises(ConfigError) as err:
        run_layer("edge", "prod", overrides=overrides)
    assert [e.resources for e in engines] == [[]]  # not even the provider was registered
    text = str(err.value)
    assert text.startswith(message), text
    assert "\n" not in text


def _settings(env: str = "prod", **overrides: str) -> EdgeSettings:
    config = {
        "aws:region": "ap-northeast-2",
        "edge:service": "payments",
        "edge:allowedAccountIds": "[]",
        "edge:assumeRoleArn": "",
        "edge:domainName": "api.payments.example.com",
        "edge:hostedZoneId": "",
        "edge:certificateArn": "",
        "edge:certificateValidationTimeoutMinutes": "45",
        "edge:tlsPolicy": "ELBSecurityPolicy-TLS13-1-2-Res-2021-06",
        "edge:healthCheckPath": "/health",
        "edge:healthCheckMatcher": "200",
        "edge:deregistrationDelaySeconds": "30",
        "edge:idleTimeoutSeconds": "60",
        "edge:accessLogExpirationDays": "90",
        "edge:albDeletionProtection": "true",
        "edge:teardown": "false",
        "edge:alarmPeriodSeconds": "60",
        "edge:alarmEvaluationPeriods": "5",
        "edge:alarmDatapointsToAlarm": "3",
        "edge:alarmElb5xxRatePercent": "1",
        "edge:alarmTarget5xxRatePercent": "1",
        "edge:alarmUnhealthyHosts": "1",
        "edge:alarmP99LatencyMs": "2000",
        "edge:alarmWafBlockedRequests": "100",
        "edge:wafRateLimit": "2000",
        "edge:wafCountOnly": "false",
        "edge:wafCountRules": "[]",
        "edge:wafBlockAnonymousIps": "false",
        "edge:wafLogRetentionDays": "7",
        **{f"edge:{k}": v for k, v in overrides.items()},
    }
    return parse_settings(EdgeSettings, config, namespace="edge", env=env)


@pytest.mark.parametrize("matcher", ["200", "200,204", "200-299", "200-204,301,404"])
def test_valid_health_check_matchers_are_accepted(matcher):
    assert _settings(healthCheckMatcher=matcher).health_check_matcher == matcher


@pytest.mark.parametrize("policy", ALLOWED_TLS_POLICIES)
def test_every_allowed_tls_policy_is_a_tls13_restricted_or_tls13_only_policy(policy):
    # TLS13-1-2-Res: TLS 1.2 with GCM suites only; TLS13-1-3: TLS 1.3 only. Neither offers CBC.
    assert policy.startswith(("ELBSecurityPolicy-TLS13-1-2-Res-", "ELBSecurityPolicy-TLS13-1-3-"))
    assert "Ext" not in policy
    assert _settings(tlsPolicy=policy).tls_policy == policy


def test_the_default_tls_policy_is_the_shared_default_and_allows_no_cbc():
    declared = yaml.safe_load((Path(__file__).resolve().parents[3] / "projects/edge/Pulumi.yaml").read_text())
    assert declared["config"]["tlsPolicy"]["default"] == DEFAULT_TLS_POLICY == "ELBSecurityPolicy-TLS13-1-2-Res-2021-06"
    assert ALLOWED_TLS_POLICIES is ACCEPTED_TLS_POLICIES  # one list for settings and policy pack


@pytest.mark.parametrize(
    "policy",
    ["ELBSecurityPolicy-TLS13-1-2-2021-06", "ELBSecurityPolicy-TLS13-1-2-Ext1-2021-06", "ELBSecurityPolicy-2016-08"],
)
def test_tls_policies_with_cbc_ciphers_or_old_protocols_are_rejected(policy):
    with pytest.raises(ConfigError) as e:
        _settings(tlsPolicy=policy)
    assert str(e.value).startswith(
        f"edge:tlsPolicy = {policy!r} is invalid: expected a TLS 1.2+ ELB policy without CBC ciphers: one of "
    )


def test_existing_zone_and_certificate_switch_off_creation():
    s = _settings(
        hostedZoneId="Z0123456789ABCDEFGHIJ",
        certificateArn="arn:aws:acm:ap-northeast-2:123456789012:certificate/0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9",
    )
    assert (s.creates_zone, s.creates_certificate) == (False, False)
    assert (_settings().creates_zone, _settings().creates_certificate) == (True, True)


def test_a_service_name_that_pushes_the_alb_name_over_32_characters_is_refused():
    assert _settings("preview1", service="payments").env == "preview1"  # tg-payments-app-preview1: 24 + 8
    with pytest.raises(ConfigError) as err:
        _settings("preview1", service="paymentsgate")
    assert str(err.value) == (
        "edge:service = 'paymentsgate' is invalid: expected a shorter service name: name "
        "'alb-paymentsgate-preview1' is 25 characters plus 8 for Pulumi's random suffix; AWS allows 32 for alb"
    )


def test_dev_may_switch_alb_deletion_protection_off():
    assert _settings("dev", albDeletionProtection="false").alb_deletion_protection is False


def test_every_mistake_of_the_layer_comes_in_one_message_before_any_resource(run_layer, engines):
    overrides = {
        "domainName": "localhost",
        "certificateArn": OTHER_REGION_CERT,
        "idleTimeoutSeconds": 0,
        "albDeletionProtection": "false",
    }
    with pytest.raises(ConfigError) as err:
        run_layer("edge", "prod", overrides=overrides)
    assert [e.resources for e in engines] == [[]]
    lines = str(err.value).splitlines()
    expected = [
        "edge:domainName = 'localhost' is invalid: expected a lowercase fully qualified domain name",
        "edge:idleTimeoutSeconds = '0' is invalid: expected 1-4000 seconds",
        f"edge:certificateArn = '{OTHER_REGION_CERT}' is invalid: expected a certificate in ap-northeast-2",
        "edge:albDeletionProtection = False is invalid: expected true in prod",
    ]
    assert len(lines) == len(expected), lines
    assert all(line.startswith(want) for line, want in zip(lines, expected, strict=True)), lines
