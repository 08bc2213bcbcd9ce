"""Compute settings a policy rule or a protected environment forbids fail before any resource, one
line per mistake naming key, value and what is expected; several mistakes come together."""

from __future__ import annotations

import pytest

from shared.settings import ConfigError
from tests.layers.compute.compute_helpers import ACCOUNT, REGION, upstream

REPO = f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/payments-api"
DIGEST = f"{REPO}@sha256:{'ab' * 32}"


def refused(run_layer, engines, env: str, overrides: dict[str, object]) -> list[str]:
    """The lines of the ConfigError the compute program raises, after checking nothing was registered."""
    with pytest.raises(ConfigError) as err:
        run_layer("compute", env, overrides=overrides, upstream_exports=upstream())
    assert [e.resources for e in engines] == [[]]  # not even the provider was registered
    assert "Traceback" not in str(err.value)
    return str(err.value).splitlines()


@pytest.mark.parametrize("tag", ["latest", "main", "stable", "prod", "release", "1", "1.4", "v2", "1.4.x"])
def test_a_moving_image_tag_is_refused_in_a_protected_environment(run_layer, engines, tag: str) -> None:
    image = f"{REPO}:{tag}"
    assert refused(run_layer, engines, "prod", {"image": image}) == [
        f"compute:image = {image!r} is invalid: expected a reproducible image in prod, a protected environment: "
        "a digest (@sha256:<64 hex>) or a release tag such as 1.4.2, v1.4.2 or a commit SHA; "
        f"{tag!r} is a tag that moves"
    ]


@pytest.mark.parametrize("image", [f"{REPO}:1.4.2", f"{REPO}:v1.4.2", f"{REPO}:1.4.2-rc1", f"{REPO}:3f9c2ab", DIGEST])
def test_prod_accepts_a_digest_or_a_release_tag(run_layer, image: str) -> None:
    plan = run_layer("compute", "prod", overrides={"image": image}, upstream_exports=upstream())
    task = plan.one("aws:ecs/taskDefinition:TaskDefinition").inputs
    assert image in task["containerDefinitions"]


@pytest.mark.parametrize("tag", ["latest", "main"])
def test_dev_may_run_a_moving_tag(run_layer, tag: str) -> None:
    plan = run_layer("compute", "dev", overrides={"image": f"{REPO}:{tag}"}, upstream_exports=upstream())
    assert f"{REPO}:{tag}" in plan.one("aws:ecs/taskDefinition:TaskDefinition").inputs["containerDefinitions"]


@pytest.mark.parametrize("days", [1, 14, 30, 3653])
def test_a_log_retention_cloudwatch_accepts_but_the_platform_does_not_is_refused(run_layer, engines, days) -> None:
    assert refused(run_layer, engines, "dev", {"logRetentionDays": days}) == [
        f"compute:logRetentionDays = '{days}' is invalid: expected 7 days, the platform's log retention "
        "(policy rule log-retention fails any other value)"
    ]


def test_every_mistake_of_the_layer_comes_in_one_message(run_layer, engines) -> None:
    lines = refused(
        run_layer,
        engines,
        "prod",
        {
            "image": f"{REPO}:latest",
            "cpu": 1024,
            "memory": 2048,
            "logRetentionDays": 8,
            "minCapacity": 1,
            "desiredCount": 1,
            "dbSslMode": "disable",
        },
    )
    expected = [
        "compute:logRetentionDays = '8' is invalid: expected a CloudWatch retention period",
        "compute:dbSslMode = 'disable' is invalid",
        f"compute:image = '{REPO}:latest' is invalid: expected a reproducible image in prod",
        "compute:cpu = 1024 is invalid: expected 512 CPU units",
        "compute:memory = 2048 is invalid: expected 1024 MiB",
        "compute:minCapacity = 1 is invalid: expected at least 2 in prod",
    ]
    assert len(lines) == len(expected), lines
    assert all(line.startswith(want) for line, want in zip(lines, expected, strict=True)), lines
