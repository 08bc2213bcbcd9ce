"""The price table: one file with its source and date, complete for every rule, free types explicit."""

from pathlib import Path

import pytest
import yaml

from ops.cost.assumptions import UsageError, load_usage, usage_for
from ops.cost.prices import PRICE_FILE, PriceTableError, load_prices, parse_prices
from ops.cost.rules import RULES


def test_price_table_is_for_seoul_with_its_sources_and_the_date_read():
    table = load_prices()
    assert (table.region, table.currency, table.hours_per_month) == ("ap-northeast-2", "USD", 730)
    assert table.read_on == "2026-12-01"
    assert all(url.startswith("https://") for url in table.sources)
    assert "https://aws.amazon.com/vpc/pricing/" in table.sources


def test_a_missing_price_fails_on_load_naming_the_key():
    data = yaml.safe_load(PRICE_FILE.read_text())
    del data["prices"]["nat_gateway_hour"]
    with pytest.raises(PriceTableError) as e:
        parse_prices(data, "prices.yaml")
    assert str(e.value) == "prices.yaml: prices.nat_gateway_hour = (missing): field required"


def test_a_zero_or_negative_price_is_rejected():
    data = yaml.safe_load(PRICE_FILE.read_text())
    data["prices"]["alb_hour"] = 0
    with pytest.raises(PriceTableError, match=r"prices\.alb_hour = 0: input should be greater than 0"):
        parse_prices(data)


def test_an_unreadable_price_file_is_one_line(tmp_path: Path):
    with pytest.raises(PriceTableError, match="cannot read the price table"):
        load_prices(tmp_path / "missing.yaml")


def test_no_type_is_both_free_and_priced_by_a_rule():
    assert set(RULES) & set(load_prices().free) == set()


def test_usage_overrides_of_an_environment_replace_single_keys_of_the_defaults():
    dev, prod = load_usage("dev"), load_usage("prod")
    assert (prod.requests_per_month, dev.requests_per_month) == (30_000_000, 1_000_000)
    assert dev.rds_backup_ratio == prod.rds_backup_ratio == 1.5
    assert dev.per_resource("log_gb_per_day", "log-payments-vpcflow") == 0.2
    assert prod.per_resource("log_gb_per_day", "log-payments-vpcflow") == 1.0
    assert prod.per_resource("log_gb_per_day", "log-payments-anything-else") == 0.01


def test_a_bad_usage_value_names_the_environment_key_and_value():
    with pytest.raises(UsageError) as e:
        usage_for({"defaults": {**_usage_defaults(), "nat_gb_per_month": -5}}, "dev", "usage.yaml")
    assert str(e.value) == "usage.yaml for dev: nat_gb_per_month = -5: input should be greater than or equal to 0"


def test_a_per_resource_mapping_needs_a_default():
    bad = {**_usage_defaults(), "log_gb_per_day": {"log-payments-api": 1.0}}
    with pytest.raises(UsageError, match=r"log_gb_per_day .*'default'"):
        usage_for({"defaults": bad}, "prod")


def _usage_defaults() -> dict:
    from ops.cost.assumptions import USAGE_FILE

    return dict(yaml.safe_load(USAGE_FILE.read_text())["defaults"])
