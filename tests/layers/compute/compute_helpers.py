"""Realistic upstream exports and small readers shared by the compute layer's tests."""

from __future__ import annotations

import json
from typing import Any

from shared.contracts.data import DataContract
from shared.contracts.edge import EdgeContract
from shared.contracts.network import NetworkContract

ACCOUNT = "123456789012"
REGION = "ap-northeast-2"
IMAGE = f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/payments-api:1.0.0"
REPOSITORY_ARN = f"arn:aws:ecr:{REGION}:{ACCOUNT}:repository/payments-api"
SECRET_ARN = f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:payments/prod/db-AbCdEf"
SECRET_KEY_ARN = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
DB_ADDRESS = f"rds-payments-prod.c9akciq32.{REGION}.rds.amazonaws.com"
TARGET_GROUP_ARN = f"arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT}:targetgroup/tg-payments-prod/0123456789abcdef"
PRIVATE_SUBNETS = ["subnet-0aaaaaaaaaaaaaaa1", "subnet-0ccccccccccccccc2"]
APP_SG = "sg-0app0000000000001"
LOG_GROUP = "log-payments-api-prod"
LOG_GROUP_ARN = f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:{LOG_GROUP}"


def upstream(*, secret_kms_key_arn: str = SECRET_KEY_ARN) -> dict[str, dict[str, Any]]:
    """Every upstream export, with the values compute uses set to what AWS would return."""

    def full(contract: type, values: dict[str, Any]) -> dict[str, Any]:
        out = {name: f"stand-in-{contract.LAYER}-{name}" for name in contract.names()}
        out.update(values)
        assert set(out) == set(contract.names())
        return out

    return {
        "network": full(
            NetworkContract,
            {
                "availability_zones": [f"{REGION}a", f"{REGION}c"],
                "private_subnet_ids": PRIVATE_SUBNETS,
                "public_subnet_ids": ["subnet-0bbbbbbbbbbbbbbb1", "subnet-0ddddddddddddddd2"],
                "nat_public_ips": ["203.0.113.10", "203.0.113.11"],
                "app_security_group_id": APP_SG,
                "vpc_cidr": "10.10.0.0/16",
            },
        ),
        "data": full(
            DataContract,
            {
                "db_address": DB_ADDRESS,
                "db_port": 5432,
                "db_endpoint": f"{DB_ADDRESS}:5432",
                "db_name": "payments",
                "db_secret_arn": SECRET_ARN,
                "db_secret_kms_key_arn": secret_kms_key_arn,
            },
        ),
        "edge": full(EdgeContract, {"target_group_arn": TARGET_GROUP_ARN, "name_servers": []}),
    }


def statements(document: str) -> list[dict[str, Any]]:
    """The statements of a policy document, each checked to carry a Sid and an Effect."""
    doc = json.loads(document)
    assert doc["Version"] == "2012-10-17"
    for s in doc["Statement"]:
        assert s["Sid"] and s["Effect"] in ("Allow", "Deny"), s
    return list(doc["Statement"])


def as_list(value: str | list[str]) -> list[str]:
    """IAM allows a string or a list for Action and Resource."""
    return [value] if isinstance(value, str) else list(value)


def container(task_definition_inputs: dict[str, Any]) -> dict[str, Any]:
    """The single container of a planned task definition."""
    (only,) = json.loads(task_definition_inputs["containerDefinitions"])
    return only
