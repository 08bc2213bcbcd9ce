"""`invoke bootstrap` in-process against moto: what it prints, its exit codes, and the account guard."""

from __future__ import annotations

import os
from collections.abc import Iterator
from unittest import mock

import boto3
import pytest
from botocore.exceptions import ClientError
from invoke.context import Context
from invoke.exceptions import Exit
from moto import mock_aws

import ops.bootstrap.state_backend as state_backend
import ops.environment.account as account_module
from ops.cli.bootstrap import bootstrap
from ops.environment.account import EnvironmentAccount

REGION = "ap-northeast-2"
ACCOUNT = "123456789012"  # moto's default account
ROLE_ACCOUNT = "111122223333"
ROLE = f"arn:aws:iam::{ROLE_ACCOUNT}:role/deploy"
OTHER_ACCOUNT = "210987654321"
FAKE = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "GITHUB_REPOSITORY": "acme/payments-infra",
}


@pytest.fixture
def aws() -> Iterator[boto3.Session]:
    with mock.patch.dict(os.environ, FAKE), mock_aws():
        yield boto3.Session(region_name=REGION)


def _buckets(session: boto3.Session) -> list[str]:
    return [b["Name"] for b in session.client("s3").list_buckets()["Buckets"]]


def _stacks_say(monkeypatch: pytest.MonkeyPatch, **facts: object) -> None:
    """The environment's stack config names these account facts (instead of the repository's prod files)."""
    account = EnvironmentAccount(**{"env": "prod", "service": "payments", "region": REGION, **facts})  # type: ignore[arg-type]
    monkeypatch.setattr(account_module, "environment_account", lambda env: account)


def test_prod_backend_is_created_in_the_stack_region_and_the_exports_are_printed(
    aws: boto3.Session, capsys: pytest.CaptureFixture[str]
) -> None:
    bootstrap(Context(), env="prod")
    bucket = f"pulumi-state-payments-prod-{ACCOUNT}"
    assert _buckets(aws) == [bucket]
    assert aws.client("s3").get_bucket_location(Bucket=bucket)["LocationConstraint"] == REGION
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith(f"created S3 bucket {bucket} in {REGION} (versioned, SSE-KMS")
    assert out[-2:] == [
        f"export PULUMI_BACKEND_URL='s3://{bucket}?region={REGION}'",
        f"export PAYMENTS_SECRETS_PROVIDER='awskms://alias/pulumi-payments-prod?region={REGION}'",
    ]


def test_a_second_run_says_nothing_changed_and_prints_the_same_exports(
    aws: boto3.Session, capsys: pytest.CaptureFixture[str]
) -> None:
    bootstrap(Context(), env="prod")
    first = capsys.readouterr().out.splitlines()
    bootstrap(Context(), env="prod")
    second = capsys.readouterr().out.splitlines()
    assert second[0] == (
        f"nothing to change: s3://pulumi-state-payments-prod-{ACCOUNT} and alias/pulumi-payments-prod are already "
        "set up"
    )
    assert second[-2:] == first[-2:]


def test_credentials_of_another_account_are_refused_before_anything_is_created(
    aws: boto3.Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    _stacks_say(monkeypatch, allowed_account_ids=(ROLE_ACCOUNT,))
    with pytest.raises(Exit) as e:
        bootstrap(Context(), env="prod")
    assert (e.value.code, e.value.message) == (
        1,
        f"these credentials are account {ACCOUNT}, prod belongs to {ROLE_ACCOUNT}",
    )
    assert _buckets(aws) == []


def test_a_role_in_another_account_is_refused_because_the_cli_could_not_reach_that_backend(
    aws: boto3.Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The Pulumi CLI opens s3:// and awskms:// with these credentials (account 123456789012), never
    # with the stacks' role: a backend in the role's account would be unreadable to it.
    _stacks_say(monkeypatch, allowed_account_ids=(ROLE_ACCOUNT,), assume_role_arn=ROLE)
    with pytest.raises(Exit) as e:
        bootstrap(Context(), env="prod")
    assert e.value.code == 1
    assert e.value.message == (
        f"bootstrap of prod refused: its backend would be in account {ROLE_ACCOUNT} (the account of the stacks' "
        f"assumeRoleArn), but these credentials are account {ACCOUNT}, and the Pulumi CLI opens the s3:// backend "
        "and the awskms:// key with them, not with the role; run bootstrap and Pulumi with credentials of "
        f"{ROLE_ACCOUNT} (e.g. an AWS_PROFILE that assumes the role) - nothing was created"
    )
    credentials = aws.client("sts").assume_role(RoleArn=ROLE, RoleSessionName="test")["Credentials"]
    in_role_account = boto3.Session(
        aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretAccessKey"],
        aws_session_token=credentials["SessionToken"],
        region_name=REGION,
    )
    assert _buckets(in_role_account) == [] and _buckets(aws) == []
    aliases = in_role_account.client("kms").list_aliases()["Aliases"]
    assert [a["AliasName"] for a in aliases if a["AliasName"].startswith("alias/pulumi-")] == []


def test_a_role_in_the_callers_own_account_builds_the_backend_as_that_role(
    aws: boto3.Session, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    same_account_role = f"arn:aws:iam::{ACCOUNT}:role/deploy"
    _stacks_say(monkeypatch, allowed_account_ids=(ACCOUNT,), assume_role_arn=same_account_role)
    bootstrap(Context(), env="prod")
    assert _buckets(aws) == [f"pulumi-state-payments-prod-{ACCOUNT}"]
    assert f"s3://pulumi-state-payments-prod-{ACCOUNT}?region={REGION}" in capsys.readouterr().out


def test_a_bucket_name_taken_elsewhere_is_one_line_and_exit_one(aws: boto3.Session) -> None:
    with mock.patch.dict(os.environ, {"MOTO_ACCOUNT_ID": OTHER_ACCOUNT}):
        aws.client("s3").create_bucket(
            Bucket=f"pulumi-state-payments-prod-{ACCOUNT}", CreateBucketConfiguration={"LocationConstraint": REGION}
        )
    with pytest.raises(Exit) as e:
        bootstrap(Context(), env="prod")
    assert e.value.code == 1
    assert e.value.message == (
        f"the S3 bucket name pulumi-state-payments-prod-{ACCOUNT} is taken by another AWS account: nothing was created"
    )


def test_an_aws_refusal_the_backend_steps_do_not_explain_is_one_line(
    aws: boto3.Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(**kwargs: object) -> None:
        raise ClientError({"Error": {"Code": "AccessDenied", "Message": "not allowed"}}, "CreateBucket")

    monkeypatch.setattr(state_backend, "bootstrap_state_backend", refuse)
    with pytest.raises(Exit) as e:
        bootstrap(Context(), env="prod")
    assert (e.value.code, e.value.message) == (
        1,
        "bootstrap of prod stopped: AWS said AccessDenied: not allowed; run it again once fixed",
    )


def test_an_unknown_environment_is_one_line_and_exit_two() -> None:
    with pytest.raises(Exit) as e:
        bootstrap(Context(), env="staging")
    assert e.value.code == 2 and str(e.value.message).startswith("unknown environment 'staging'")
