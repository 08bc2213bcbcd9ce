"""The per-region table of what exists, and its live confirmation (EC2 on moto; RDS on botocore's Stubber,
since moto answers `describe_orderable_db_instance_options` only for Aurora and Neptune)."""

from __future__ import annotations

import dataclasses
import datetime
from pathlib import Path

import boto3
import pytest
import yaml
from botocore.stub import Stubber
from moto import mock_aws

from payments_data.settings import POSTGRES_MAJORS
from shared.aws_catalog import UnknownRegionError, region_catalog
from shared.aws_catalog.live import availability_zone_problems, instance_class_problems
from shared.settings import SUPPORTED_REGIONS

SEOUL = region_catalog("ap-northeast-2")
TABLE = Path(__file__).resolve().parents[2] / "shared" / "aws_catalog" / "ap-northeast-2.yaml"


@pytest.mark.parametrize("region", SUPPORTED_REGIONS)
def test_every_supported_region_has_a_table_with_its_sources_and_date(region: str) -> None:
    raw = yaml.safe_load((Path(TABLE).parent / f"{region}.yaml").read_text())
    assert raw["region"] == region
    assert isinstance(raw["checked"], datetime.date)
    assert set(raw["sources"]) == {"availability_zones", "rds_postgres_instance_classes"}
    assert all("describe" in text for text in raw["sources"].values())  # says how to re-check it
    catalog = region_catalog(region)
    assert {major: bool(catalog.instance_classes(major)) for major in POSTGRES_MAJORS} == dict.fromkeys(
        POSTGRES_MAJORS, True
    )


def test_seoul_has_four_zones_and_the_platform_default_class_for_every_major() -> None:
    assert SEOUL.availability_zones == ("ap-northeast-2a", "ap-northeast-2b", "ap-northeast-2c", "ap-northeast-2d")
    assert all("db.t3.micro" in SEOUL.instance_classes(major) for major in POSTGRES_MAJORS)
    assert "db.t2.micro" not in SEOUL.instance_classes("17")  # previous generations are left out
    assert SEOUL.instance_classes("9.6") == ()


def test_a_region_without_a_table_is_named() -> None:
    with pytest.raises(UnknownRegionError, match=r"add shared/aws_catalog/eu-west-9.yaml"):
        region_catalog("eu-west-9")


# Live confirmation: availability zones ---------------------------------------------------------


@pytest.fixture
def ec2():
    with mock_aws():
        yield boto3.client("ec2", region_name="ap-northeast-2")


def test_configured_zones_the_account_has_and_a_current_table_give_no_problem(ec2) -> None:
    assert availability_zone_problems(ec2, SEOUL, ["ap-northeast-2a", "ap-northeast-2c"]) == []


def test_a_zone_the_account_is_not_offered_is_named_with_the_ones_it_has(ec2) -> None:
    assert availability_zone_problems(ec2, SEOUL, ["ap-northeast-2a", "ap-northeast-2e"]) == [
        "network:availabilityZones: ap-northeast-2e is not offered to this account in ap-northeast-2 "
        "(it has ap-northeast-2a, ap-northeast-2b, ap-northeast-2c, ap-northeast-2d)"
    ]


def test_a_table_that_no_longer_matches_the_region_asks_for_an_update(ec2) -> None:
    stale = dataclasses.replace(SEOUL, availability_zones=("ap-northeast-2a", "ap-northeast-2c"))
    assert availability_zone_problems(ec2, stale, ["ap-northeast-2a"]) == [
        "shared/aws_catalog/ap-northeast-2.yaml lists zones ap-northeast-2a, ap-northeast-2c but this account sees "
        f"ap-northeast-2a, ap-northeast-2b, ap-northeast-2c, ap-northeast-2d in ap-northeast-2: update the table "
        f"(checked {SEOUL.checked})"
    ]


# Live confirmation: RDS instance classes -------------------------------------------------------


def _offer(version: str, cls: str, *, multi_az: bool = True) -> dict[str, object]:
    return {"Engine": "postgres", "EngineVersion": version, "DBInstanceClass": cls, "MultiAZCapable": multi_az}


def _rds(pages: list[list[dict[str, object]]], cls: str) -> tuple[object, Stubber]:
    client = boto3.client("rds", region_name="ap-northeast-2", aws_access_key_id="x", aws_secret_access_key="x")
    stub = Stubber(client)
    for i, page in enumerate(pages):
        expected = {"Engine": "postgres", "DBInstanceClass": cls, **({"Marker": f"m{i}"} if i else {})}
        response = {"OrderableDBInstanceOptions": page, **({"Marker": f"m{i + 1}"} if i + 1 < len(pages) else {})}
        stub.add_response("describe_orderable_db_instance_options", response, expected)
    stub.activate()
    return client, stub


def test_a_class_offered_multi_az_for_the_major_and_in_the_table_gives_no_problem() -> None:
    # The offer for 17 is on the second page: every page is read.
    rds, stub = _rds([[_offer("16.4", "db.t3.micro")], [_offer("17.2", "db.t3.micro")]], "db.t3.micro")
    assert instance_class_problems(rds, SEOUL, "17", "db.t3.micro") == []
    stub.assert_no_pending_responses()


def test_a_class_rds_does_not_offer_for_the_major_is_named() -> None:
    rds, _ = _rds([[_offer("15.8", "db.m5.large"), _offer("16.4", "db.m5.large")]], "db.m5.large")
    assert instance_class_problems(rds, SEOUL, "17", "db.m5.large") == [
        "data:instanceClass = 'db.m5.large' (PostgreSQL 17, ap-northeast-2): RDS does not offer this class "
        "for this major here"
    ]


def test_a_class_offered_only_single_az_is_refused_because_the_platform_runs_multi_az() -> None:
    rds, _ = _rds([[_offer("17.2", "db.t3.micro", multi_az=False)]], "db.t3.micro")
    assert instance_class_problems(rds, SEOUL, "17", "db.t3.micro") == [
        "data:instanceClass = 'db.t3.micro' (PostgreSQL 17, ap-northeast-2): RDS offers this class here only "
        "single-AZ; the platform runs Multi-AZ"
    ]


def test_a_class_rds_offers_but_the_table_lacks_asks_for_a_table_update() -> None:
    rds, _ = _rds([[_offer("17.2", "db.m8g.large")]], "db.m8g.large")
    assert instance_class_problems(rds, SEOUL, "17", "db.m8g.large") == [
        "data:instanceClass = 'db.m8g.large' (PostgreSQL 17, ap-northeast-2): offered by RDS but missing from "
        f"shared/aws_catalog/ap-northeast-2.yaml: add it (checked {SEOUL.checked})"
    ]
