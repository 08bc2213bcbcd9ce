"""Preflight reads the image's configuration from ECR: a non-root image must declare VOLUME /tmp.

moto answers `BatchGetImage` from the manifests pushed here but does not implement
`GetDownloadUrlForLayer`; `Registry` stands in for that one call (and for the download of the URL
it returns) with the configuration blobs each test pushes.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from payments_compute.preflight import check_tmp_volume
from tests.ops.verify.verify_helpers import FAKE_CREDENTIALS

REGION = "ap-northeast-2"
ACCOUNT = "123456789012"
REPOSITORY = "payments-api"
IMAGE = f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/{REPOSITORY}:1.0.0"
USER = "1000:1000"


class Registry:
    """moto's ECR plus the configuration blobs: `get_download_url_for_layer` and the URL's download."""

    def __init__(self, ecr: Any) -> None:
        self.ecr = ecr
        self.blobs: dict[str, bytes] = {}
        self.fetched: list[str] = []

    def __getattr__(self, name: str) -> Any:
        return getattr(self.ecr, name)

    def get_download_url_for_layer(self, *, registryId: str, repositoryName: str, layerDigest: str) -> dict[str, str]:
        assert (registryId, repositoryName) == (ACCOUNT, REPOSITORY)
        return {"downloadUrl": f"https://prod-{REGION}-starport-layer-bucket.s3.amazonaws.com/{layerDigest}"}

    def fetch(self, url: str) -> bytes:
        self.fetched.append(url)
        return self.blobs[url.rsplit("/", 1)[-1]]

    def push(self, config: dict[str, Any], *, tag: str | None = "1.0.0", layer: str = "a") -> str:
        """Push an image whose configuration is `config`; returns the manifest's digest."""
        blob = json.dumps(config).encode()
        digest = "sha256:" + hashlib.sha256(blob).hexdigest()
        self.blobs[digest] = blob
        manifest = {
            "schemaVersion": 2,
            "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
            "config": {
                "mediaType": "application/vnd.docker.container.image.v1+json",
                "size": len(blob),
                "digest": digest,
            },
            "layers": [
                {
                    "mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip",
                    "size": 1,
                    "digest": "sha256:" + layer * 64,
                }
            ],
        }
        kwargs = {"imageTag": tag} if tag else {}
        pushed = self.ecr.put_image(repositoryName=REPOSITORY, imageManifest=json.dumps(manifest), **kwargs)
        return str(pushed["image"]["imageId"]["imageDigest"])


def node_image(**config: Any) -> dict[str, Any]:
    return {"architecture": "amd64", "os": "linux", "config": {"User": "node", **config}}


@pytest.fixture
def registry(monkeypatch: pytest.MonkeyPatch) -> Iterator[Registry]:
    for name, value in FAKE_CREDENTIALS.items():
        monkeypatch.setenv(name, value)
    with mock_aws():
        ecr = boto3.client("ecr", region_name=REGION)
        ecr.create_repository(repositoryName=REPOSITORY)
        yield Registry(ecr)


def check(registry: Registry, *, architecture: str = "X86_64") -> str | None:
    return check_tmp_volume(registry, IMAGE, run_as_user=USER, architecture=architecture, fetch=registry.fetch)


def test_an_image_declaring_volume_tmp_passes(registry: Registry) -> None:
    registry.push(node_image(Volumes={"/tmp": {}}))
    assert check(registry) is None
    assert len(registry.fetched) == 1  # its configuration was read


def test_an_image_without_volume_tmp_is_one_line_saying_how_to_declare_it(registry: Registry) -> None:
    registry.push(node_image(Volumes={"/data": {}}))
    assert check(registry) == (
        f"compute:image = '{IMAGE}': the image declares no VOLUME /tmp, so Fargate mounts the task's /tmp owned by "
        f"root (mode 0755) and user {USER} cannot write to it on a read-only root filesystem: end its Dockerfile with "
        f"`RUN mkdir -p /tmp && chown {USER} /tmp` and `VOLUME /tmp`, push it, and deploy again (nothing was created)"
    )


def test_a_multi_architecture_image_is_judged_by_the_variant_the_task_runs(registry: Registry) -> None:
    amd64 = registry.push(node_image(), tag=None, layer="b")  # no /tmp volume
    arm64 = registry.push({**node_image(Volumes={"/tmp": {}}), "architecture": "arm64"}, tag=None, layer="c")
    index = {
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.index.v1+json",
        "manifests": [
            {"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": amd64, "size": 1,
             "platform": {"os": "linux", "architecture": "amd64"}},
            {"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": arm64, "size": 1,
             "platform": {"os": "linux", "architecture": "arm64"}},
        ],
    }  # fmt: skip
    registry.ecr.put_image(repositoryName=REPOSITORY, imageManifest=json.dumps(index), imageTag="1.0.0")
    assert check(registry, architecture="ARM64") is None
    problem = check(registry, architecture="X86_64")
    assert problem is not None and "declares no VOLUME /tmp" in problem


def test_a_configuration_that_cannot_be_read_says_what_the_credentials_need(registry: Registry) -> None:
    registry.push(node_image(Volumes={"/tmp": {}}))

    def refused(**_: Any) -> dict[str, str]:
        raise ClientError({"Error": {"Code": "AccessDeniedException", "Message": "no"}}, "GetDownloadUrlForLayer")

    registry.get_download_url_for_layer = refused  # type: ignore[method-assign]
    assert check(registry) == (
        f"compute:image = '{IMAGE}': cannot read the image's configuration from ECR (AccessDeniedException) to "
        "confirm it declares VOLUME /tmp: these credentials need ecr:BatchGetImage and ecr:GetDownloadUrlForLayer on it"
    )


def test_a_missing_image_is_left_to_the_image_check(registry: Registry) -> None:
    # check_image already says "push the image first"; this check does not say it twice.
    assert check(registry) is None
