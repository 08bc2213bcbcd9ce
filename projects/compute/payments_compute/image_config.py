"""Reading a container image's configuration (the user and volumes its Dockerfile declared) from ECR.

The configuration is a JSON blob the image manifest names by digest: `BatchGetImage` returns the
manifest (or, for a multi-architecture image, the index whose entry for the task's platform names
it), and `GetDownloadUrlForLayer` a short-lived URL of the blob, which is then read (Amazon ECR API
reference; a registry serves the configuration like any blob of the image). Read-only; the caller
needs `ecr:BatchGetImage` and `ecr:GetDownloadUrlForLayer` on the repository, which any identity
that can pull the image has.
"""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Callable
from typing import Any

from payments_compute.ecr_image import EcrImage

DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"
DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json"
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"
ACCEPTED = (DOCKER_MANIFEST, OCI_MANIFEST, DOCKER_LIST, OCI_INDEX)
# The task definition's cpuArchitecture -> the platform architecture an image index lists.
PLATFORMS = {"X86_64": "amd64", "ARM64": "arm64"}
FETCH_TIMEOUT_SECONDS = 15

Fetch = Callable[[str], bytes]


class ImageConfigUnreadable(Exception):
    """The configuration could not be read; the message says what stood in the way."""


class ImageNotInRegistry(ImageConfigUnreadable):
    """BatchGetImage found no such image (the image check reports that itself)."""


def fetch_url(url: str) -> bytes:
    """The body of the pre-signed URL ECR handed out."""
    with urllib.request.urlopen(url, timeout=FETCH_TIMEOUT_SECONDS) as response:
        body: bytes = response.read()
        return body


def _manifest(ecr: Any, image: EcrImage, image_id: dict[str, str]) -> dict[str, Any]:
    found = ecr.batch_get_image(
        registryId=image.account_id,
        repositoryName=image.repository,
        imageIds=[image_id],
        acceptedMediaTypes=list(ACCEPTED),
    )
    images = found.get("images") or []
    if not images:
        codes = [f.get("failureCode", "?") for f in found.get("failures") or []]
        if "ImageNotFound" in codes:
            raise ImageNotInRegistry(f"no image {image_id}")
        raise ImageConfigUnreadable(f"BatchGetImage answered {', '.join(codes) or 'no image'}")
    parsed: dict[str, Any] = json.loads(images[0]["imageManifest"])
    return parsed


def image_config(ecr: Any, image: EcrImage, *, architecture: str, fetch: Fetch = fetch_url) -> dict[str, Any]:
    """The image's configuration JSON (`config.User`, `config.Volumes`, ...) for the task's architecture."""
    image_id = {"imageDigest": image.digest} if image.digest else {"imageTag": image.tag or ""}
    manifest = _manifest(ecr, image, image_id)
    if "manifests" in manifest:  # an index: one manifest per platform
        wanted = PLATFORMS.get(architecture, architecture.lower())
        entry = next(
            (
                m
                for m in manifest["manifests"]
                if (m.get("platform") or {}).get("os") == "linux"
                and (m.get("platform") or {}).get("architecture") == wanted
            ),
            None,
        )
        if entry is None:
            raise ImageConfigUnreadable(f"the image has no linux/{wanted} variant for the task's {architecture}")
        manifest = _manifest(ecr, image, {"imageDigest": entry["digest"]})
    digest = (manifest.get("config") or {}).get("digest")
    if not digest:
        raise ImageConfigUnreadable("its manifest names no configuration blob")
    url = ecr.get_download_url_for_layer(
        registryId=image.account_id, repositoryName=image.repository, layerDigest=digest
    )["downloadUrl"]
    try:
        config: dict[str, Any] = json.loads(fetch(url))
    except (OSError, ValueError) as e:
        raise ImageConfigUnreadable(f"reading its configuration blob failed: {e}") from None
    return config
