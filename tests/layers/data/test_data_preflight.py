"""The data layer's preflight check: RDS offers the configured instance class (RDS answers stubbed)."""

from __future__ import annotations

from typing import Any

import boto3
from botocore.stub import Stubber

from payments_data.lifecycle import LIFECYCLE
from payments_data.preflight import check_instance_class_of
from tests.layers.layer_settings import layer_settings
from tests.layers.preflight_context import FakePreflightContext, StubClients

REGION = "ap-northeast-2"


def _offer(version: str, instance_class: str = "db.t3.micro", multi_az: bool = True) -> dict[str, Any]:
    return {
        "Engine": "postgres",
        "EngineVersion": version,
        "DBInstanceClass": instance_class,
        "MultiAZCapable": multi_az,
    }


def _check(*pages: list[dict[str, Any]], error: str = "", **overrides: str) -> str | None:
    """The check over stubbed RDS answers, one per page; asserts it asked for the configured class."""
    settings = layer_settings("data", **overrides)
    rds = boto3.client("rds", region_name=REGION, aws_access_key_id="a", aws_secret_access_key="b")
    asked = {"Engine": "postgres", "DBInstanceClass": settings.instance_class}
    with Stubber(rds) as stub:
        if error:
            stub.add_client_error("describe_orderable_db_instance_options", service_error_code=error)
        for i, page in enumerate(pages):
            more = {"Marker": f"page{i + 1}"} if i + 1 < len(pages) else {}
            stub.add_response(
                "describe_orderable_db_instance_options",
                {"OrderableDBInstanceOptions": page, **more},
                {**asked, **({"Marker": f"page{i}"} if i else {})},
            )
        problem = check_instance_class_of(FakePreflightContext(StubClients({"rds": rds}), {"data": settings}))
        stub.assert_no_pending_responses()
    return problem


def test_a_class_rds_offers_for_the_major_multi_az_passes() -> None:
    assert _check([_offer("16.4")], [_offer("17.2")]) is None  # the offer of 17 is on the second page


def test_a_class_offered_only_for_other_majors_stops_the_deploy() -> None:
    assert _check([_offer("15.8"), _offer("16.4")]) == (
        "data:instanceClass = 'db.t3.micro' (PostgreSQL 17, ap-northeast-2): RDS does not offer this class for this "
        "major here"
    )


def test_a_class_offered_only_single_az_stops_the_deploy() -> None:
    assert _check([_offer("17.2", multi_az=False)]) == (
        "data:instanceClass = 'db.t3.micro' (PostgreSQL 17, ap-northeast-2): RDS offers this class here only "
        "single-AZ; the platform runs Multi-AZ"
    )


def test_an_offered_class_other_than_the_default_is_confirmed_for_its_own_name() -> None:
    assert _check([_offer("17.2", "db.r6g.large")], instanceClass="db.r6g.large") is None


def test_refused_call_is_one_line_naming_the_permission() -> None:
    assert _check(error="AccessDenied") == (
        "data:instanceClass = 'db.t3.micro': cannot confirm it with RDS in ap-northeast-2 (AccessDenied): "
        "these credentials need rds:DescribeOrderableDBInstanceOptions"
    )


def test_unreadable_settings_are_left_to_the_config_check() -> None:
    assert check_instance_class_of(FakePreflightContext(StubClients({}), {"data": None})) is None


def test_the_check_runs_before_a_deploy_only() -> None:
    # A teardown creates nothing: an instance of a class RDS no longer offers can still be deleted.
    checks = {check.name: (check.run, check.when) for check in LIFECYCLE.preflight}
    assert checks["instance-class"] == (check_instance_class_of, "deploy-only")
