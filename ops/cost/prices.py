"""The price table: one YAML file of on-demand list prices for the region, loaded and checked.

The file states its source and the date it was read; this module only turns it into a frozen,
typed object, so a missing or mistyped price fails on load with one line naming it, never as a
silent zero in the middle of an estimate.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, PositiveFloat, ValidationError

PRICE_FILE = Path(__file__).with_name("prices-ap-northeast-2.yaml")


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class FargatePrices(_Frozen):
    vcpu_hour: PositiveFloat
    gb_hour: PositiveFloat


class RdsPrices(_Frozen):
    instance_hour: dict[str, PositiveFloat]
    storage_gb_month: dict[str, PositiveFloat]
    backup_gb_month: PositiveFloat
    performance_insights_free_days: int


class CloudWatchPrices(_Frozen):
    logs_ingested_gb: PositiveFloat
    logs_stored_gb_month: PositiveFloat
    alarm_metric_month: PositiveFloat
    high_resolution_alarm_metric_month: PositiveFloat
    dashboard_month: PositiveFloat
    custom_metric_month: PositiveFloat


class WafPrices(_Frozen):
    web_acl_month: PositiveFloat
    rule_month: PositiveFloat
    requests_million: PositiveFloat


class Route53Prices(_Frozen):
    hosted_zone_month: PositiveFloat
    queries_million: PositiveFloat


class S3Prices(_Frozen):
    storage_gb_month: PositiveFloat
    put_requests_thousand: PositiveFloat
    get_requests_thousand: PositiveFloat


class FirehosePrices(_Frozen):
    ingested_gb: PositiveFloat


class SnsPrices(_Frozen):
    publishes_million: PositiveFloat
    email_deliveries_hundred_thousand: PositiveFloat
    https_deliveries_million: PositiveFloat


class UnitPrices(_Frozen):
    """Every unit price a pricing rule uses (USD)."""

    nat_gateway_hour: PositiveFloat
    nat_gateway_gb_processed: PositiveFloat
    public_ipv4_hour: PositiveFloat
    alb_hour: PositiveFloat
    alb_lcu_hour: PositiveFloat
    fargate: dict[str, FargatePrices]
    rds_postgresql: RdsPrices
    kms_key_month: PositiveFloat
    cloudwatch: CloudWatchPrices
    waf: WafPrices
    route53: Route53Prices
    s3_standard: S3Prices
    firehose: FirehosePrices
    sns: SnsPrices


class PriceTable(_Frozen):
    """The whole file: where the prices apply, where they come from, and the free types."""

    region: str
    currency: str
    read_on: str
    sources: list[str]
    hours_per_month: PositiveFloat
    prices: UnitPrices
    # Resource type token -> why AWS does not bill it by itself.
    free: dict[str, str]


class PriceTableError(ValueError):
    """The price file is missing, unreadable or lacks a price; the message is one line per problem."""


def _problems(e: ValidationError) -> str:
    lines = []
    for err in e.errors():
        key = ".".join(str(p) for p in err["loc"])
        value: Any = err.get("input")
        shown = "(missing)" if err["type"] == "missing" else repr(value)
        lines.append(f"{key} = {shown}: {err['msg'].lower()}")
    return "\n".join(lines)


def parse_prices(data: Any, source: str = "price table") -> PriceTable:
    """Validate the YAML mapping of a price file; raise `PriceTableError` naming each bad key."""
    try:
        return PriceTable.model_validate(data)
    except ValidationError as e:
        raise PriceTableError(f"{source}: {_problems(e)}") from None


@cache
def load_prices(path: Path = PRICE_FILE) -> PriceTable:
    """The price table in `path` (default: the repository's Seoul table), read once per process."""
    try:
        data = yaml.safe_load(path.read_text())
    except (OSError, yaml.YAMLError) as e:
        raise PriceTableError(f"cannot read the price table {path}: {e}") from None
    return parse_prices(data, str(path))
