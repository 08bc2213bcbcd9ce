"""The team backend against moto: what exists after a run, idempotence, and a bucket name taken elsewhere."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from unittest import mock

import boto3
import pytest
from botocore.client import BaseClient
from botocore.exceptions import ClientError
from moto import mock_aws

from ops.bootstrap.state_backend import (
    PUBLIC_ACCESS_BLOCK,
    BootstrapError,
    backend_names,
    bootstrap_state_backend,
    tls_only_policy,
)

REGION = "ap-northeast-2"
ACCOUNT = "123456789012"  # moto's default account
OTHER_ACCOUNT = "210987654321"
BUCKET = f"pulumi-state-payments-prod-{ACCOUNT}"
ALIAS = "alias/pulumi-payments-prod"


@pytest.fixture
def aws() -> Iterator[boto3.Session]:
    fake = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_SESSION_TOKEN": "testing"}
    with mock.patch.dict(os.environ, fake), mock_aws():
        yield boto3.Session(region_name=REGION)


def bootstrap(session: boto3.Session, env: str = "prod"):
    return bootstrap_state_backend(service="payments", env=env, region=REGION, session=session)


def test_names_are_derived_from_service_environment_and_account():
    names = backend_names(service="payments", env="prod", account_id=ACCOUNT, region=REGION)
    assert (names.bucket, names.key_alias) == (BUCKET, ALIAS)
    assert names.backend_url == f"s3://{BUCKET}?region=ap-northeast-2"
    assert names.secrets_provider == "awskms://alias/pulumi-payments-prod?region=ap-northeast-2"
    longest = backend_names(service="a" * 12, env="b" * 10, account_id=ACCOUNT, region=REGION)
    assert len(longest.bucket) <= 63  # the S3 limit


def test_the_bucket_is_versioned_kms_encrypted_tls_only_private_and_without_acls(aws):
    result = bootstrap(aws)
    s3 = aws.client("s3")
    assert s3.get_bucket_location(Bucket=BUCKET)["LocationConstraint"] == REGION
    assert s3.get_bucket_versioning(Bucket=BUCKET)["Status"] == "Enabled"
    (rule,) = s3.get_bucket_encryption(Bucket=BUCKET)["ServerSideEncryptionConfiguration"]["Rules"]
    assert rule["ApplyServerSideEncryptionByDefault"] == {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": result.key_arn}
    assert rule["BucketKeyEnabled"] is True
    assert s3.get_public_access_block(Bucket=BUCKET)["PublicAccessBlockConfiguration"] == PUBLIC_ACCESS_BLOCK
    assert all(PUBLIC_ACCESS_BLOCK.values()) and len(PUBLIC_ACCESS_BLOCK) == 4
    assert s3.get_bucket_ownership_controls(Bucket=BUCKET)["OwnershipControls"]["Rules"] == [
        {"ObjectOwnership": "BucketOwnerEnforced"}
    ]
    (deny,) = json.loads(s3.get_bucket_policy(Bucket=BUCKET)["Policy"])["Statement"]
    assert deny["Effect"] == "Deny" and deny["Principal"] == "*" and deny["Action"] == "s3:*"
    assert deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    assert deny["Resource"] == [f"arn:aws:s3:::{BUCKET}", f"arn:aws:s3:::{BUCKET}/*"]
    tags = {t["Key"]: t["Value"] for t in s3.get_bucket_tagging(Bucket=BUCKET)["TagSet"]}
    assert tags == {
        "Environment": "production",
        "Layer": "state",
        "ManagedBy": "invoke-bootstrap",
        "Project": "payments",
    }


def test_the_secrets_key_rotates_and_is_found_by_its_alias(aws):
    result = bootstrap(aws)
    kms = aws.client("kms")
    key = kms.describe_key(KeyId=ALIAS)["KeyMetadata"]
    assert key["Arn"] == result.key_arn
    assert key["KeyState"] == "Enabled" and key["KeySpec"] == "SYMMETRIC_DEFAULT"
    assert kms.get_key_rotation_status(KeyId=key["KeyId"])["KeyRotationEnabled"] is True


def test_the_run_prints_what_to_export(aws):
    result = bootstrap(aws)
    assert result.exports == (
        f"export PULUMI_BACKEND_URL='s3://{BUCKET}?region=ap-northeast-2'",
        "export PAYMENTS_SECRETS_PROVIDER='awskms://alias/pulumi-payments-prod?region=ap-northeast-2'",
    )
    assert [line.split(" ")[1] for line in result.summary().splitlines()] == ["S3", "KMS"]


def test_a_second_run_changes_nothing_and_says_so(aws):
    first = bootstrap(aws)
    second = bootstrap(aws)
    assert (second.created, second.changed) == ((), ())
    assert second.key_arn == first.key_arn
    assert second.summary() == f"nothing to change: s3://{BUCKET} and {ALIAS} are already set up"
    assert len(aws.client("kms").list_keys()["Keys"]) == 1


def test_a_drifted_bucket_and_key_are_brought_back_in_line(aws):
    result = bootstrap(aws)
    s3, kms = aws.client("s3"), aws.client("kms")
    s3.put_bucket_versioning(Bucket=BUCKET, VersioningConfiguration={"Status": "Suspended"})
    s3.delete_bucket_policy(Bucket=BUCKET)
    s3.delete_public_access_block(Bucket=BUCKET)
    kms.disable_key_rotation(KeyId=result.key_arn)

    again = bootstrap(aws)

    assert again.created == ()
    assert again.changed == (
        f"rotation of {ALIAS} (was off)",
        f"versioning of s3://{BUCKET}: on",
        f"public access block of s3://{BUCKET}: all four on",
        f"bucket policy of s3://{BUCKET}: deny requests without TLS",
    )
    assert s3.get_bucket_versioning(Bucket=BUCKET)["Status"] == "Enabled"
    assert json.loads(s3.get_bucket_policy(Bucket=BUCKET)["Policy"]) == json.loads(tls_only_policy(BUCKET, "aws"))


def test_a_bucket_name_taken_by_another_account_is_one_line_and_creates_nothing(aws):
    with mock.patch.dict(os.environ, {"MOTO_ACCOUNT_ID": OTHER_ACCOUNT}):
        aws.client("s3").create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})

    with pytest.raises(BootstrapError) as e:
        bootstrap(aws)

    assert str(e.value) == f"the S3 bucket name {BUCKET} is taken by another AWS account: nothing was created"
    assert aws.client("kms").list_keys()["Keys"] == []
    assert ALIAS not in {a["AliasName"] for a in aws.client("kms").list_aliases()["Aliases"]}


def test_an_alias_on_a_key_pending_deletion_stops_the_run_saying_what_to_do(aws):
    kms = aws.client("kms")
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    kms.create_alias(AliasName=ALIAS, TargetKeyId=key_id)
    kms.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=7)

    with pytest.raises(BootstrapError, match=rf"^{ALIAS} points to KMS key {key_id}, which is PendingDeletion: "):
        bootstrap(aws)


def test_a_failure_after_the_bucket_exists_says_what_was_created_and_a_rerun_finishes(aws, monkeypatch):
    original = BaseClient._make_api_call

    def deny_bucket_policy(self, operation, params):
        if operation == "PutBucketPolicy":
            raise ClientError({"Error": {"Code": "AccessDenied", "Message": "Access Denied"}}, operation)
        return original(self, operation, params)

    monkeypatch.setattr(BaseClient, "_make_api_call", deny_bucket_policy)
    with pytest.raises(BootstrapError) as e:
        bootstrap(aws)
    message = str(e.value)
    assert message.startswith("stopped: An error occurred (AccessDenied) when calling the PutBucketPolicy operation")
    assert f"created so far: S3 bucket {BUCKET} in ap-northeast-2" in message
    assert "; KMS key " in message and message.endswith("fix the cause and run again to finish")
    assert "\n" not in message

    monkeypatch.setattr(BaseClient, "_make_api_call", original)
    rerun = bootstrap(aws)
    assert rerun.created == ()
    assert rerun.changed == (f"bucket policy of s3://{BUCKET}: deny requests without TLS",)
