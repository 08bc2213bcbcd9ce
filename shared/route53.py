"""Reading Route53 the one way the tooling and the layers' checks both need: the public zones of a name.

boto3 clients are passed in; this module imports no AWS SDK, so layer packages may use it.
"""

from __future__ import annotations

from typing import Any


def dns_name(name: str) -> str:
    """A DNS name as compared here: lowercase, without surrounding blanks or the trailing dot."""
    return name.strip().rstrip(".").lower()


def public_zone_ids(route53: Any, domain: str) -> list[str]:
    """The ids of the public hosted zones named exactly `domain`, sorted (`ListHostedZonesByName`).

    The call lists zones in name order starting at `domain`, so the first page holds every zone of
    that name unless more than 100 share it. Private zones of the same name do not count: the parent
    domain cannot delegate to them. Raises botocore's errors as they come.
    """
    listed = route53.list_hosted_zones_by_name(DNSName=dns_name(domain), MaxItems="100")["HostedZones"]
    return sorted(
        zone["Id"].rsplit("/", 1)[-1]
        for zone in listed
        if dns_name(zone["Name"]) == dns_name(domain) and not zone.get("Config", {}).get("PrivateZone")
    )
