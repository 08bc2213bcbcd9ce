"""What preflight checks for the compute layer before it is deployed (read-only AWS calls).

- `check_image`: the image is a private ECR URI and is in its repository;
- `check_tmp_volume`: the image declares `VOLUME /tmp`. The container runs as a non-root user with
  a read-only root filesystem, so the task's `/tmp` volume is its one writable path; Fargate mounts
  a bind-mount volume owned by root with mode 0755, unless the image declares a `VOLUME` at the
  same path, whose contents, ownership and permissions are then copied into it (Amazon ECS
  Developer Guide, "Bind mounts" / Fargate task storage). Without the declaration the application
  cannot write a temporary file and the first deploy never becomes healthy. What the declared
  directory's owner is lives in the image's layers, not its configuration: the message says to
  `chown` it before the `VOLUME` line.
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from payments_compute.ecr_image import EcrImage
from payments_compute.image_config import Fetch, ImageConfigUnreadable, ImageNotInRegistry, fetch_url, image_config
from payments_compute.service import TMP_PATH
from payments_compute.settings import ComputeSettings
from shared.lifecycle import Grant, GrantContext, PreflightContext

IMAGE_KEY = "compute:image"
# What `check_image` reports already: not found twice.
_MISSING = frozenset({"RepositoryNotFoundException", "ImageNotFoundException"})


def check_image(ecr: Any, image: str) -> str | None:
    """The image (tag or digest) is a URI the compute program accepts and exists in its ECR repository."""
    where = f"{IMAGE_KEY} = {image!r}"
    try:
        parsed = EcrImage.parse(image)
    except ValueError as e:
        return f"{where}: {e}"
    image_id = {"imageDigest": parsed.digest} if parsed.digest else {"imageTag": parsed.tag}
    try:
        ecr.describe_images(registryId=parsed.account_id, repositoryName=parsed.repository, imageIds=[image_id])
    except ClientError as e:
        code = e.response.get("Error", {}).get("Code", "")
        if code == "RepositoryNotFoundException":
            return f"{where}: ECR repository {parsed.repository!r} does not exist in account {parsed.account_id}"
        if code == "ImageNotFoundException":
            ref = parsed.digest or parsed.tag
            return f"{where}: {ref} is not in ECR repository {parsed.repository!r}: push the image first"
        return f"{where}: cannot look it up in ECR ({code})"
    return None


def check_tmp_volume(
    ecr: Any, image: str, *, run_as_user: str, architecture: str, fetch: Fetch = fetch_url
) -> str | None:
    """The image declares `VOLUME /tmp`, so its non-root user can write the task's /tmp (module docstring)."""
    where = f"{IMAGE_KEY} = {image!r}"
    try:
        parsed = EcrImage.parse(image)
    except ValueError:
        return None  # check_image says why
    try:
        config = image_config(ecr, parsed, architecture=architecture, fetch=fetch)
    except ClientError as e:
        code = e.response.get("Error", {}).get("Code", "")
        if code in _MISSING:
            return None
        return (
            f"{where}: cannot read the image's configuration from ECR ({code}) to confirm it declares VOLUME "
            f"{TMP_PATH}: these credentials need ecr:BatchGetImage and ecr:GetDownloadUrlForLayer on it"
        )
    except ImageNotInRegistry:
        return None
    except (ImageConfigUnreadable, BotoCoreError) as e:
        return f"{where}: cannot read the image's configuration to confirm it declares VOLUME {TMP_PATH}: {e}"
    volumes = (config.get("config") or {}).get("Volumes") or {}
    if TMP_PATH in volumes:
        return None
    return (
        f"{where}: the image declares no VOLUME {TMP_PATH}, so Fargate mounts the task's {TMP_PATH} owned by root "
        f"(mode 0755) and user {run_as_user} cannot write to it on a read-only root filesystem: end its Dockerfile "
        f"with `RUN mkdir -p {TMP_PATH} && chown {run_as_user} {TMP_PATH}` and `VOLUME {TMP_PATH}`, push it, "
        "and deploy again (nothing was created)"
    )


def check_image_of(ctx: PreflightContext) -> str | None:
    """Preflight hook: the configured image is a URI the program accepts and is in ECR."""
    image = ctx.value(IMAGE_KEY)
    return check_image(ctx.aws.client("ecr"), image) if image else None


def image_grants(ctx: GrantContext) -> list[Grant]:
    """What `check_image_of` reads: the image in its repository."""
    settings = ctx.settings("compute")
    image = getattr(settings, "image", "")
    try:
        repository = EcrImage.parse(image).repository_arn(ctx.partition) if image else ""
    except ValueError:
        return []  # the settings check reports the image
    return [Grant(("ecr:DescribeImages",), (repository,))] if repository else []


def tmp_volume_grants(ctx: GrantContext) -> list[Grant]:
    """What `check_tmp_volume_of` reads: the image's manifest and its config blob."""
    return [Grant(("ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"), g.resources) for g in image_grants(ctx)]


def check_tmp_volume_of(ctx: PreflightContext) -> str | None:
    """Preflight hook: the configured image declares the /tmp volume its non-root user writes to."""
    image, settings = ctx.value(IMAGE_KEY), ctx.settings("compute")
    if not image or not isinstance(settings, ComputeSettings):
        return None  # no image (check_image says so) or config that does not parse (its check says so)
    return check_tmp_volume(
        ctx.aws.client("ecr"), image, run_as_user=settings.run_as_user, architecture=settings.cpu_architecture
    )
