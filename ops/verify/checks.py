"""After a deploy: run every layer's verify checks against the live platform.

The checks themselves live beside their layer (`LIFECYCLE.verify` in each layer package); each
returns what it saw or raises `CheckFailed` saying what is wrong. `run_checks` turns them into one
pass/fail line each; a failing check or a refused AWS call never stops the others. Nothing here
changes anything.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from ops.aws import AwsClients, describe_aws_error
from ops.verify.https import HttpsGet, https_get
from shared.layers import layer_names, lifecycle
from shared.lifecycle import CheckFailed, VerifyCheck
from shared.settings import StackSettings


@dataclass(frozen=True)
class Expectations:
    """The numbers the platform promises; the task floor and health path may be set per run."""

    min_tasks: int = 3
    cpu: str = "512"
    memory: str = "1024"
    log_retention_days: int = 7
    health_path: str = "/health"
    # Which environment's named resources to look for (alarms are `alarm-<service>-<key>-<env>`).
    env: str = ""
    service: str = ""
    # After a deploy, how long an alarm may wait for its first datapoint before it counts as stuck.
    alarm_grace_minutes: int = 30


@dataclass(frozen=True)
class TargetHealth:
    """One registered target and its health state as the load balancer reports it."""

    target_id: str
    state: str
    reason: str = ""


def describe_target_health(elbv2: Any, target_group_arn: str) -> list[TargetHealth]:
    """Every target registered in the group, with its state (`healthy`, `unhealthy`, `draining`, ...)."""
    response = elbv2.describe_target_health(TargetGroupArn=target_group_arn)
    return [
        TargetHealth(
            target_id=f"{d['Target']['Id']}:{d['Target'].get('Port', '')}".rstrip(":"),
            state=d["TargetHealth"]["State"],
            reason=d["TargetHealth"].get("Reason", ""),
        )
        for d in response["TargetHealthDescriptions"]
    ]


@dataclass(frozen=True)
class Platform:
    """Everything one verification run looks at (the `VerifyContext` the layers' checks receive)."""

    exports: Mapping[str, Any]
    aws: AwsClients
    expect: Expectations = Expectations()
    get: HttpsGet = field(default=https_get)
    # The one call moto cannot answer with anything but "healthy": tests inject other states here.
    target_health: Any = field(default=describe_target_health)
    # The environment's settings per layer, when its stack files are here (None otherwise).
    settings_of: Callable[[str], StackSettings | None] = field(default=lambda layer: None)

    def settings(self, layer: str) -> StackSettings | None:
        """A layer's settings in the verified environment, or None."""
        return self.settings_of(layer)


def all_checks() -> tuple[VerifyCheck, ...]:
    """Every layer's verify checks, in graph order."""
    return tuple(check for layer in layer_names() for check in lifecycle(layer).verify)


def check_names() -> tuple[str, ...]:
    """The names `--only` accepts."""
    return tuple(c.name for c in all_checks())


@dataclass(frozen=True)
class CheckResult:
    """One check's verdict and what it saw."""

    name: str
    title: str
    ok: bool
    detail: str

    def line(self) -> str:
        """`PASS ecs-service  ECS service ...: what was seen`, one line per check."""
        return f"{'PASS' if self.ok else 'FAIL'}  {self.name:<15} {self.title}: {self.detail}"


def run_checks(platform: Platform, only: Iterable[str] | None = None) -> list[CheckResult]:
    """Run every check (or the named ones) and return one result each; a check never stops the others."""
    chosen = set(only) if only is not None else set(check_names())
    results = []
    for check in all_checks():
        if check.name not in chosen:
            continue
        try:
            results.append(CheckResult(check.name, check.title, True, check.run(platform)))
        except CheckFailed as e:
            results.append(CheckResult(check.name, check.title, False, str(e)))
        except (ClientError, BotoCoreError) as e:
            results.append(CheckResult(check.name, check.title, False, describe_aws_error(e)))
    return results
