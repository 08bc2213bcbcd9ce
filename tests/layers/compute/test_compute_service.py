"""The cluster, log group, task definition, service and autoscaling, with real values."""

from __future__ import annotations

import json

import pytest
from pulumi.runtime import mocks as pulumi_mocks

from ops.plan.mock_engine import DEFAULT_DB_SECRET
from ops.plan.platform import LayerPlan
from shared.ports import APP_PORT
from tests.layers.compute.compute_helpers import (
    ACCOUNT,
    APP_SG,
    DB_ADDRESS,
    IMAGE,
    LOG_GROUP,
    PRIVATE_SUBNETS,
    REGION,
    SECRET_ARN,
    TARGET_GROUP_ARN,
    container,
    statements,
    upstream,
)

TASK_DEF = "aws:ecs/taskDefinition:TaskDefinition"
SERVICE = "aws:ecs/service:Service"
TARGET = "aws:appautoscaling/target:Target"
POLICY = "aws:appautoscaling/policy:Policy"


@pytest.fixture
def prod(run_layer) -> LayerPlan:
    return run_layer("compute", "prod", upstream_exports=upstream())


def test_cluster_has_container_insights_enabled(prod: LayerPlan) -> None:
    cluster = prod.one("aws:ecs/cluster:Cluster")
    assert cluster.inputs["name"] == "ecs-payments-prod"
    assert cluster.inputs["settings"] == [{"name": "containerInsights", "value": "enabled"}]


def test_log_group_keeps_7_days_encrypted_with_the_layer_key(prod: LayerPlan) -> None:
    group = prod.one("aws:cloudwatch/logGroup:LogGroup")
    assert group.inputs["name"] == LOG_GROUP
    assert group.inputs["retentionInDays"] == 7
    key = prod.one("aws:kms/key:Key")
    assert group.inputs["kmsKeyId"] == f"(known after apply: {key.name}.arn)"
    assert key.inputs["enableKeyRotation"] is True


def test_log_key_lets_cloudwatch_logs_use_it_for_this_log_group_only(prod: LayerPlan) -> None:
    key = prod.one("aws:kms/key:Key")
    by_sid = {s["Sid"]: s for s in statements(key.inputs["policy"])}
    logs = by_sid["CloudWatchLogsUsesKeyForOneLogGroup"]
    assert logs["Principal"] == {"Service": f"logs.{REGION}.amazonaws.com"}
    assert logs["Condition"] == {
        "ArnEquals": {"kms:EncryptionContext:aws:logs:arn": f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:{LOG_GROUP}"}
    }
    assert by_sid["AccountAdministersAndDelegatesThroughIam"]["Principal"] == {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}
    assert set(by_sid) == {"CloudWatchLogsUsesKeyForOneLogGroup", "AccountAdministersAndDelegatesThroughIam"}


def test_task_definition_is_512_cpu_1024_mib_awsvpc_fargate_linux_x86(prod: LayerPlan) -> None:
    td = prod.one(TASK_DEF).inputs
    assert td["family"] == "task-payments-api-prod"
    assert (td["cpu"], td["memory"]) == ("512", "1024")
    assert td["networkMode"] == "awsvpc"
    assert td["requiresCompatibilities"] == ["FARGATE"]
    assert td["runtimePlatform"] == {"operatingSystemFamily": "LINUX", "cpuArchitecture": "X86_64"}


def test_task_definition_uses_separate_execution_and_task_roles(prod: LayerPlan) -> None:
    td = prod.one(TASK_DEF).inputs
    assert td["executionRoleArn"] == "(known after apply: role-payments-exec-prod.arn)"
    assert td["taskRoleArn"] == "(known after apply: role-payments-task-prod.arn)"


def test_one_container_from_the_configured_image_listening_on_3000(prod: LayerPlan) -> None:
    c = container(prod.one(TASK_DEF).inputs)
    assert c["name"] == "payments-api"
    assert c["image"] == IMAGE
    assert c["essential"] is True
    assert c["portMappings"] == [{"containerPort": 3000, "hostPort": 3000, "name": "http", "protocol": "tcp"}]


def test_container_logs_to_the_layer_log_group_with_a_stream_prefix(prod: LayerPlan) -> None:
    c = container(prod.one(TASK_DEF).inputs)
    assert c["logConfiguration"] == {
        "logDriver": "awslogs",
        "options": {
            "awslogs-group": LOG_GROUP,
            "awslogs-region": REGION,
            "awslogs-stream-prefix": "payments-api",
        },
    }


def test_container_is_unprivileged_with_read_only_root_and_a_writable_tmp_volume(prod: LayerPlan) -> None:
    td = prod.one(TASK_DEF).inputs
    c = container(td)
    assert c["privileged"] is False
    assert c["readonlyRootFilesystem"] is True
    assert c["linuxParameters"]["capabilities"] == {"drop": ["ALL"]}
    assert td["volumes"] == [{"name": "tmp"}]
    assert c["mountPoints"] == [{"containerPath": "/tmp", "readOnly": False, "sourceVolume": "tmp"}]


def test_container_runs_as_the_non_root_node_user_by_default(prod: LayerPlan) -> None:
    assert container(prod.one(TASK_DEF).inputs)["user"] == "1000:1000"


def test_container_user_comes_from_config(run_layer) -> None:
    plan = run_layer("compute", "prod", overrides={"runAsUser": "10001:10001"}, upstream_exports=upstream())
    assert container(plan.one(TASK_DEF).inputs)["user"] == "10001:10001"


@pytest.mark.parametrize(("env", "days"), [("prod", 30), ("dev", 7)])
def test_log_key_deletion_waits_thirty_days_in_protected_environments_and_seven_in_dev(run_layer, env, days) -> None:
    plan = run_layer("compute", env, upstream_exports=upstream())
    assert plan.one("aws:kms/key:Key").inputs["deletionWindowInDays"] == days


def test_read_only_root_can_be_turned_off_by_config(run_layer) -> None:
    plan = run_layer("compute", "prod", overrides={"readonlyRootFilesystem": "false"}, upstream_exports=upstream())
    assert container(plan.one(TASK_DEF).inputs)["readonlyRootFilesystem"] is False


def test_db_location_is_environment_and_credentials_are_secrets_from_the_secret_keys(prod: LayerPlan) -> None:
    c = container(prod.one(TASK_DEF).inputs)
    assert c["environment"] == [
        {"name": "DB_HOST", "value": DB_ADDRESS},
        {"name": "DB_NAME", "value": "payments"},
        {"name": "DB_PORT", "value": "5432"},
        {"name": "DB_SSLMODE", "value": "verify-full"},
        {"name": "PORT", "value": "3000"},
    ]
    assert c["secrets"] == [
        {"name": "DB_PASSWORD", "valueFrom": f"{SECRET_ARN}:password::"},
        {"name": "DB_USERNAME", "valueFrom": f"{SECRET_ARN}:username::"},
    ]


def test_password_never_appears_as_environment_or_anywhere_in_the_plan(prod: LayerPlan) -> None:
    c = container(prod.one(TASK_DEF).inputs)
    env_names = {e["name"] for e in c["environment"]}
    assert not {n for n in env_names if "PASS" in n or "USER" in n}
    password = json.loads(DEFAULT_DB_SECRET)["password"]
    for r in prod.resources:
        assert password not in json.dumps(r.inputs), r.name
    assert password not in json.dumps(prod.exports)


def test_db_ssl_mode_comes_from_config(run_layer) -> None:
    plan = run_layer("compute", "prod", overrides={"dbSslMode": "require"}, upstream_exports=upstream())
    env = {e["name"]: e["value"] for e in container(plan.one(TASK_DEF).inputs)["environment"]}
    assert env["DB_SSLMODE"] == "require"


def test_service_runs_3_fargate_tasks_on_latest_in_private_subnets_without_public_ip(prod: LayerPlan) -> None:
    svc = prod.one(SERVICE).inputs
    assert svc["name"] == "ecs-payments-api-prod"
    assert svc["cluster"] == "(known after apply: ecs-payments-prod.arn)"
    assert svc["taskDefinition"] == "(known after apply: task-payments-api-prod.arn)"
    assert svc["desiredCount"] == 3
    assert svc["launchType"] == "FARGATE"
    assert svc["platformVersion"] == "LATEST"
    assert svc["networkConfiguration"] == {
        "subnets": PRIVATE_SUBNETS,
        "securityGroups": [APP_SG],
        "assignPublicIp": False,
    }


def test_service_joins_the_edge_target_group_on_port_3000(prod: LayerPlan) -> None:
    svc = prod.one(SERVICE).inputs
    assert svc["loadBalancers"] == [
        {"targetGroupArn": TARGET_GROUP_ARN, "containerName": "payments-api", "containerPort": APP_PORT}
    ]
    assert APP_PORT == 3000


def test_service_has_grace_period_circuit_breaker_with_rollback_and_propagated_tags(prod: LayerPlan) -> None:
    svc = prod.one(SERVICE).inputs
    assert svc["healthCheckGracePeriodSeconds"] == 60
    assert svc["deploymentCircuitBreaker"] == {"enable": True, "rollback": True}
    assert (svc["deploymentMinimumHealthyPercent"], svc["deploymentMaximumPercent"]) == (100, 200)
    assert svc["propagateTags"] == "SERVICE"
    assert svc["enableEcsManagedTags"] is True
    assert svc["enableExecuteCommand"] is False


def test_service_desired_count_is_left_to_the_autoscaler_after_creation(run_layer, monkeypatch) -> None:
    ignored: dict[str, list[str]] = {}
    original = pulumi_mocks.MockMonitor.RegisterResource

    def register(self, request):  # type: ignore[no-untyped-def]
        ignored[request.name] = list(request.ignoreChanges)
        return original(self, request)

    monkeypatch.setattr(pulumi_mocks.MockMonitor, "RegisterResource", register)
    run_layer("compute", "prod", upstream_exports=upstream())
    assert ignored["ecs-payments-api-prod"] == ["desiredCount"]
    assert ignored["task-payments-api-prod"] == []  # a new image must still roll out


def test_autoscaling_keeps_3_to_10_tasks_of_this_service(prod: LayerPlan) -> None:
    target = prod.one(TARGET).inputs
    assert (target["minCapacity"], target["maxCapacity"]) == (3, 10)
    assert target["serviceNamespace"] == "ecs"
    assert target["scalableDimension"] == "ecs:service:DesiredCount"
    assert target["resourceId"] == "service/ecs-payments-prod/ecs-payments-api-prod"


def test_autoscaling_tracks_average_cpu_with_target_and_cooldowns_from_config(prod: LayerPlan) -> None:
    policy = prod.one(POLICY).inputs
    assert policy["policyType"] == "TargetTrackingScaling"
    assert policy["resourceId"] == "service/ecs-payments-prod/ecs-payments-api-prod"
    assert policy["scalableDimension"] == "ecs:service:DesiredCount"
    assert policy["targetTrackingScalingPolicyConfiguration"] == {
        "targetValue": 60,
        "scaleInCooldown": 300,
        "scaleOutCooldown": 60,
        "predefinedMetricSpecification": {"predefinedMetricType": "ECSServiceAverageCPUUtilization"},
    }


def test_sizes_counts_and_scaling_follow_config(run_layer) -> None:
    plan = run_layer(
        "compute",
        "prod",
        overrides={
            "cpuArchitecture": "ARM64",
            "desiredCount": 4,
            "minCapacity": 2,
            "maxCapacity": 12,
            "cpuTargetPercent": 45,
            "scaleInCooldownSeconds": 600,
            "scaleOutCooldownSeconds": 30,
            "healthCheckGracePeriodSeconds": 120,
        },
        upstream_exports=upstream(),
    )
    td = plan.one(TASK_DEF).inputs
    assert (td["cpu"], td["memory"], td["runtimePlatform"]["cpuArchitecture"]) == ("512", "1024", "ARM64")
    svc = plan.one(SERVICE).inputs
    assert (svc["desiredCount"], svc["healthCheckGracePeriodSeconds"]) == (4, 120)
    target = plan.one(TARGET).inputs
    assert (target["minCapacity"], target["maxCapacity"]) == (2, 12)
    tracking = plan.one(POLICY).inputs["targetTrackingScalingPolicyConfiguration"]
    assert (tracking["targetValue"], tracking["scaleInCooldown"], tracking["scaleOutCooldown"]) == (45, 600, 30)
    assert plan.one("aws:cloudwatch/logGroup:LogGroup").inputs["retentionInDays"] == 7


def test_dev_runs_the_production_shape_3_tasks_scaling_3_to_10(run_layer) -> None:
    plan = run_layer("compute", "dev")
    assert plan.one(SERVICE).inputs["desiredCount"] == 3
    target = plan.one(TARGET).inputs
    assert (target["minCapacity"], target["maxCapacity"]) == (3, 10)
    assert target["resourceId"] == "service/ecs-payments-dev/ecs-payments-api-dev"


def test_image_pinned_by_digest_is_used_as_given(run_layer) -> None:
    image = f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/team/payments-api@sha256:{'ab' * 32}"
    plan = run_layer("compute", "prod", overrides={"image": image}, upstream_exports=upstream())
    assert container(plan.one(TASK_DEF).inputs)["image"] == image
