"""The public zones of a name, as both `invoke dns` and edge's preflight read them (moto Route53)."""

from __future__ import annotations

import boto3
from moto import mock_aws

from shared.route53 import dns_name, public_zone_ids


def test_only_public_zones_of_exactly_that_name_count() -> None:
    with mock_aws():
        route53 = boto3.client("route53", region_name="us-east-1")

        def zone(name: str, private: bool = False) -> str:
            extra = {"VPC": {"VPCRegion": "ap-northeast-2", "VPCId": "vpc-1"}} if private else {}
            made = route53.create_hosted_zone(
                Name=name, CallerReference=f"{name}-{private}", HostedZoneConfig={"PrivateZone": private}, **extra
            )
            return str(made["HostedZone"]["Id"]).rsplit("/", 1)[-1]

        public = zone("api.payments.example.com.")
        zone("api.payments.example.com", private=True)  # the parent cannot delegate to it
        zone("v2.api.payments.example.com")  # listed right after it, another name
        assert public_zone_ids(route53, "API.payments.example.com") == [public]
        assert public_zone_ids(route53, "new.payments.example.com") == []


def test_names_compare_without_case_blanks_or_the_trailing_dot() -> None:
    assert dns_name(" NS-1.AWSDNS-01.ORG. ") == "ns-1.awsdns-01.org"
