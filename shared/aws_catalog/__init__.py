"""What exists in each supported region: availability zones and RDS for PostgreSQL instance classes.

One YAML table per region beside this module (`<region>.yaml`), with its sources and the date it
was checked. The settings check config against it offline; `shared.aws_catalog.live` confirms it
against the live account in preflight.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import yaml

_DIR = Path(__file__).parent


class UnknownRegionError(LookupError):
    """No table for this region: add `shared/aws_catalog/<region>.yaml`."""


@dataclass(frozen=True)
class RegionCatalog:
    """One region's table."""

    region: str
    checked: str
    availability_zones: tuple[str, ...]
    # PostgreSQL major -> instance classes, sorted.
    rds_postgres_classes: dict[str, tuple[str, ...]]

    def instance_classes(self, engine_major: str) -> tuple[str, ...]:
        """The RDS for PostgreSQL instance classes of `engine_major` (empty for a major not in the table)."""
        return self.rds_postgres_classes.get(engine_major, ())

    def table_path(self) -> str:
        """Where the table lives in the repository, for messages that tell the user where to look."""
        return f"shared/aws_catalog/{self.region}.yaml"


@functools.cache
def region_catalog(region: str) -> RegionCatalog:
    """The table of `region`, read once per process."""
    path = _DIR / f"{region}.yaml"
    if not path.is_file():
        raise UnknownRegionError(f"no AWS catalog for {region}: add shared/aws_catalog/{region}.yaml")
    data = yaml.safe_load(path.read_text())
    families: dict[str, list[str]] = data["rds_postgres"]["families"]
    classes = {
        str(major): tuple(sorted(f"{family}.{size}" for family in fams for size in families[family]))
        for major, fams in data["rds_postgres"]["majors"].items()
    }
    return RegionCatalog(
        region=data["region"],
        checked=str(data["checked"]),
        availability_zones=tuple(data["availability_zones"]),
        rds_postgres_classes=classes,
    )
