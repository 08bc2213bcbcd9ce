"""The compute layer's settings: every key declared in `projects/compute/Pulumi.yaml`."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Literal

from pydantic import BaseModel, ConfigDict, field_validator
from pydantic.alias_generators import to_camel

from payments_compute.ecr_image import EcrImage
from payments_compute.fargate_sizes import FARGATE_MEMORY_BY_CPU, allowed_memory
from shared.alarms import AlarmWindowSettings
from shared.guardrails import RULE_TASK_SIZE, TASK_CPU, TASK_MEMORY_MIB
from shared.settings import InvalidSetting, cross_check, log_retention

# `service:Action` with no wildcard: a granted action is always named in full.
_ACTION = re.compile(r"^[a-z0-9-]+:[A-Za-z0-9]+$")
_SID = re.compile(r"^[A-Za-z0-9]{1,100}$")
# A full ARN whose resource part names something more specific than "*".
_ARN = re.compile(r"^arn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:(\d{12})?:(?!\*$).+$")
# Tags that name one build for good: a full release version (1.4.2, v1.4.2, 1.4.2-rc1) or a commit
# SHA. Anything else - latest, main, stable, prod, or a major-only 1 or 1.4 - is a channel some
# pipeline moves, so two deploys of the same config could run different code.
_FIXED_TAG = re.compile(r"^(v?\d+\.\d+\.\d+(-[0-9A-Za-z][0-9A-Za-z.-]*)?|[0-9a-f]{7,40})$")
# `uid:gid` as numbers: a numeric user needs no /etc/passwd entry and is provably not root.
_UID_GID = re.compile(r"^(?P<uid>\d{1,10}):(?P<gid>\d{1,10})$")


class TaskRoleStatement(BaseModel):
    """One extra permission for the application's task role: named actions on named ARNs."""

    model_config = ConfigDict(frozen=True, extra="forbid", alias_generator=to_camel, populate_by_name=True)

    sid: str
    actions: tuple[str, ...]
    resources: tuple[str, ...]

    @field_validator("sid")
    @classmethod
    def _sid(cls, v: str) -> str:
        if not _SID.match(v):
            raise ValueError("expected a Sid of 1-100 letters and digits")
        return v

    @field_validator("actions")
    @classmethod
    def _actions_are_named(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        if not v:
            raise ValueError("expected at least one action")
        for action in v:
            if not _ACTION.match(action):
                raise ValueError(f"expected service:Action names without wildcards; {action!r} is not one")
        return tuple(sorted(set(v)))

    @field_validator("resources")
    @classmethod
    def _resources_are_arns(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        if not v:
            raise ValueError("expected at least one resource ARN")
        for resource in v:
            if not _ARN.match(resource):
                raise ValueError(f"expected full resource ARNs (never '*'); {resource!r} is not one")
        return tuple(sorted(set(v)))


class ComputeSettings(AlarmWindowSettings):
    image: str
    cpu: int
    memory: int
    cpu_architecture: Literal["X86_64", "ARM64"]
    readonly_root_filesystem: bool
    run_as_user: str
    desired_count: int
    min_capacity: int
    max_capacity: int
    cpu_target_percent: int
    scale_in_cooldown_seconds: int
    scale_out_cooldown_seconds: int
    health_check_grace_period_seconds: int
    log_retention_days: int
    db_ssl_mode: Literal["require", "verify-ca", "verify-full"]
    task_role_statements: tuple[TaskRoleStatement, ...]
    alarm_cpu_percent: int
    alarm_memory_percent: int

    @field_validator("image")
    @classmethod
    def _image_is_private_ecr(cls, v: str) -> str:
        EcrImage.parse(v)
        return v

    @field_validator("run_as_user")
    @classmethod
    def _non_root_user(cls, v: str) -> str:
        m = _UID_GID.match(v)
        if not m or not all(0 < int(m[part]) < 2**31 for part in ("uid", "gid")):
            raise ValueError("expected a non-root numeric uid:gid such as 1000:1000 (neither may be 0)")
        return v

    @field_validator("cpu")
    @classmethod
    def _cpu_is_a_fargate_size(cls, v: int) -> int:
        if v not in FARGATE_MEMORY_BY_CPU:
            raise ValueError(f"expected Fargate CPU units: one of {tuple(FARGATE_MEMORY_BY_CPU)}")
        return v

    @field_validator("desired_count", "min_capacity", "max_capacity")
    @classmethod
    def _task_count(cls, v: int) -> int:
        if not 1 <= v <= 1000:
            raise ValueError("expected a task count between 1 and 1000")
        return v

    @field_validator("cpu_target_percent")
    @classmethod
    def _cpu_target(cls, v: int) -> int:
        if not 10 <= v <= 90:
            raise ValueError("expected an average CPU target between 10 and 90 (percent)")
        return v

    @field_validator("scale_in_cooldown_seconds", "scale_out_cooldown_seconds", "health_check_grace_period_seconds")
    @classmethod
    def _seconds(cls, v: int) -> int:
        if not 0 <= v <= 3600:
            raise ValueError("expected seconds between 0 and 3600")
        return v

    @field_validator("log_retention_days")
    @classmethod
    def _retention(cls, v: int) -> int:
        return log_retention(v)

    @field_validator("alarm_cpu_percent", "alarm_memory_percent")
    @classmethod
    def _alarm_percent(cls, v: int) -> int:
        if not 1 <= v <= 100:
            raise ValueError("expected a utilization between 1 and 100 (percent of the task's reservation)")
        return v

    @field_validator("task_role_statements")
    @classmethod
    def _unique_sids(cls, v: tuple[TaskRoleStatement, ...]) -> tuple[TaskRoleStatement, ...]:
        sids = [s.sid for s in v]
        if len(set(sids)) != len(sids):
            raise ValueError("expected a distinct sid per statement")
        return v

    @cross_check("image", "region")
    def _image_in_this_region(self) -> Iterator[InvalidSetting]:
        image = EcrImage.parse(self.image)
        if image.region != self.region:
            yield InvalidSetting(
                "image", self.image, f"expected an ECR repository in aws:region {self.region}, not {image.region}"
            )

    @cross_check("env", "image")
    def _image_fixed_when_protected(self) -> Iterator[InvalidSetting]:
        tag = EcrImage.parse(self.image).tag
        if self.protected and tag is not None and not _FIXED_TAG.match(tag):
            yield InvalidSetting(
                "image",
                self.image,
                f"expected a reproducible image in {self.env}, a protected environment: a digest "
                "(@sha256:<64 hex>) or a release tag such as 1.4.2, v1.4.2 or a commit SHA; "
                f"{tag!r} is a tag that moves",
            )

    @cross_check("cpu", "memory")
    def _task_size(self) -> Iterator[InvalidSetting]:
        platform = f"the platform's task size (policy rule {RULE_TASK_SIZE})"
        if self.cpu != TASK_CPU:
            yield InvalidSetting("cpu", self.cpu, f"expected {TASK_CPU} CPU units, {platform}")
        if self.memory == TASK_MEMORY_MIB:
            return
        allowed = allowed_memory(self.cpu)
        if self.cpu == TASK_CPU and self.memory not in allowed:  # AWS itself would refuse the pair
            yield InvalidSetting(
                "memory", self.memory, f"expected a Fargate memory size for cpu {self.cpu}: one of {allowed}"
            )
        else:
            yield InvalidSetting("memory", self.memory, f"expected {TASK_MEMORY_MIB} MiB, {platform}")

    @cross_check("env", "min_capacity", "max_capacity", "desired_count")
    def _capacities(self) -> Iterator[InvalidSetting]:
        if self.min_capacity > self.max_capacity:
            yield InvalidSetting(
                "minCapacity", self.min_capacity, f"expected at most maxCapacity ({self.max_capacity})"
            )
            return  # no count fits an empty range; desiredCount is judged once the range is fixed
        if self.protected and self.min_capacity < 2:
            yield InvalidSetting("minCapacity", self.min_capacity, "expected at least 2 in prod (a task in each AZ)")
        if not self.min_capacity <= self.desired_count <= self.max_capacity:
            yield InvalidSetting(
                "desiredCount",
                self.desired_count,
                f"expected a count within minCapacity..maxCapacity ({self.min_capacity}..{self.max_capacity})",
            )

    @cross_check("alarm_cpu_percent", "cpu_target_percent")
    def _cpu_alarm_above_scaling_target(self) -> Iterator[InvalidSetting]:
        if self.alarm_cpu_percent <= self.cpu_target_percent:
            yield InvalidSetting(
                "alarmCpuPercent",
                self.alarm_cpu_percent,
                f"expected above cpuTargetPercent ({self.cpu_target_percent}), or autoscaling's normal state pages",
            )

    @property
    def ecr_image(self) -> EcrImage:
        """The parsed image reference."""
        return EcrImage.parse(self.image)
