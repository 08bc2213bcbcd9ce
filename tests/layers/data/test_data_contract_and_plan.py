"""The data contract, tags and names, and the data layer inside the offline platform plan."""

import re

import pytest

from ops.plan.mock_engine import DEFAULT_DB_SECRET
from shared.aws_schema import is_taggable
from shared.contracts.data import DataContract
from shared.contracts.network import NetworkContract
from shared.layers import get_layer
from shared.plan_values import computed
from shared.tags import environment_label
from tests.layers.data.data_helpers import INSTANCE


def test_exports_are_exactly_the_data_contract(prod_plan, dev_plan):
    assert list(prod_plan.exports) == list(DataContract.names())
    assert list(dev_plan.exports) == list(DataContract.names())
    assert DataContract.secret_names() == ()
    assert not any("password" in name for name in DataContract.names())


def test_exports_carry_the_database_coordinates(prod_plan):
    assert prod_plan.exports == {
        "db_endpoint": computed("rds-payments-prod", "endpoint"),
        "db_address": computed("rds-payments-prod", "address"),
        "db_port": 5432,
        "db_name": "payments",
        "db_instance_identifier": "rds-payments-prod",
        "db_instance_class": "db.t3.micro",
        "db_log_group_name": "/aws/rds/instance/rds-payments-prod/postgresql",
        "db_secret_arn": "arn:aws:secretsmanager:ap-northeast-2:123456789012:secret:payments/prod/db-master-AbCdEf",
        "db_secret_kms_key_arn": "",
        "db_kms_key_arn": computed("kms-payments-data-prod", "arn"),
    }


@pytest.mark.parametrize("env", ["prod", "dev"])
def test_every_taggable_resource_carries_the_four_tags(run_layer, env):
    plan = run_layer("data", env)
    taggable = [r for r in plan.custom_resources() if is_taggable(r.type)]
    assert {r.type for r in taggable} == {
        "aws:cloudwatch/logGroup:LogGroup",
        "aws:cloudwatch/metricAlarm:MetricAlarm",
        "aws:kms/key:Key",
        "aws:rds/instance:Instance",
        "aws:rds/parameterGroup:ParameterGroup",
        "aws:rds/subnetGroup:SubnetGroup",
    }
    for r in taggable:
        assert r.inputs["tags"] == {
            "Environment": environment_label(env),
            "Layer": "data",
            "ManagedBy": "pulumi",
            "Project": "payments",
        }, r.name


@pytest.mark.parametrize("env", ["prod", "dev"])
def test_every_name_carries_the_environment(run_layer, env):
    plan = run_layer("data", env)
    for r in plan.custom_resources():
        assert r.name.endswith(f"-{env}"), r.name
        physical = r.inputs.get("name") or r.inputs.get("identifier")
        if physical:
            assert re.search(rf"-{env}(/|$)", physical), physical


def test_network_contract_is_read_through_a_stack_reference(prod_plan):
    (ref,) = prod_plan.by_type("pulumi:pulumi:StackReference")
    assert ref.inputs["name"] == "organization/network/prod"
    assert set(NetworkContract.names()) >= {"private_subnet_ids", "db_security_group_id"}


@pytest.mark.parametrize("env", ["prod", "dev"])
def test_offline_plan_runs_network_then_data(platform_plan, env):
    plan = platform_plan(env)
    order = [lp.layer for lp in plan.layers]
    assert order.index("network") < order.index("data")
    assert get_layer("data").depends_on == ("network",)
    data = plan.layer("data")
    assert plan.layer("network").status == "planned"
    assert data.status == "planned", data.error
    assert list(data.exports) == list(DataContract.names())


def test_offline_plan_wires_the_real_network_exports_into_the_database(platform_plan):
    plan = platform_plan("prod")
    network, data = plan.layer("network"), plan.layer("data")
    group = data.one("aws:rds/subnetGroup:SubnetGroup").inputs
    assert group["subnetIds"] == network.exports["private_subnet_ids"]
    assert group["subnetIds"] == [
        computed("subnet-payments-private-ap-northeast-2a-prod", "id"),
        computed("subnet-payments-private-ap-northeast-2c-prod", "id"),
    ]
    db = data.one(INSTANCE).inputs
    assert db["vpcSecurityGroupIds"] == [network.exports["db_security_group_id"]]
    assert db["vpcSecurityGroupIds"] == [computed("sg-payments-db-prod", "id")]


def test_offline_plan_shows_prod_protected_and_dev_disposable(platform_plan):
    prod = platform_plan("prod").layer("data").one(INSTANCE).inputs
    dev = platform_plan("dev").layer("data").one(INSTANCE).inputs
    assert (prod["multiAz"], prod["storageEncrypted"], prod["deletionProtection"]) == (True, True, True)
    assert prod["kmsKeyId"] == computed("kms-payments-data-prod", "arn")
    assert prod["finalSnapshotIdentifier"] == "snapshot-payments-final-prod"
    assert (dev["deletionProtection"], dev["skipFinalSnapshot"]) == (False, True)
    assert "finalSnapshotIdentifier" not in dev


def test_offline_plan_json_never_contains_the_password(platform_plan):
    import json

    password = json.loads(DEFAULT_DB_SECRET)["password"]
    for env in ("prod", "dev"):
        data = platform_plan(env).layer("data")
        assert data.one(INSTANCE).inputs["password"] == "[secret]"
        assert password not in json.dumps(platform_plan(env).to_dict(), default=str)
