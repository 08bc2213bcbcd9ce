"""Resource names: `{type}-{service}[-{purpose}]-{env}`, checked against AWS limits.

The same string is used as the Pulumi logical name and, where the resource has one, as the
physical name or `Name` tag, so the console, the state file and the plan all agree.

Where Pulumi auto-names a resource it appends `-` and 7 random characters; `AUTONAME_SUFFIX`
accounts for that when a limit is checked for an auto-named resource.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

AUTONAME_SUFFIX = 8

# Physical-name limits that bite with long environment names (AWS documentation figures).
AWS_NAME_LIMITS: dict[str, int] = {
    "alb": 32,  # Application Load Balancer name
    "tg": 32,  # target group name
    "rds": 63,  # DB instance identifier
    "dbsubnet": 255,
    "dbparams": 255,
    "snapshot": 255,
    "role": 64,  # IAM role name
    "policy": 128,
    "ecs": 255,  # ECS cluster / service names
    "log": 512,  # CloudWatch log group name
    "s3": 63,  # S3 bucket name
    "kms": 256,  # KMS alias (after "alias/")
}

ENV_PATTERN = re.compile(r"^[a-z][a-z0-9]{1,9}$")
_PART = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


class NameTooLongError(ValueError):
    """A generated name exceeds the AWS limit for its resource type."""


@dataclass(frozen=True)
class Namer:
    """Builds every name of one layer for one environment."""

    service: str
    env: str

    def __call__(self, kind: str, purpose: str | None = None, *, autonamed: bool = False) -> str:
        """Return `{kind}-{service}[-{purpose}]-{env}`.

        `autonamed=True` reserves room for the random suffix Pulumi adds. A name over the AWS
        limit for `kind` raises `NameTooLongError` naming the limit.
        """
        parts = [kind, self.service, *([purpose] if purpose else []), self.env]
        for part in parts:
            if not _PART.match(part):
                raise ValueError(f"name part {part!r} must be lowercase letters, digits and hyphens")
        name = "-".join(parts)
        limit = AWS_NAME_LIMITS.get(kind)
        if limit is not None:
            used = len(name) + (AUTONAME_SUFFIX if autonamed else 0)
            if used > limit:
                suffix = f" plus {AUTONAME_SUFFIX} for Pulumi's random suffix" if autonamed else ""
                raise NameTooLongError(
                    f"name {name!r} is {len(name)} characters{suffix}; AWS allows {limit} for {kind}"
                )
        return name
