"""What preflight checks for the compute layer before it is deployed (read-only AWS calls)."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from payments_compute.ecr_image import EcrImage
from shared.lifecycle import Grant, GrantContext, PreflightContext

IMAGE_KEY = "compute:image"


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
