"""The network layer's settings: every key declared in `projects/network/Pulumi.yaml`."""

from __future__ import annotations

import ipaddress
import itertools
import re
from collections.abc import Iterator
from typing import Literal, Self
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, field_validator, model_validator
from pydantic.alias_generators import to_camel

from shared.alarms import AlarmWindowSettings
from shared.aws_catalog import region_catalog
from shared.settings import InvalidSetting, cross_check, ipv4_network, log_retention

_SNS_ARN = re.compile(r"^arn:aws[a-z-]*:sns:(?P<region>[a-z]{2}(-[a-z]+)+-\d):\d{12}:[A-Za-z0-9_-]{1,256}$")
_EMAIL = re.compile(r"^[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$")
# A year of audit history is what PCI DSS asks an auditor to be able to read.
PROTECTED_MIN_ARCHIVE_DAYS = 365
# The archive stream flushes every 5 minutes (`payments_network.audit_archive.BUFFER_SECONDS`), so
# a record up to that old is normal; Firehose retries S3 for at most 24 hours, then gives up on it.
MIN_FRESHNESS_ALARM_SECONDS = 600
MAX_FRESHNESS_ALARM_SECONDS = 86_400


class AlarmSubscription(BaseModel):
    """One endpoint the alarm topic notifies: an email address or an https:// URL."""

    model_config = ConfigDict(frozen=True, extra="forbid", alias_generator=to_camel, populate_by_name=True)

    protocol: Literal["email", "https"]
    endpoint: str

    @model_validator(mode="after")
    def _endpoint_fits_protocol(self) -> Self:
        if self.protocol == "email" and not _EMAIL.match(self.endpoint):
            raise ValueError(f"expected an email address for protocol email, not {self.endpoint!r}")
        if self.protocol == "https":
            url = urlsplit(self.endpoint)
            if url.scheme != "https" or not url.hostname or any(c.isspace() for c in self.endpoint):
                raise ValueError(f"expected an https:// URL for protocol https, not {self.endpoint!r}")
        return self


class NetworkSettings(AlarmWindowSettings):
    vpc_cidr: str
    availability_zones: tuple[str, ...]
    public_subnet_cidrs: tuple[str, ...]
    private_subnet_cidrs: tuple[str, ...]
    nat_gateways: Literal["per-az", "single"]
    flow_log_retention_days: int
    flow_log_traffic_type: Literal["ALL", "ACCEPT", "REJECT"]
    alarm_topic_arn: str
    alarm_subscriptions: tuple[AlarmSubscription, ...]
    audit_archive_retention_days: int
    alarm_archive_freshness_seconds: int

    @field_validator("vpc_cidr")
    @classmethod
    def _vpc_cidr(cls, v: str) -> str:
        ipv4_network(v, min_prefix=16, max_prefix=24)
        return v

    @field_validator("public_subnet_cidrs", "private_subnet_cidrs")
    @classmethod
    def _subnet_cidrs(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        for cidr in v:
            ipv4_network(cidr, min_prefix=16, max_prefix=28)
        return v

    @field_validator("flow_log_retention_days")
    @classmethod
    def _retention(cls, v: int) -> int:
        return log_retention(v)

    @field_validator("alarm_topic_arn")
    @classmethod
    def _topic_arn(cls, v: str) -> str:
        if v and not _SNS_ARN.match(v):
            raise ValueError(
                "expected empty (create the topic) or an SNS topic ARN such as "
                "arn:aws:sns:ap-northeast-2:123456789012:payments-alarms"
            )
        return v

    @field_validator("alarm_subscriptions")
    @classmethod
    def _distinct_endpoints(cls, v: tuple[AlarmSubscription, ...]) -> tuple[AlarmSubscription, ...]:
        endpoints = [s.endpoint for s in v]
        if len(set(endpoints)) != len(endpoints):
            raise ValueError("expected each endpoint once")
        return v

    @field_validator("audit_archive_retention_days")
    @classmethod
    def _archive_days(cls, v: int) -> int:
        if not 1 <= v <= 3650:
            raise ValueError("expected 1-3650 days")
        return v

    @field_validator("alarm_archive_freshness_seconds")
    @classmethod
    def _freshness(cls, v: int) -> int:
        if not MIN_FRESHNESS_ALARM_SECONDS <= v <= MAX_FRESHNESS_ALARM_SECONDS:
            raise ValueError(
                f"expected {MIN_FRESHNESS_ALARM_SECONDS}-{MAX_FRESHNESS_ALARM_SECONDS} seconds: above the stream's "
                "5-minute buffer, at most the 24 hours Firehose retries delivery"
            )
        return v

    @cross_check("alarm_topic_arn", "region", "env", "audit_archive_retention_days")
    def _observability(self) -> Iterator[InvalidSetting]:
        arn = _SNS_ARN.match(self.alarm_topic_arn)
        if arn and arn["region"] != self.region:
            yield InvalidSetting(
                "alarmTopicArn",
                self.alarm_topic_arn,
                f"expected a topic in {self.region}: CloudWatch alarms notify topics of their own region",
            )
        if self.protected and self.audit_archive_retention_days < PROTECTED_MIN_ARCHIVE_DAYS:
            yield InvalidSetting(
                "auditArchiveRetentionDays",
                self.audit_archive_retention_days,
                f"expected at least {PROTECTED_MIN_ARCHIVE_DAYS} in prod (a year of audit history)",
            )

    @cross_check("availability_zones", "region")
    def _zones_exist(self) -> Iterator[InvalidSetting]:
        azs = self.availability_zones
        if len(azs) < 2 or len(set(azs)) != len(azs):
            yield InvalidSetting("availabilityZones", list(azs), "expected at least 2 distinct AZ names")
        if not all(az.startswith(self.region) and len(az) == len(self.region) + 1 and az[-1].isalpha() for az in azs):
            yield InvalidSetting(
                "availabilityZones", list(azs), f"expected AZ names of {self.region}, e.g. {self.region}a"
            )
            return
        catalog = region_catalog(self.region)
        missing = [az for az in azs if az not in catalog.availability_zones]
        if missing:
            yield InvalidSetting(
                "availabilityZones",
                list(azs),
                f"expected zones {self.region} has ({', '.join(catalog.availability_zones)}, "
                f"per {catalog.table_path()}); {', '.join(missing)} "
                + ("does" if len(missing) == 1 else "do")
                + " not exist",
            )

    @cross_check("availability_zones", "public_subnet_cidrs", "private_subnet_cidrs", "vpc_cidr")
    def _subnets_per_az_inside_the_vpc(self) -> Iterator[InvalidSetting]:
        azs = self.availability_zones
        vpc = ipaddress.IPv4Network(self.vpc_cidr)
        for key, cidrs in self._subnet_lists():
            if len(cidrs) != len(azs):
                yield InvalidSetting(key, list(cidrs), f"expected one CIDR per AZ ({len(azs)}), in AZ order")
            outside = [cidr for cidr in cidrs if not ipaddress.IPv4Network(cidr).subnet_of(vpc)]
            if outside:
                yield InvalidSetting(
                    key, list(cidrs), f"expected subnets inside vpcCidr {self.vpc_cidr}; {outside[0]} is not"
                )

    @cross_check("public_subnet_cidrs", "private_subnet_cidrs")
    def _subnets_do_not_overlap(self) -> Iterator[InvalidSetting]:
        subnets = [(key, ipaddress.IPv4Network(c)) for key, cidrs in self._subnet_lists() for c in cidrs]
        reported: set[int] = set()  # one line per offending subnet, naming the first it overlaps
        for (_, (key_a, a)), (j, (key_b, b)) in itertools.combinations(enumerate(subnets), 2):
            if j not in reported and a.overlaps(b):
                reported.add(j)
                yield InvalidSetting(key_b, str(b), f"expected non-overlapping subnets; {b} overlaps {a} ({key_a})")

    @cross_check("env", "nat_gateways")
    def _nat_per_az_when_protected(self) -> Iterator[InvalidSetting]:
        if self.protected and self.nat_gateways != "per-az":
            yield InvalidSetting("natGateways", self.nat_gateways, "expected per-az in prod (one NAT per AZ for HA)")

    def _subnet_lists(self) -> tuple[tuple[str, tuple[str, ...]], ...]:
        return (("publicSubnetCidrs", self.public_subnet_cidrs), ("privateSubnetCidrs", self.private_subnet_cidrs))

    def subnets_by_az(self) -> dict[str, tuple[str, str]]:
        """AZ name -> (public CIDR, private CIDR), keyed by AZ so reordering never renames."""
        return {
            az: (pub, priv)
            for az, pub, priv in zip(
                self.availability_zones, self.public_subnet_cidrs, self.private_subnet_cidrs, strict=True
            )
        }
