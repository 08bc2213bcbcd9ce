"""The network layer's settings: every key declared in `projects/network/Pulumi.yaml`."""

from __future__ import annotations

import ipaddress
import itertools
import re
from typing import Literal, Self
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, field_validator, model_validator
from pydantic.alias_generators import to_camel

from shared.settings import InvalidSetting, StackSettings, ipv4_network, log_retention

_SNS_ARN = re.compile(r"^arn:aws[a-z-]*:sns:(?P<region>[a-z]{2}(-[a-z]+)+-\d):\d{12}:[A-Za-z0-9_-]{1,256}$")
_EMAIL = re.compile(r"^[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$")
# A year of audit history is what PCI DSS asks an auditor to be able to read.
PROTECTED_MIN_ARCHIVE_DAYS = 365


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


class NetworkSettings(StackSettings):
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

    @model_validator(mode="after")
    def _observability(self) -> Self:
        arn = _SNS_ARN.match(self.alarm_topic_arn)
        if arn and arn["region"] != self.region:
            raise InvalidSetting(
                "alarmTopicArn",
                self.alarm_topic_arn,
                f"expected a topic in {self.region}: CloudWatch alarms notify topics of their own region",
            )
        if self.protected and self.audit_archive_retention_days < PROTECTED_MIN_ARCHIVE_DAYS:
            raise InvalidSetting(
                "auditArchiveRetentionDays",
                self.audit_archive_retention_days,
                f"expected at least {PROTECTED_MIN_ARCHIVE_DAYS} in prod (a year of audit history)",
            )
        return self

    @model_validator(mode="after")
    def _topology(self) -> Self:
        azs = self.availability_zones
        if len(azs) < 2 or len(set(azs)) != len(azs):
            raise InvalidSetting("availabilityZones", list(azs), "expected at least 2 distinct AZ names")
        for az in azs:
            if not (az.startswith(self.region) and len(az) == len(self.region) + 1 and az[-1].isalpha()):
                raise InvalidSetting(
                    "availabilityZones", list(azs), f"expected AZ names of {self.region}, e.g. {self.region}a"
                )
        vpc = ipaddress.IPv4Network(self.vpc_cidr)
        subnets: list[tuple[str, ipaddress.IPv4Network]] = []
        for key, cidrs in (
            ("publicSubnetCidrs", self.public_subnet_cidrs),
            ("privateSubnetCidrs", self.private_subnet_cidrs),
        ):
            if len(cidrs) != len(azs):
                raise InvalidSetting(key, list(cidrs), f"expected one CIDR per AZ ({len(azs)}), in AZ order")
            for cidr in cidrs:
                net = ipaddress.IPv4Network(cidr)
                if not net.subnet_of(vpc):
                    raise InvalidSetting(
                        key, list(cidrs), f"expected subnets inside vpcCidr {self.vpc_cidr}; {cidr} is not"
                    )
                subnets.append((key, net))
        for (key_a, a), (key_b, b) in itertools.combinations(subnets, 2):
            if a.overlaps(b):
                raise InvalidSetting(key_b, str(b), f"expected non-overlapping subnets; {b} overlaps {a} ({key_a})")
        if self.protected and self.nat_gateways != "per-az":
            raise InvalidSetting("natGateways", self.nat_gateways, "expected per-az in prod (one NAT per AZ for HA)")
        return self

    def subnets_by_az(self) -> dict[str, tuple[str, str]]:
        """AZ name -> (public CIDR, private CIDR), keyed by AZ so reordering never renames."""
        return {
            az: (pub, priv)
            for az, pub, priv in zip(
                self.availability_zones, self.public_subnet_cidrs, self.private_subnet_cidrs, strict=True
            )
        }
