"""Proof with AWS's rules enforced (moto's IAM authorization on S3): a layer's role writes its own state only.

A new environment is bootstrapped (state bucket, key, every deploy role, from the real prod plan),
then moto starts authorizing every request against the caller's IAM policies
(`moto.core.enable_iam_authentication`, the in-process form of `INITIAL_NO_AUTH_ACTION_COUNT`;
moto's documentation, "IAM-like Access Control"). The network team's credentials are a session
of network's deploy role. moto evaluates only `StringEquals` conditions, so these tests judge the
state statements (which have none), not the tag-scoped ones.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any
from unittest import mock

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws
from moto.core import enable_iam_authentication

from ops.aws import AwsClients
from ops.bootstrap.deploy_roles import bootstrap_roles
from ops.bootstrap.state_backend import bootstrap_state_backend
from ops.environment.environment import Environment
from ops.plan.platform import plan_platform
from ops.roles.derive import AccountScope
from ops.roles.roles import StateBackend, environment_roles
from ops.stacks.layer_access import check_layer_access
from tests.moto_tls import requests_over_tls

REGION = "ap-northeast-2"
ACCOUNT = "123456789012"  # moto's default account
FAKE = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_SESSION_TOKEN": "testing"}
BACKEND = f"s3://pulumi-state-payments-prod-{ACCOUNT}?region={REGION}"


@pytest.fixture(scope="module")
def bootstrapped() -> Iterator[tuple[boto3.Session, str]]:
    """moto with prod bootstrapped by an administrator: (the admin's session, the state bucket).

    Built once for the module: the tests only read it, or write their own layer's state.
    """
    with mock.patch.dict(os.environ, FAKE), mock_aws(), requests_over_tls():
        plan = plan_platform(Environment.load("prod"))
        admin = boto3.Session(region_name=REGION)
        backend = bootstrap_state_backend(service="payments", env="prod", region=REGION, session=admin)
        scope = AccountScope("prod", "payments", ACCOUNT, REGION, environment=Environment.load("prod"))
        roles = environment_roles(
            plan, scope, StateBackend(backend.names.bucket, backend.key_arn), "acme/payments-infra"
        )
        bootstrap_roles(
            iam=admin.client("iam"),
            s3=admin.client("s3"),
            roles=roles,
            bucket=backend.names.bucket,
            partition="aws",
            account=ACCOUNT,
            tags={"ManagedBy": "invoke-bootstrap"},
        )
        for layer in ("network", "data"):  # what earlier deploys left
            admin.client("s3").put_object(
                Bucket=backend.names.bucket, Key=f".pulumi/stacks/{layer}/prod.json", Body=b"{}"
            )
        yield admin, backend.names.bucket


def _team(admin: boto3.Session, layer: str) -> boto3.Session:
    """A session of `layer`'s deploy role, as its CI job gets one."""
    creds = admin.client("sts").assume_role(
        RoleArn=f"arn:aws:iam::{ACCOUNT}:role/payments-{layer}-deploy-prod", RoleSessionName=f"ci-{layer}"
    )["Credentials"]
    return boto3.Session(
        aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds["SessionToken"],
        region_name=REGION,
    )


def _refused(call: Any) -> str:
    with pytest.raises(ClientError) as e:
        call()
    return str(e.value.response["Error"]["Code"])


def test_the_network_team_writes_networks_state_and_is_refused_datas(bootstrapped):
    admin, bucket = bootstrapped
    network = _team(admin, "network").client("s3")
    with enable_iam_authentication():
        network.put_object(Bucket=bucket, Key=".pulumi/stacks/network/prod.json", Body=b'{"version": 3}')
        network.put_object(Bucket=bucket, Key=".pulumi/history/network/prod/prod-1.history.json", Body=b"{}")
        network.put_object(Bucket=bucket, Key=".pulumi/locks/organization/network/prod/abc.json", Body=b"{}")
        network.delete_object(Bucket=bucket, Key=".pulumi/locks/organization/network/prod/abc.json")
        assert network.get_object(Bucket=bucket, Key=".pulumi/meta.yaml")["Body"].read() == b"version: 1\n"

        assert _refused(lambda: network.put_object(Bucket=bucket, Key=".pulumi/stacks/data/prod.json", Body=b"{}")) == (
            "AccessDenied"
        )
        assert (
            _refused(lambda: network.get_object(Bucket=bucket, Key=".pulumi/stacks/data/prod.json")) == "AccessDenied"
        )
        lock = ".pulumi/locks/organization/data/prod/x.json"
        assert _refused(lambda: network.put_object(Bucket=bucket, Key=lock, Body=b"{}")) == "AccessDenied"
        assert _refused(lambda: network.put_object(Bucket=bucket, Key=".pulumi/meta.yaml", Body=b"")) == "AccessDenied"
    assert admin.client("s3").get_object(Bucket=bucket, Key=".pulumi/stacks/data/prod.json")["Body"].read() == b"{}"


def test_a_layer_reads_the_stacks_it_consumes_and_never_writes_them(bootstrapped):
    admin, bucket = bootstrapped
    data = _team(admin, "data").client("s3")
    network_stack = admin.client("s3").get_object(Bucket=bucket, Key=".pulumi/stacks/network/prod.json")
    with enable_iam_authentication():
        read = data.get_object(Bucket=bucket, Key=".pulumi/stacks/network/prod.json")["Body"].read()
        assert read == network_stack["Body"].read()
        assert _refused(lambda: data.put_object(Bucket=bucket, Key=".pulumi/stacks/network/prod.json", Body=b"")) == (
            "AccessDenied"
        )
        data.put_object(Bucket=bucket, Key=".pulumi/stacks/data/prod.json", Body=b'{"version": 3}')


def test_preflight_lets_the_owner_deploy_and_stops_another_team_naming_the_owner(bootstrapped):
    admin, bucket = bootstrapped
    network = AwsClients(REGION, session=_team(admin, "network"))
    with enable_iam_authentication():
        own = check_layer_access(network, layer="network", env="prod", service="payments", backend_url=BACKEND)
        other = check_layer_access(network, layer="data", env="prod", service="payments", backend_url=BACKEND)
    assert own is None
    assert other is not None and "\n" not in other
    assert other.startswith(
        f"data is owned by @payments/data: arn:aws:sts::{ACCOUNT}:assumed-role/payments-network-deploy-prod/ci-network "
        f"may not write its state in s3://{bucket} and may not assume payments-data-deploy-prod"
    )
    assert other.endswith(
        f"deploy it from the GitHub environment prod-data or as arn:aws:iam::{ACCOUNT}:role/payments-data-deploy-prod, "
        "or ask @payments/data"
    )
    keys = [o["Key"] for o in admin.client("s3").list_objects_v2(Bucket=bucket).get("Contents", [])]
    assert not [k for k in keys if "preflight" in k], "the write check leaves nothing behind"
