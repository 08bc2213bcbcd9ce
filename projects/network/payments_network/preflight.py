"""What preflight checks for the network layer before it is deployed (read-only AWS calls)."""

from __future__ import annotations

from botocore.exceptions import ClientError

from payments_network.settings import NetworkSettings
from shared.aws_catalog import region_catalog
from shared.aws_catalog.live import availability_zone_problems
from shared.lifecycle import Grant, GrantContext, PreflightContext


def check_availability_zones_of(ctx: PreflightContext) -> str | None:
    """Preflight hook: this account is offered every configured zone, and the region's table still matches AWS.

    The settings already refuse a zone the table lacks; only the account can say whether it is
    offered that zone (an account may not be offered every zone of a region). Unreadable network
    settings yield no check: preflight reports them as config problems.
    """
    settings = ctx.settings("network")
    if not isinstance(settings, NetworkSettings):
        return None
    try:
        problems = availability_zone_problems(
            ctx.aws.client("ec2"), region_catalog(settings.region), settings.availability_zones
        )
    except ClientError as e:
        code = e.response.get("Error", {}).get("Code", "")
        return (
            f"network:availabilityZones: cannot confirm them in {settings.region} ({code}): "
            "these credentials need ec2:DescribeAvailabilityZones"
        )
    return "; ".join(problems) or None


def availability_zone_grants(ctx: GrantContext) -> list[Grant]:
    """What `check_availability_zones_of` reads: the zones offered (an action with no resource type)."""
    return [Grant(("ec2:DescribeAvailabilityZones",), ("*",))]
