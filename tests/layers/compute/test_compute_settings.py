"""Bad input fails before any resource, with one line naming the key, the value and the expectation."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from ops.environment.stack_files import stack_config
from payments_compute.ecr_image import EcrImage
from payments_compute.fargate_sizes import allowed_memory
from payments_compute.settings import ComputeSettings
from shared.settings import ConfigError, parse_settings
from tests.layers.compute.compute_helpers import ACCOUNT, REGION, upstream

PROJECT = Path(__file__).resolve().parents[3] / "projects" / "compute"


def settings(env: str = "prod", **overrides: object) -> ComputeSettings:
    config = dict(stack_config("compute", env).values)
    config.update({f"compute:{k}": v if isinstance(v, str) else str(v) for k, v in overrides.items()})
    return parse_settings(ComputeSettings, config, namespace="compute", env=env)


def test_pulumi_yaml_declares_exactly_the_settings_keys_each_with_type_and_description() -> None:
    declared = yaml.safe_load((PROJECT / "Pulumi.yaml").read_text())["config"]
    assert set(declared) == set(ComputeSettings.config_keys())
    for key, decl in declared.items():
        assert decl["type"] and decl["description"], key
        assert "default" in decl, key
    # The image is the one key every stack must set itself: its default is rejected.
    assert declared["image"]["default"] == ""


@pytest.mark.parametrize("env", ["prod", "dev"])
def test_stack_files_pin_the_region_and_a_private_ecr_image(env: str) -> None:
    s = settings(env)
    assert s.region == "ap-northeast-2"
    assert s.ecr_image == EcrImage(
        uri=f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/payments-api:1.0.0",
        account_id=ACCOUNT,
        region=REGION,
        repository="payments-api",
        tag="1.0.0",
        digest=None,
    )


def test_prod_defaults_are_the_spec_numbers() -> None:
    s = settings("prod")
    assert (s.cpu, s.memory, s.cpu_architecture) == (512, 1024, "X86_64")
    assert (s.desired_count, s.min_capacity, s.max_capacity) == (3, 3, 10)
    assert s.log_retention_days == 7
    assert s.task_role_statements == ()


@pytest.mark.parametrize(
    ("image", "expected"),
    [
        ("node:20-alpine", "expected a private ECR image URI"),
        ("docker.io/library/node:20", "expected a private ECR image URI"),
        ("public.ecr.aws/nginx/nginx:1.27", "expected a private ECR image URI"),
        ("ghcr.io/acme/payments-api:1.0.0", "expected a private ECR image URI"),
        (f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/payments-api", "expected a private ECR image URI"),  # no tag
        (f"12345.dkr.ecr.{REGION}.amazonaws.com/payments-api:1.0.0", "expected a private ECR image URI"),
        (f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/Payments-API:1.0.0", "expected a private ECR image URI"),
        (f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/payments-api@sha256:abc", "expected a private ECR image URI"),
        (
            f"{ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/payments-api:1.0.0",
            "in aws:region ap-northeast-2, not us-east-1",
        ),
        (f"{ACCOUNT}.dkr.ecr.ap-northeast-1.amazonaws.com/payments-api:1.0.0", "not ap-northeast-1"),
    ],
)
def test_image_must_be_a_private_ecr_uri_in_this_region(run_layer, image: str, expected: str) -> None:
    with pytest.raises(ConfigError) as e:
        run_layer("compute", "prod", overrides={"image": image}, upstream_exports=upstream())
    message = str(e.value)
    assert message.startswith(f"compute:image = {image!r} is invalid: ")
    assert expected in message
    assert "\n" not in message


@pytest.mark.parametrize("user", ["0:0", "0:1000", "1000:0", "root", "node", "1000", "-1:1000", "2147483648:1"])
def test_run_as_user_must_be_a_non_root_numeric_uid_and_gid(run_layer, user: str) -> None:
    with pytest.raises(ConfigError) as e:
        run_layer("compute", "prod", overrides={"runAsUser": user}, upstream_exports=upstream())
    assert str(e.value) == (
        f"compute:runAsUser = {user!r} is invalid: expected a non-root numeric uid:gid such as 1000:1000 (neither may be 0)"
    )


def test_min_capacity_above_max_is_rejected(run_layer) -> None:
    with pytest.raises(ConfigError) as e:
        run_layer("compute", "prod", overrides={"minCapacity": 11, "desiredCount": 11}, upstream_exports=upstream())
    assert str(e.value) == "compute:minCapacity = 11 is invalid: expected at most maxCapacity (10)"


@pytest.mark.parametrize("desired", [2, 11])
def test_desired_count_outside_min_max_is_rejected(run_layer, desired: int) -> None:
    with pytest.raises(ConfigError) as e:
        run_layer("compute", "prod", overrides={"desiredCount": desired}, upstream_exports=upstream())
    assert str(e.value) == (
        f"compute:desiredCount = {desired} is invalid: expected a count within minCapacity..maxCapacity (3..10)"
    )


def test_prod_keeps_at_least_one_task_per_az(run_layer) -> None:
    with pytest.raises(ConfigError, match=r"^compute:minCapacity = 1 is invalid: expected at least 2 in prod"):
        run_layer("compute", "prod", overrides={"minCapacity": 1, "desiredCount": 1}, upstream_exports=upstream())


@pytest.mark.parametrize(("cpu", "memory"), [(512, 512), (512, 5120), (512, 8192)])
def test_cpu_memory_pairs_fargate_rejects_name_the_memory_key(run_layer, cpu: int, memory: int) -> None:
    with pytest.raises(ConfigError) as e:
        run_layer("compute", "prod", overrides={"cpu": cpu, "memory": memory}, upstream_exports=upstream())
    assert str(e.value).startswith(
        f"compute:memory = {memory} is invalid: expected a Fargate memory size for cpu {cpu}: one of ("
    )


def test_cpu_that_is_no_fargate_size_names_the_cpu_key(run_layer) -> None:
    with pytest.raises(ConfigError, match=r"^compute:cpu = '500' is invalid: expected Fargate CPU units: one of"):
        run_layer("compute", "prod", overrides={"cpu": 500}, upstream_exports=upstream())


@pytest.mark.parametrize(
    ("cpu", "memory"),
    [(256, 512), (512, 1024), (512, 4096), (1024, 8192), (4096, 30720), (8192, 20480), (16384, 122880)],
)
def test_cpu_memory_pairs_fargate_accepts(cpu: int, memory: int) -> None:
    assert memory in allowed_memory(cpu)


def test_the_platform_task_size_is_accepted() -> None:
    assert (settings(cpu=512, memory=1024).cpu, settings(cpu=512, memory=1024).memory) == (512, 1024)


@pytest.mark.parametrize(
    ("cpu", "memory", "lines"),
    [
        (
            256,
            512,
            [
                "compute:cpu = 256 is invalid: expected 512 CPU units",
                "compute:memory = 512 is invalid: expected 1024 MiB",
            ],
        ),
        (
            512,
            4096,
            [
                "compute:memory = 4096 is invalid: expected 1024 MiB, the platform's task size (policy rule ecs-task-size)"
            ],
        ),
        (
            1024,
            8192,
            [
                "compute:cpu = 1024 is invalid: expected 512 CPU units, the platform's task size (policy rule ecs-task-size)",
                "compute:memory = 8192 is invalid: expected 1024 MiB",
            ],
        ),
        (16384, 1024, ["compute:cpu = 16384 is invalid: expected 512 CPU units"]),
        (
            256,
            4096,
            [
                "compute:cpu = 256 is invalid: expected 512 CPU units",
                "compute:memory = 4096 is invalid: expected 1024 MiB",
            ],
        ),
    ],
)
def test_a_fargate_size_other_than_the_platform_task_size_names_each_key(
    run_layer, engines, cpu: int, memory: int, lines: list[str]
) -> None:
    with pytest.raises(ConfigError) as e:
        run_layer("compute", "prod", overrides={"cpu": cpu, "memory": memory}, upstream_exports=upstream())
    assert [e.resources for e in engines] == [[]]
    got = str(e.value).splitlines()
    assert len(got) == len(lines), got
    assert all(line.startswith(want) for line, want in zip(got, lines, strict=True)), got


# Config values reach the program as strings, so a bad field shows the string it was given.
@pytest.mark.parametrize(
    ("key", "value", "label"),
    [
        ("dbSslMode", "disable", "compute:dbSslMode = 'disable' is invalid"),
        ("logRetentionDays", 8, "compute:logRetentionDays = '8' is invalid: expected a CloudWatch retention period"),
        ("cpuTargetPercent", 95, "compute:cpuTargetPercent = '95' is invalid: expected an average CPU target"),
        ("cpuTargetPercent", 45.5, "compute:cpuTargetPercent = '45.5' is invalid"),
        ("scaleInCooldownSeconds", -1, "compute:scaleInCooldownSeconds = '-1' is invalid: expected seconds"),
        ("cpuArchitecture", "arm64", "compute:cpuArchitecture = 'arm64' is invalid"),
        ("maxCapacity", 0, "compute:maxCapacity = '0' is invalid: expected a task count between 1 and 1000"),
        ("imag", "x", "compute:imag is not a setting of this project (did you mean compute:image?)"),
    ],
)
def test_other_bad_values_name_their_key_and_value(run_layer, key: str, value: object, label: str) -> None:
    with pytest.raises(ConfigError) as e:
        run_layer("compute", "prod", overrides={key: value}, upstream_exports=upstream())
    assert str(e.value).startswith(label)


def test_a_stack_that_does_not_set_the_image_is_told_to(run_layer) -> None:
    with pytest.raises(ConfigError, match=r"^compute:image = '' is invalid: expected a private ECR image URI"):
        run_layer("compute", "prod", overrides={"image": ""}, upstream_exports=upstream())


def test_missing_image_is_reported_as_required() -> None:
    config = {k: v for k, v in stack_config("compute", "prod").values.items() if k != "compute:image"}
    with pytest.raises(ConfigError, match=r"^compute:image is required but not set$"):
        parse_settings(ComputeSettings, config, namespace="compute", env="prod")
