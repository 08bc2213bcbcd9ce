"""Confirm the catalog against the live account: for preflight, with boto3 clients it passes in.

Pure functions over a client (`ec2`, `rds`), each returning problem lines (empty when all is
well), so preflight can list them with its other findings. They only read (`Describe*` calls).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from shared.aws_catalog import RegionCatalog


def availability_zone_problems(ec2: Any, catalog: RegionCatalog, configured: Iterable[str]) -> list[str]:
    """Whether this account is offered every configured zone, and whether the table still matches the region.

    `describe_availability_zones` lists the zones enabled for the account (state `available` when
    usable). A configured zone the account is not offered stops the deploy; a zone the region has
    but the table lacks (or the reverse) only means the table needs an update.
    """
    response = ec2.describe_availability_zones(
        Filters=[
            {"Name": "region-name", "Values": [catalog.region]},
            {"Name": "zone-type", "Values": ["availability-zone"]},
        ]
    )
    live = {z["ZoneName"]: z.get("State") for z in response["AvailabilityZones"]}
    problems = [
        f"network:availabilityZones: {zone} is not offered to this account in {catalog.region} "
        f"(it has {', '.join(sorted(live))})"
        if zone not in live
        else f"network:availabilityZones: {zone} is {live[zone]}, not available"
        for zone in sorted(set(configured))
        if live.get(zone) != "available"
    ]
    if set(live) != set(catalog.availability_zones):
        problems.append(
            f"{catalog.table_path()} lists zones {', '.join(catalog.availability_zones)} but this account "
            f"sees {', '.join(sorted(live))} in {catalog.region}: update the table (checked {catalog.checked})"
        )
    return problems


def instance_class_problems(rds: Any, catalog: RegionCatalog, engine_major: str, instance_class: str) -> list[str]:
    """Whether RDS offers `instance_class` for PostgreSQL `engine_major` in the region, Multi-AZ.

    `describe_orderable_db_instance_options` filters on full engine versions (17.2), so the call
    asks for the class across all versions and keeps those of the major. The platform runs
    Multi-AZ, so an offer counts only when it is `MultiAZCapable`.
    """
    where = f"data:instanceClass = {instance_class!r} (PostgreSQL {engine_major}, {catalog.region})"
    offers = []
    for page in rds.get_paginator("describe_orderable_db_instance_options").paginate(
        Engine="postgres", DBInstanceClass=instance_class
    ):
        offers += [
            o
            for o in page["OrderableDBInstanceOptions"]
            if str(o.get("EngineVersion", "")).split(".")[0] == engine_major
        ]
    if not offers:
        return [f"{where}: RDS does not offer this class for this major here"]
    if not any(o.get("MultiAZCapable") for o in offers):
        return [f"{where}: RDS offers this class here only single-AZ; the platform runs Multi-AZ"]
    if instance_class not in catalog.instance_classes(engine_major):
        return [f"{where}: offered by RDS but missing from {catalog.table_path()}: add it (checked {catalog.checked})"]
    return []
