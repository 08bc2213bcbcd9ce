"""The account guard against moto's STS, and the refusal of a local backend for a protected environment."""

from __future__ import annotations

import os
from unittest import mock

import boto3
import pytest
from botocore.exceptions import NoCredentialsError
from moto import mock_aws

from ops.bootstrap.accounts import check_account
from ops.bootstrap.local_backend import check_team_backend

MOTO_ACCOUNT = "123456789012"  # what moto's STS answers
FAKE = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_SESSION_TOKEN": "testing"}


@pytest.fixture
def sts():
    with mock.patch.dict(os.environ, FAKE), mock_aws():
        yield boto3.client("sts", region_name="ap-northeast-2")


def test_credentials_of_an_allowed_account_pass(sts):
    assert check_account(sts, "prod", ["111122223333", MOTO_ACCOUNT]) is None


def test_a_stack_that_names_no_account_accepts_any(sts):
    assert check_account(sts, "prod", []) is None


def test_credentials_of_another_account_name_both_accounts(sts):
    assert check_account(sts, "prod", ["111122223333"]) == (
        "these credentials are account 123456789012, prod belongs to 111122223333"
    )
    assert check_account(sts, "prod", ["111122223333", "444455556666"]) == (
        "these credentials are account 123456789012, prod belongs to 111122223333 or 444455556666"
    )


def test_no_credentials_at_all_is_one_line():
    class NoCredentials:
        def get_caller_identity(self):
            raise NoCredentialsError()

    assert check_account(NoCredentials(), "prod", ["111122223333"]) == (
        "cannot tell which AWS account these credentials belong to: Unable to locate credentials"
    )


@pytest.mark.parametrize("url", ["", "file://~/.pulumi-payments", "file:///var/pulumi"])
def test_prod_refuses_a_local_backend(url):
    environ = {"PULUMI_BACKEND_URL": url} if url else {}
    where = url or "the local file backend (PULUMI_BACKEND_URL is unset)"
    assert check_team_backend("prod", environ) == (
        f"prod state must not live on this machine ({where}): run `invoke bootstrap --env prod` and export "
        "the PULUMI_BACKEND_URL it prints, or set PAYMENTS_ALLOW_LOCAL_BACKEND=1 if you really mean a local backend"
    )


def test_prod_accepts_a_team_backend():
    assert (
        check_team_backend("prod", {"PULUMI_BACKEND_URL": "s3://pulumi-state-payments-prod-1?region=ap-northeast-2"})
        is None
    )
    assert check_team_backend("prod", {"PULUMI_BACKEND_URL": "https://api.pulumi.com"}) is None


def test_the_variable_allows_a_local_backend_for_someone_who_means_it():
    assert check_team_backend("prod", {"PAYMENTS_ALLOW_LOCAL_BACKEND": "1"}) is None
    assert check_team_backend("prod", {"PAYMENTS_ALLOW_LOCAL_BACKEND": "yes"}) is not None  # only 1 allows it


def test_unprotected_environments_may_use_a_local_backend():
    assert check_team_backend("dev", {}) is None
    assert check_team_backend("pr42", {"PULUMI_BACKEND_URL": "file://~/.pulumi-payments"}) is None
