"""`invoke verify`'s checks against a platform in moto (server mode, loopback) and a local HTTPS service.

A healthy platform passes all eleven checks; each seeded fault fails exactly its named check.
"""

from __future__ import annotations

from typing import Any

import pytest

from ops.aws import AwsClients
from ops.verify.checks import CheckResult, Expectations, Platform, TargetHealth, all_checks, check_names, run_checks
from ops.verify.exports import require_exports
from ops.verify.https import https_get
from payments_edge.verify import healthy_statuses
from tests.layers.layer_settings import layer_settings
from tests.ops.verify.verify_helpers import ALARMS, DOMAIN, ENV, SERVICE, free_port


def expect(**kw: Any) -> Expectations:
    """What `invoke verify --env verify` expects: the seeded environment and service, plus `kw`."""
    return Expectations(env=ENV, service=SERVICE, **kw)


def verify(
    aws: AwsClients,
    exports: dict[str, Any],
    service: Any,
    *,
    connect_to: tuple[str, int] | None = None,
    expected: Expectations | None = None,
    **kw: Any,
) -> dict[str, CheckResult]:
    platform = Platform(
        exports=require_exports(exports, [n for c in all_checks() for n in c.needs]),
        aws=aws,
        expect=expected or expect(),
        get=lambda url: https_get(url, ca_bundle=str(service.ca_bundle), connect_to=connect_to or service.address),
        **kw,
    )
    return {r.name: r for r in run_checks(platform)}


def failed(results: dict[str, CheckResult]) -> list[str]:
    return [name for name, r in results.items() if not r.ok]


def test_a_platform_built_to_spec_passes_all_eleven_checks_in_graph_order(deployed, https_service):
    results = verify(deployed.aws, deployed.exports, https_service)

    assert list(results) == list(check_names())
    assert list(results) == [
        *("alarms", "audit-archive", "audit-subscriptions"),  # network
        "database",  # data
        *("target-health", "https-listener", "dns-alias", "https-endpoint"),  # edge
        *("ecs-service", "task-definition", "log-group"),  # compute
    ]
    assert failed(results) == []
    # Just deployed: no alarm has data yet, and none has been waiting longer than the grace period.
    assert results["alarms"].detail == (
        f"{len(ALARMS)} alarms of verify ({len(ALARMS)} INSUFFICIENT_DATA), all notify on ALARM and OK; "
        "none in INSUFFICIENT_DATA beyond 30 min"
    )
    assert results["audit-archive"].detail.startswith("firehose-payments-auditarchive-verify: ACTIVE, encryption ")
    assert results["audit-subscriptions"].detail == (
        "4 audit log groups each stream into firehose-payments-auditarchive-verify"
    )
    assert "running 3 of desired 3 (minimum 3)" in results["ecs-service"].detail
    assert results["target-health"].detail == "3 of 3 targets healthy (minimum 3)"
    assert "cpu 512, memory 1024, awsvpc, FARGATE" in results["task-definition"].detail
    assert "available, Multi-AZ, encrypted with arn:aws:kms:ap-northeast-2:" in results["database"].detail
    assert results["log-group"].detail == "/ecs/payments-verify: retention 7 days, KMS-encrypted"
    assert "HTTPS:443, policy ELBSecurityPolicy-TLS13-1-2-Res-2021-06" in results["https-listener"].detail
    # The alias was stored as `dualstack.<alb>.`; the check compares the ALB's name itself.
    assert f"A {DOMAIN} -> dualstack.alb-payments-verify" in results["dns-alias"].detail
    assert results["https-endpoint"].detail.startswith(f"https://{DOMAIN}/health: HTTP 200 over TLSv1.")


def test_each_result_is_one_pass_or_fail_line_naming_its_check(aws, seed_platform, https_service):
    results = verify(aws, seed_platform(multi_az=False), https_service)

    lines = [r.line() for r in results.values()]
    assert all("\n" not in line for line in lines)
    assert lines[0].startswith("PASS  alarms ")
    assert lines[3].startswith("FAIL  database ")
    assert lines[-3].startswith("PASS  ecs-service ")


@pytest.mark.parametrize(
    ("fault", "check", "message"),
    [
        ({"running": 2}, "ecs-service", "running 2 of desired 3 (minimum 3)"),
        ({"running": 2, "desired": 2}, "ecs-service", "running 2 of desired 2 (minimum 3)"),
        ({"multi_az": False}, "database", "single-AZ"),
        ({"encrypted": False}, "database", "not encrypted; expected storage encrypted with a KMS key"),
        ({"retention": 30}, "log-group", "retention 30 days, KMS-encrypted; expected retention 7 days with a KMS key"),
        ({"tls_policy": "ELBSecurityPolicy-2016-08"}, "https-listener", "policy ELBSecurityPolicy-2016-08"),
        ({"alias_to": "alb-legacy-1234.ap-northeast-2.elb.amazonaws.com"}, "dns-alias", "-> dualstack.alb-legacy-1234"),
        ({"cpu": "256", "memory": "512"}, "task-definition", "expected cpu 512, memory 1024"),
        (
            {"alarm_without_ok_actions": "db-free-storage-low"},
            "alarms",
            "alarms without ALARM and OK actions: alarm-payments-db-free-storage-low-verify",
        ),
        (
            {"archive_stream_deleted": True},
            "audit-archive",
            "delivery stream firehose-payments-auditarchive-verify not found: deploy the network layer",
        ),
        (
            {"subscriptions": {"waf_log_group_name": 0}},
            "audit-subscriptions",
            "aws-waf-logs-payments-verify: 0 filters to nothing",
        ),
        (
            {"subscriptions": {"db_log_group_name": 2}},
            "audit-subscriptions",
            "/aws/rds/instance/rds-payments-verify/postgresql: 2 filters to arn:aws:firehose:",
        ),
    ],
    ids=lambda v: v if isinstance(v, str) else None,
)
def test_each_seeded_fault_fails_exactly_its_named_check(aws, seed_platform, https_service, fault, check, message):
    results = verify(aws, seed_platform(**fault), https_service)

    assert failed(results) == [check]
    assert message in results[check].detail


def test_a_listener_serving_another_certificate_fails_https_listener(aws, seed_platform, https_service):
    exports = seed_platform(other_certificate=True)

    results = verify(aws, exports, https_service)

    assert failed(results) == ["https-listener"]
    assert f"expected certificate {exports['certificate_arn']}" in results["https-listener"].detail


def test_a_target_group_with_no_registered_tasks_fails_target_health(aws, seed_platform, https_service):
    results = verify(aws, seed_platform(targets=0), https_service)

    assert failed(results) == ["target-health"]
    assert results["target-health"].detail == "0 of 0 targets healthy (minimum 3)"


def test_an_unhealthy_task_fails_target_health_naming_it(deployed, https_service):
    # moto reports every registered ip target "healthy" (it runs no health checks), so the one
    # DescribeTargetHealth call is injected here with what ELB says about a failing task.
    def one_unhealthy(elbv2: Any, target_group_arn: str) -> list[TargetHealth]:
        real = elbv2.describe_target_health(TargetGroupArn=target_group_arn)["TargetHealthDescriptions"]
        assert len(real) == 3  # the seeded group is really there and read through boto3
        return [
            TargetHealth("10.10.10.10:3000", "healthy"),
            TargetHealth("10.10.11.11:3000", "healthy"),
            TargetHealth("10.10.10.12:3000", "unhealthy", "Target.ResponseCodeMismatch"),
        ]

    results = verify(deployed.aws, deployed.exports, https_service, target_health=one_unhealthy)

    assert failed(results) == ["target-health"]
    assert results["target-health"].detail == (
        "2 of 3 targets healthy (minimum 3); not healthy: 10.10.10.12:3000 unhealthy (Target.ResponseCodeMismatch)"
    )


def test_dev_floor_of_two_tasks_passes_with_min_tasks_two(aws, seed_platform, https_service):
    results = verify(aws, seed_platform(running=2, desired=2, targets=2), https_service, expected=expect(min_tasks=2))

    assert failed(results) == []
    assert "running 2 of desired 2 (minimum 2)" in results["ecs-service"].detail


def test_alarms_still_without_data_after_the_grace_period_fail_alarms_naming_them(deployed, https_service):
    # The seeded alarms have had no datapoint since they were created; with no grace left they count as stuck.
    results = verify(deployed.aws, deployed.exports, https_service, expected=expect(alarm_grace_minutes=0))

    assert failed(results) == ["alarms"]
    assert results["alarms"].detail.startswith(
        "in INSUFFICIENT_DATA for more than 0 min (no such metric?): alarm-payments-archive-delivery-late-verify, "
    )
    assert results["alarms"].detail.count("alarm-payments-") == len(ALARMS)


def test_alarms_of_another_environment_do_not_count(deployed, https_service):
    results = verify(deployed.aws, deployed.exports, https_service, expected=Expectations(env="prod", service=SERVICE))

    assert failed(results) == ["alarms"]
    assert results["alarms"].detail == (
        "no alarms named alarm-payments-*-prod: deploy the data, edge and compute layers"
    )


def test_a_missing_database_fails_database_with_the_aws_error(deployed, https_service):
    exports = deployed.exports | {"db_instance_identifier": "rds-payments-gone"}

    results = verify(deployed.aws, exports, https_service)

    assert failed(results) == ["database"]
    assert results["database"].detail.startswith("AWS said DBInstanceNotFound")


def test_service_down_fails_https_endpoint(deployed, https_service):
    results = verify(deployed.aws, deployed.exports, https_service, connect_to=("127.0.0.1", free_port()))

    assert failed(results) == ["https-endpoint"]
    assert "no answer (ConnectionRefusedError" in results["https-endpoint"].detail


def test_a_5xx_answer_fails_https_endpoint(deployed, https_service):
    https_service.status = 503

    results = verify(deployed.aws, deployed.exports, https_service)

    assert failed(results) == ["https-endpoint"]
    assert (
        results["https-endpoint"].detail
        == f"https://{DOMAIN}/health: HTTP 503 over TLSv1.3; expected 200, the status the health check counts as healthy"
    )


@pytest.mark.parametrize("status", [401, 404, 302])
def test_only_the_status_the_health_check_accepts_passes_https_endpoint(deployed, https_service, status):
    https_service.status = status  # the load balancer would mark such a target unhealthy too

    results = verify(deployed.aws, deployed.exports, https_service)

    assert failed(results) == ["https-endpoint"]
    assert f"HTTP {status}" in results["https-endpoint"].detail


def test_the_environments_health_check_matcher_decides_which_statuses_pass(deployed, https_service):
    https_service.status = 204
    edge = layer_settings("edge", "prod", healthCheckMatcher="200,204")
    results = verify(
        deployed.aws, deployed.exports, https_service, settings_of=lambda layer: edge if layer == "edge" else None
    )
    assert results["https-endpoint"].ok and "HTTP 204" in results["https-endpoint"].detail


def test_health_check_matchers_expand_to_their_statuses():
    assert healthy_statuses("200") == {200}
    assert healthy_statuses("200,204") == {200, 204}
    assert healthy_statuses("200-204,302") == {200, 201, 202, 203, 204, 302}


def test_certificate_not_trusted_fails_https_endpoint(deployed, https_service):
    # Without the test CA the system store cannot vouch for the certificate: verification stays on.
    platform = Platform(
        exports=require_exports(deployed.exports, [n for c in all_checks() for n in c.needs]),
        aws=deployed.aws,
        expect=expect(),
        get=lambda url: https_get(url, connect_to=https_service.address),
    )

    result = run_checks(platform, ["https-endpoint"])[0]

    assert not result.ok
    assert "TLS failed (CERTIFICATE_VERIFY_FAILED)" in result.detail


def test_certificate_for_another_host_fails_https_endpoint(deployed, https_service):
    exports = deployed.exports | {"service_url": "https://api.other.example.com"}

    results = verify(deployed.aws, exports, https_service)

    assert "https-endpoint" in failed(results)
    assert "TLS failed (CERTIFICATE_VERIFY_FAILED)" in results["https-endpoint"].detail
