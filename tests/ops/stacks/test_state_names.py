"""A stack's existence from the backend's object names: what a team's role may see of another layer's state."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from unittest import mock

import boto3
import pytest
from moto import mock_aws

from ops.stacks.state_names import stack_exists

BUCKET = "pulumi-state-payments-prod-123456789012"
URL = f"s3://{BUCKET}?region=ap-northeast-2"


@pytest.fixture
def s3() -> Iterator[Any]:
    fake = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_SESSION_TOKEN": "testing"}
    with mock.patch.dict(os.environ, fake), mock_aws():
        client = boto3.client("s3", region_name="ap-northeast-2")
        client.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "ap-northeast-2"})
        yield client


@pytest.mark.parametrize("suffix", ["", ".gz", ".zst"])
def test_a_checkpoint_in_the_bucket_is_the_stack(s3: Any, suffix: str) -> None:
    s3.put_object(Bucket=BUCKET, Key=f".pulumi/stacks/data/prod.json{suffix}", Body=b"{}")
    assert stack_exists(URL, "data", "prod") is True
    assert stack_exists(URL, "edge", "prod") is False
    assert stack_exists(URL, "data", "dev") is False


def test_a_backup_or_a_longer_name_is_not_the_stack(s3: Any) -> None:
    s3.put_object(Bucket=BUCKET, Key=".pulumi/stacks/data/prod.json.bak", Body=b"{}")
    s3.put_object(Bucket=BUCKET, Key=".pulumi/stacks/data/prod-2.json", Body=b"{}")
    assert stack_exists(URL, "data", "prod") is False


def test_a_bucket_it_cannot_list_tells_nothing(s3: Any) -> None:
    assert stack_exists("s3://no-such-bucket?region=ap-northeast-2", "data", "prod") is None


def test_the_file_backend_is_read_from_its_folder(tmp_path: Path) -> None:
    stacks = tmp_path / ".pulumi" / "stacks" / "network"
    stacks.mkdir(parents=True)
    (stacks / "dev.json").write_text("{}")
    assert stack_exists(f"file://{tmp_path}", "network", "dev") is True
    assert stack_exists(f"file://{tmp_path}", "network", "prod") is False


def test_other_backends_cannot_be_told_by_names() -> None:
    assert stack_exists("https://api.pulumi.com", "network", "dev") is None
