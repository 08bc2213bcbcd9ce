"""Which zone `invoke dns` checks and where its name servers come from: the stack output, or Route53 (moto)."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterator
from typing import Any
from unittest import mock

import boto3
import pytest
from moto import mock_aws

from ops.dns.zone import ZoneConfig, ZoneLookupError, ZoneServers, reserve_name_servers, zone_config, zone_servers
from ops.environment.environment import Environment
from shared.layers import lifecycle
from tests.ops.dns.dns_fakes import OutputsEngine

DOMAIN = "api.payments.example.com"
SERVERS = ["ns-1.awsdns-01.org", "ns-2.awsdns-02.co.uk", "ns-3.awsdns-03.com", "ns-4.awsdns-04.net"]
DECLARATION = lifecycle("edge").dns_zone
assert DECLARATION is not None


@pytest.fixture
def route53() -> Iterator[Any]:
    fake = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_SESSION_TOKEN": "testing"}
    with mock.patch.dict(os.environ, fake), mock_aws():
        yield boto3.client("route53", region_name="ap-northeast-2")


def _zone(route53: Any, name: str, *, private: bool = False, reference: str = "1") -> tuple[str, list[str]]:
    """A hosted zone in moto: (its id, its name servers)."""
    extra: dict[str, Any] = {}
    if private:
        vpc = boto3.client("ec2", region_name="ap-northeast-2").create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
        extra = {"VPC": {"VPCRegion": "ap-northeast-2", "VPCId": vpc}, "HostedZoneConfig": {"PrivateZone": True}}
    created = route53.create_hosted_zone(Name=name, CallerReference=reference, **extra)
    zone_id = created["HostedZone"]["Id"].rsplit("/", 1)[-1]
    return zone_id, created.get("DelegationSet", {}).get("NameServers", [])


def _config(zone_id: str = "") -> ZoneConfig:
    assert DECLARATION is not None
    return ZoneConfig("edge", DECLARATION, DOMAIN, zone_id)


def _no_aws() -> Any:
    raise AssertionError("Route53 was not needed")


def test_the_zone_comes_from_the_layer_that_declares_it_in_the_environments_config() -> None:
    assert zone_config(Environment.load("prod")) == ZoneConfig("edge", DECLARATION, "api.payments.example.com", "")
    assert zone_config(Environment.load("dev")).domain == "api.dev.payments.example.com"


def test_a_created_zone_s_servers_are_its_stack_output() -> None:
    engine = OutputsEngine({("edge", "prod"): {"name_servers": SERVERS, "hosted_zone_id": "Z1"}})
    found = zone_servers(_config(), "prod", engine=lambda: engine, route53=_no_aws)
    assert found == ZoneServers(DOMAIN, tuple(SERVERS), "output name_servers of edge/prod")
    assert engine.asked == [("edge", "prod")]


def test_no_stack_yet_says_to_reserve_the_name_servers_before_the_deploy_creates_the_zone() -> None:
    with pytest.raises(ZoneLookupError) as e:
        zone_servers(_config(), "prod", engine=lambda: OutputsEngine(), route53=_no_aws)
    assert str(e.value) == (
        f"the zone of {DOMAIN} does not exist yet: reserve its name servers first with "
        "`invoke dns --env prod --reserve`, add the NS record it prints, then `invoke deploy --layer edge --env prod`"
    )


def test_before_the_zone_exists_reserved_name_servers_are_the_ones_to_delegate(route53: Any) -> None:
    reserved = reserve_name_servers(route53, "edge-api.payments.example.com-prod")
    config = dataclasses.replace(_config(), delegation_set_id=reserved.id)
    found = zone_servers(config, "prod", engine=lambda: OutputsEngine(), route53=lambda: route53)
    assert found == ZoneServers(DOMAIN, reserved.name_servers, f"reusable delegation set {reserved.id}")
    assert len(found.name_servers) == 4


def test_reserving_twice_hands_back_the_same_four_servers(route53: Any) -> None:
    first = reserve_name_servers(route53, "edge-api.payments.example.com-prod")
    again = reserve_name_servers(route53, "edge-api.payments.example.com-prod")
    other = reserve_name_servers(route53, "edge-api.dev.payments.example.com-dev")
    assert (first.created, again.created, other.created) == (True, False, True)
    assert (again.id, again.name_servers) == (first.id, first.name_servers)
    assert len(route53.list_reusable_delegation_sets()["DelegationSets"]) == 2


def test_an_engine_failure_is_one_line() -> None:
    engine = OutputsEngine(error="the Pulumi CLI is not installed")
    with pytest.raises(ZoneLookupError, match=r"^cannot read the stack edge/prod: the Pulumi CLI is not installed$"):
        zone_servers(_config(), "prod", engine=lambda: engine, route53=_no_aws)


def test_a_first_update_that_failed_before_writing_outputs_still_finds_the_zone_by_name(route53: Any) -> None:
    zone_id, servers = _zone(route53, DOMAIN)
    _zone(route53, f"other.{DOMAIN}", reference="2")  # listed after it by name, not the same zone
    engine = OutputsEngine({("edge", "prod"): {}})
    found = zone_servers(_config(), "prod", engine=lambda: engine, route53=lambda: route53)
    assert found == ZoneServers(
        DOMAIN, tuple(servers), f"Route53 zone {zone_id}; edge/prod has no name_servers output yet"
    )
    assert len(servers) == 4


def test_two_public_zones_of_the_domain_are_refused_by_name(route53: Any) -> None:
    first, _ = _zone(route53, DOMAIN, reference="1")
    second, _ = _zone(route53, DOMAIN, reference="2")
    engine = OutputsEngine({("edge", "prod"): {}})
    with pytest.raises(ZoneLookupError) as e:
        zone_servers(_config(), "prod", engine=lambda: engine, route53=lambda: route53)
    ids = ", ".join(sorted([first, second]))
    assert str(e.value) == (
        f"Route53 holds 2 public zones named {DOMAIN} ({ids}): keep the one the stack manages and delete the "
        "others, or the parent cannot tell which to delegate to"
    )


def test_a_stack_without_output_and_no_zone_of_that_name_says_to_deploy(route53: Any) -> None:
    engine = OutputsEngine({("edge", "prod"): {}})
    with pytest.raises(ZoneLookupError, match=r"does not exist yet: `invoke deploy --layer edge --env prod`"):
        zone_servers(_config(), "prod", engine=lambda: engine, route53=lambda: route53)


def test_an_existing_zone_s_servers_and_name_come_from_route53(route53: Any) -> None:
    # The configured zone is the parent's: that is the name the registrar must delegate.
    zone_id, servers = _zone(route53, "payments.example.com")
    found = zone_servers(_config(zone_id), "prod", engine=_no_aws, route53=lambda: route53)
    assert found == ZoneServers("payments.example.com", tuple(servers), f"Route53 zone {zone_id}")


def test_an_existing_zone_that_is_not_there_is_one_line_naming_the_key(route53: Any) -> None:
    with pytest.raises(ZoneLookupError) as e:
        zone_servers(_config("Z0123456789ABCDEFGHIJ"), "prod", engine=_no_aws, route53=lambda: route53)
    assert str(e.value) == (
        "edge:hostedZoneId = 'Z0123456789ABCDEFGHIJ': Route53 has no hosted zone Z0123456789ABCDEFGHIJ in this account"
    )


def test_a_private_zone_cannot_be_delegated_to(route53: Any) -> None:
    zone_id, _ = _zone(route53, DOMAIN, private=True)
    with pytest.raises(ZoneLookupError) as e:
        zone_servers(_config(zone_id), "prod", engine=_no_aws, route53=lambda: route53)
    assert str(e.value) == f"edge:hostedZoneId = {zone_id!r}: is a private zone; public DNS cannot delegate to it"
