"""The network layer's preflight check: the configured zones are offered to this account (EC2 answers stubbed)."""

from __future__ import annotations

import json
from typing import Any

import boto3
from botocore.stub import Stubber

from payments_network.lifecycle import LIFECYCLE
from payments_network.preflight import check_availability_zones_of
from tests.layers.layer_settings import layer_settings
from tests.layers.preflight_context import FakePreflightContext, StubClients

REGION = "ap-northeast-2"
FILTERS = [
    {"Name": "region-name", "Values": [REGION]},
    {"Name": "zone-type", "Values": ["availability-zone"]},
]


def _zones(**states: str) -> dict[str, Any]:
    return {
        "AvailabilityZones": [
            {"ZoneName": f"{REGION}{suffix}", "State": state, "RegionName": REGION, "ZoneType": "availability-zone"}
            for suffix, state in sorted(states.items())
        ]
    }


def _check(response: dict[str, Any] | None, error: str = "", **overrides: str) -> str | None:
    ec2 = boto3.client("ec2", region_name=REGION, aws_access_key_id="a", aws_secret_access_key="b")
    with Stubber(ec2) as stub:
        if error:
            stub.add_client_error("describe_availability_zones", service_error_code=error, http_status_code=403)
        else:
            stub.add_response("describe_availability_zones", response, {"Filters": FILTERS})
        ctx = FakePreflightContext(StubClients({"ec2": ec2}), {"network": layer_settings("network", **overrides)})
        problem = check_availability_zones_of(ctx)
        stub.assert_no_pending_responses()
    return problem


ALL_FOUR = {"a": "available", "b": "available", "c": "available", "d": "available"}


def test_zones_the_account_is_offered_pass() -> None:
    assert _check(_zones(**ALL_FOUR)) is None


def test_a_configured_zone_this_account_is_not_offered_stops_the_deploy() -> None:
    problem = _check(
        _zones(a="available", b="available", c="available"),
        availabilityZones=json.dumps([f"{REGION}a", f"{REGION}d"]),
        publicSubnetCidrs=json.dumps(["10.10.0.0/24", "10.10.1.0/24"]),
        privateSubnetCidrs=json.dumps(["10.10.16.0/20", "10.10.32.0/20"]),
    )
    assert problem == (
        f"network:availabilityZones: {REGION}d is not offered to this account in {REGION} "
        f"(it has {REGION}a, {REGION}b, {REGION}c); shared/aws_catalog/{REGION}.yaml lists zones {REGION}a, "
        f"{REGION}b, {REGION}c, {REGION}d but this account sees {REGION}a, {REGION}b, {REGION}c in {REGION}: "
        "update the table (checked 2026-12-01)"
    )


def test_an_impaired_configured_zone_is_reported() -> None:
    problem = _check(_zones(**{**ALL_FOUR, "c": "impaired"}))
    assert problem == f"network:availabilityZones: {REGION}c is impaired, not available"


def test_refused_call_is_one_line_naming_the_permission() -> None:
    assert _check(None, error="UnauthorizedOperation") == (
        f"network:availabilityZones: cannot confirm them in {REGION} (UnauthorizedOperation): "
        "these credentials need ec2:DescribeAvailabilityZones"
    )


def test_unreadable_settings_are_left_to_the_config_check() -> None:
    assert check_availability_zones_of(FakePreflightContext(StubClients({}), {"network": None})) is None


def test_the_check_runs_before_a_deploy_only() -> None:
    # A teardown needs no zone to be offered: what exists there is deleted, nothing is created.
    (check,) = LIFECYCLE.preflight
    assert (check.name, check.when, check.run) == ("availability-zones", "deploy-only", check_availability_zones_of)
