"""An environment's account facts: read from every layer's stack config, the same in each, and entered."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from unittest import mock

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from ops.aws import AwsClients
from ops.bootstrap.accounts import AccountGuardError, enter_account
from ops.environment.account import AccountConfigError, EnvironmentAccount, environment_account
from ops.environment.environment import Environment
from shared.layers import LAYER_NAMES

REGION = "ap-northeast-2"
ACCOUNT = "123456789012"  # moto's default account
ROLE_ACCOUNT = "111122223333"
ROLE = f"arn:aws:iam::{ROLE_ACCOUNT}:role/deploy"
PROJECT = """name: {layer}
runtime: python
config:
  service: {{type: string, default: payments}}
  allowedAccountIds: {{type: array, items: {{type: string}}, default: []}}
  assumeRoleArn: {{type: string, default: ""}}
  size: {{type: string, default: small}}
"""


@pytest.fixture
def projects(tmp_path: Path) -> Path:
    """Four layers declaring the account keys beside one of their own, all with a prod stack file."""
    for layer in LAYER_NAMES:
        (tmp_path / layer).mkdir()
        (tmp_path / layer / "__main__.py").write_text("")
        (tmp_path / layer / "Pulumi.yaml").write_text(PROJECT.format(layer=layer))
        _stack(tmp_path, layer)
    return tmp_path


def _stack(projects: Path, layer: str, *lines: str) -> None:
    body = "".join(f"  {line}\n" for line in (f"aws:region: {REGION}", *lines))
    (projects / layer / "Pulumi.prod.yaml").write_text(f"config:\n{body}")


def test_the_facts_every_layer_states_alike_are_read_without_the_layers_own_keys(projects: Path) -> None:
    for layer in LAYER_NAMES:
        # A layer's own key (unknown to the base settings) does not stand in the way.
        _stack(projects, layer, f"{layer}:allowedAccountIds: ['{ROLE_ACCOUNT}']", f"{layer}:assumeRoleArn: {ROLE}")
    assert environment_account(Environment.load("prod", projects)) == EnvironmentAccount(
        env="prod", service="payments", region=REGION, allowed_account_ids=(ROLE_ACCOUNT,), assume_role_arn=ROLE
    )


def test_layers_that_disagree_are_named_key_by_key(projects: Path) -> None:
    # (Layers naming different services are refused earlier, when the environment is loaded.)
    _stack(projects, "data", f"data:assumeRoleArn: {ROLE}")
    _stack(projects, "edge", f"edge:allowedAccountIds: ['{ROLE_ACCOUNT}']")
    with pytest.raises(AccountConfigError) as e:
        environment_account(Environment.load("prod", projects))
    same = "expected the same value in every layer of prod (an environment lives in one account and region)"
    assert str(e.value).splitlines() == [
        'network:allowedAccountIds = [], data:allowedAccountIds = [], edge:allowedAccountIds = ["111122223333"], '
        f"compute:allowedAccountIds = []: {same}",
        f"network:assumeRoleArn = '', data:assumeRoleArn = '{ROLE}', edge:assumeRoleArn = '', "
        f"compute:assumeRoleArn = '': {same}",
    ]


def test_a_bad_account_id_is_one_line_naming_the_key_and_the_value(projects: Path) -> None:
    _stack(projects, "network", "network:allowedAccountIds: ['12345']")
    with pytest.raises(AccountConfigError) as e:
        environment_account(Environment.load("prod", projects))
    assert str(e.value) == (
        'config of network/prod: network:allowedAccountIds = ["12345"] is invalid: expected 12-digit AWS account '
        "ids, e.g. 123456789012; '12345' is not"
    )


@pytest.fixture
def aws() -> Iterator[AwsClients]:
    fake = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_SESSION_TOKEN": "testing"}
    with mock.patch.dict(os.environ, fake), mock_aws():
        yield AwsClients(REGION, session=boto3.Session())


def _account(**facts: object) -> EnvironmentAccount:
    return EnvironmentAccount(**{"env": "prod", "service": "payments", "region": REGION, **facts})  # type: ignore[arg-type]


def test_entering_an_account_assumes_the_role_and_names_the_session(aws: AwsClients) -> None:
    inside = enter_account(aws, _account(allowed_account_ids=(ROLE_ACCOUNT,), assume_role_arn=ROLE), "preflight")
    identity = inside.client("sts").get_caller_identity()
    assert identity["Account"] == ROLE_ACCOUNT
    assert identity["Arn"] == f"arn:aws:sts::{ROLE_ACCOUNT}:assumed-role/deploy/preflight-payments-prod"


def test_entering_without_a_role_keeps_the_callers_credentials_and_checks_them(aws: AwsClients) -> None:
    assert enter_account(aws, _account(), "dns") is aws
    with pytest.raises(AccountGuardError, match=f"^these credentials are account {ACCOUNT}, prod belongs to"):
        enter_account(aws, _account(allowed_account_ids=(ROLE_ACCOUNT,)), "dns")


def test_a_role_that_cannot_be_assumed_is_one_line() -> None:
    class Refusing:
        def assume_role(self, role_arn: str, session_name: str) -> AwsClients:
            raise ClientError(
                {"Error": {"Code": "AccessDenied", "Message": "not authorized to perform sts:AssumeRole"}},
                "AssumeRole",
            )

    with pytest.raises(AccountGuardError) as e:
        enter_account(Refusing(), _account(assume_role_arn=ROLE), "bootstrap")  # type: ignore[arg-type]
    assert str(e.value) == (
        f"cannot assume {ROLE} (assumeRoleArn of prod) with these credentials: AWS said AccessDenied: "
        "not authorized to perform sts:AssumeRole"
    )
