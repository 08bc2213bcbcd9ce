"""The network layer's settings: every key declared in `projects/network/Pulumi.yaml`."""

from __future__ import annotations

import ipaddress
import itertools
from typing import Literal, Self

from pydantic import field_validator, model_validator

from shared.settings import InvalidSetting, StackSettings, ipv4_network, log_retention


class NetworkSettings(StackSettings):
    vpc_cidr: str
    availability_zones: tuple[str, ...]
    public_subnet_cidrs: tuple[str, ...]
    private_subnet_cidrs: tuple[str, ...]
    nat_gateways: Literal["per-az", "single"]
    flow_log_retention_days: int
    flow_log_traffic_type: Literal["ALL", "ACCEPT", "REJECT"]

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
