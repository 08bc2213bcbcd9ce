"""Usage assumptions: what each environment is expected to do in a month, as config.

Prices alone cannot say what a NAT gateway or a log group costs; these figures (requests, GB,
queries) can. They live in `usage.yaml` beside the price table: `defaults` for every environment
and `environments.<env>` overriding single keys, so a team changes an expectation in one place
and every estimate prints the values it used.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, NonNegativeFloat, ValidationError, field_validator

USAGE_FILE = Path(__file__).with_name("usage.yaml")

# A per-resource figure: one number, or {"default": n, "<logical name without -env>": n, ...}.
PerResource = NonNegativeFloat | dict[str, NonNegativeFloat]


class Usage(BaseModel):
    """The assumptions of one environment; each field's description is printed with the estimate."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    requests_per_month: NonNegativeFloat = Field(description="requests a month through the ALB (and WAF)")
    alb_lcus: NonNegativeFloat = Field(description="average ALB load balancer capacity units per hour")
    nat_gb_per_month: NonNegativeFloat = Field(description="GB a month through the NAT gateways, shared evenly")
    log_gb_per_day: PerResource = Field(description="GB a day ingested per log group (per resource)")
    log_days_without_expiry: NonNegativeFloat = Field(description="days of logs a never-expiring group holds")
    s3_gb_per_day: PerResource = Field(description="GB a day written per bucket (per resource)")
    s3_days_without_expiry: NonNegativeFloat = Field(description="days of objects a bucket without expiry holds")
    s3_put_requests_per_month: NonNegativeFloat = Field(description="PUT requests a month per bucket")
    s3_get_requests_per_month: NonNegativeFloat = Field(description="GET requests a month per bucket")
    route53_queries_per_month: NonNegativeFloat = Field(description="queries a month per non-alias record")
    firehose_gb_per_day: NonNegativeFloat = Field(description="GB a day per delivery stream (its bucket stores it)")
    sns_publishes_per_month: NonNegativeFloat = Field(description="messages a month per topic")
    rds_backup_ratio: NonNegativeFloat = Field(description="backup storage as a multiple of provisioned storage")
    container_insights_metrics: NonNegativeFloat = Field(description="metrics Container Insights publishes")
    container_insights_log_gb_per_day: NonNegativeFloat = Field(description="GB a day of Container Insights logs")

    @field_validator("log_gb_per_day", "s3_gb_per_day")
    @classmethod
    def _mapping_has_a_default(cls, v: PerResource) -> PerResource:
        if isinstance(v, dict) and "default" not in v:
            raise ValueError("expected a number, or a mapping with a 'default' and per-resource values")
        return v

    def per_resource(self, key: str, resource_key: str) -> float:
        """The figure `key` for one resource (its logical name without the environment suffix)."""
        value = getattr(self, key)
        if isinstance(value, dict):
            return float(value[resource_key] if resource_key in value else value["default"])
        return float(value)

    def shown(self) -> dict[str, Any]:
        """Every assumption with its value, in declaration order (for the report and the JSON)."""
        return self.model_dump()

    @classmethod
    def describe(cls, key: str) -> str:
        """The one-line meaning of an assumption."""
        return cls.model_fields[key].description or key


class UsageError(ValueError):
    """The usage file is unreadable or holds a bad value; the message names the key and value."""


def usage_for(data: Any, env: str, source: str = "usage assumptions") -> Usage:
    """The assumptions of `env`: `defaults` with `environments.<env>` laid over them key by key."""
    if not isinstance(data, dict) or not isinstance(data.get("defaults"), dict):
        raise UsageError(f"{source}: expected a mapping with 'defaults' (and optionally 'environments')")
    merged = dict(data["defaults"])
    merged.update((data.get("environments") or {}).get(env) or {})
    try:
        return Usage.model_validate(merged)
    except ValidationError as e:
        raise UsageError(f"{source} for {env}: {_problems(e)}") from None


def _problems(e: ValidationError) -> str:
    """One clause per bad key (a number-or-mapping key reports only its first complaint)."""
    seen: dict[str, str] = {}
    for err in e.errors():
        key = str(err["loc"][0])
        shown = "(missing)" if err["type"] == "missing" else repr(err.get("input"))
        seen.setdefault(key, f"{key} = {shown}: {err['msg'].lower()}")
    return "; ".join(seen.values())


@cache
def load_usage(env: str, path: Path = USAGE_FILE) -> Usage:
    """The assumptions of `env` from `path` (default: the repository's usage file)."""
    try:
        data = yaml.safe_load(path.read_text())
    except (OSError, yaml.YAMLError) as e:
        raise UsageError(f"cannot read the usage assumptions {path}: {e}") from None
    return usage_for(data, env, str(path))
