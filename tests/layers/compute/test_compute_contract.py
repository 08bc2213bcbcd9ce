"""The compute layer's exports, tags and names, and its place in the full offline plan."""

from __future__ import annotations

import json
import re

import pytest

from ops.plan.platform import LayerPlan
from shared.aws_schema import is_taggable
from shared.contracts.compute import ComputeContract
from shared.contracts.data import DataContract
from shared.contracts.edge import EdgeContract
from shared.contracts.network import NetworkContract
from tests.layers.compute.compute_helpers import upstream

EXPECTED_TYPES = {
    "aws:appautoscaling/policy:Policy": 1,
    "aws:appautoscaling/target:Target": 1,
    "aws:cloudwatch/dashboard:Dashboard": 1,
    "aws:cloudwatch/logGroup:LogGroup": 1,
    "aws:cloudwatch/logSubscriptionFilter:LogSubscriptionFilter": 1,
    "aws:cloudwatch/metricAlarm:MetricAlarm": 3,
    "aws:ecs/cluster:Cluster": 1,
    "aws:ecs/service:Service": 1,
    "aws:ecs/taskDefinition:TaskDefinition": 1,
    "aws:iam/role:Role": 2,
    "aws:iam/rolePolicy:RolePolicy": 1,
    "aws:kms/alias:Alias": 1,
    "aws:kms/key:Key": 1,
}


@pytest.fixture(params=["prod", "dev"])
def plan(request, run_layer) -> LayerPlan:
    return run_layer("compute", request.param, upstream_exports=upstream())


def env_of(plan: LayerPlan) -> str:
    return plan.one("aws:ecs/cluster:Cluster").inputs["name"].rsplit("-", 1)[1]


def test_exports_are_exactly_the_compute_contract(plan: LayerPlan) -> None:
    assert list(plan.exports) == list(ComputeContract.names())
    env = env_of(plan)
    assert plan.exports["cluster_name"] == f"ecs-payments-{env}"
    assert plan.exports["service_name"] == f"ecs-payments-api-{env}"
    assert plan.exports["log_group_name"] == f"log-payments-api-{env}"
    assert plan.exports["cluster_arn"] == f"(known after apply: ecs-payments-{env}.arn)"
    assert plan.exports["task_definition_arn"] == f"(known after apply: task-payments-api-{env}.arn)"
    assert plan.exports["log_group_arn"] == f"(known after apply: log-payments-api-{env}.arn)"
    assert plan.secret_exports == ()


def test_reads_network_data_and_edge_of_the_same_environment_through_their_contracts(plan: LayerPlan) -> None:
    env = env_of(plan)
    refs = {r.name: r.inputs["name"] for r in plan.by_type("pulumi:pulumi:StackReference")}
    assert refs == {f"stackref-{layer}-{env}": f"organization/{layer}/{env}" for layer in ("network", "data", "edge")}
    assert {NetworkContract.LAYER, DataContract.LAYER, EdgeContract.LAYER} == {"network", "data", "edge"}


def test_builds_exactly_the_expected_cloud_resources(plan: LayerPlan) -> None:
    counts: dict[str, int] = {}
    for r in plan.custom_resources():
        counts[r.type] = counts.get(r.type, 0) + 1
    assert counts == EXPECTED_TYPES


def test_every_taggable_resource_carries_the_standard_tags(plan: LayerPlan) -> None:
    env = env_of(plan)
    expected = {
        "Environment": {"prod": "production", "dev": "development"}[env],
        "Layer": "compute",
        "ManagedBy": "pulumi",
        "Project": "payments",
    }
    taggable = [r for r in plan.custom_resources() if is_taggable(r.type)]
    assert {r.type for r in taggable} == set(EXPECTED_TYPES) - {
        "aws:iam/rolePolicy:RolePolicy",
        "aws:kms/alias:Alias",
        "aws:appautoscaling/policy:Policy",
        "aws:cloudwatch/dashboard:Dashboard",
        "aws:cloudwatch/logSubscriptionFilter:LogSubscriptionFilter",
    }
    for r in taggable:
        assert r.inputs.get("tags") == expected, r.name


def test_every_name_ends_with_the_environment(plan: LayerPlan) -> None:
    env = env_of(plan)
    for r in plan.resources:
        if r.type == "pulumi:pulumi:StackReference":
            continue
        assert r.name.endswith(f"-{env}"), r.name
        for key in ("name", "family"):
            if key in r.inputs and r.type != "aws:kms/alias:Alias":
                assert r.inputs[key].endswith(f"-{env}"), (r.name, key)
    alias = plan.one("aws:kms/alias:Alias").inputs["name"]
    assert re.fullmatch(rf"alias/kms-payments-api-logs-{env}", alias)


def test_the_plan_is_deterministic(run_layer) -> None:
    first = run_layer("compute", "prod", upstream_exports=upstream())
    second = run_layer("compute", "prod", upstream_exports=upstream(), fresh=True)
    # Registration order follows when inputs resolve, so compare resource by resource.
    assert sorted((r.type, r.name, json.dumps(r.inputs, sort_keys=True)) for r in first.resources) == sorted(
        (r.type, r.name, json.dumps(r.inputs, sort_keys=True)) for r in second.resources
    )


def test_prod_plan_has_all_four_layers_with_3_tasks_behind_the_target_group_scaling_3_to_10(platform_plan) -> None:
    plan = platform_plan("prod")
    statuses = {lp.layer: (lp.status, lp.error) for lp in plan.layers}
    assert statuses == {name: ("planned", None) for name in ("network", "data", "edge", "compute")}
    compute, edge, data, network = (plan.layer(n) for n in ("compute", "edge", "data", "network"))
    service = compute.one("aws:ecs/service:Service").inputs
    assert service["desiredCount"] == 3
    assert service["loadBalancers"][0]["targetGroupArn"] == edge.exports["target_group_arn"]
    assert service["loadBalancers"][0]["containerPort"] == 3000
    assert service["networkConfiguration"]["subnets"] == network.exports["private_subnet_ids"]
    assert service["networkConfiguration"]["securityGroups"] == [network.exports["app_security_group_id"]]
    target = compute.one("aws:appautoscaling/target:Target").inputs
    assert (target["minCapacity"], target["maxCapacity"]) == (3, 10)
    exec_policy = compute.named("policy-payments-exec-prod").inputs["policy"]
    assert data.exports["db_secret_arn"] in exec_policy
    assert list(compute.exports) == list(ComputeContract.names())
