"""`Vpc`: the VPC, its subnets per AZ, the internet and NAT gateways, and the routes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws

from shared.naming import Namer
from shared.tags import with_name


@dataclass(frozen=True)
class VpcArgs:
    namer: Namer
    cidr: str
    subnets_by_az: dict[str, tuple[str, str]]  # AZ -> (public CIDR, private CIDR)
    nat_per_az: bool
    tags: dict[str, str]


class Vpc(pulumi.ComponentResource):
    """A VPC with one public and one private subnet per AZ.

    Public subnets route 0.0.0.0/0 to the internet gateway. Each private subnet has its own
    route table whose default route goes to the NAT gateway in the same AZ (or, with a single
    NAT, to the one NAT in the first AZ). Children are keyed by AZ name, never by position.
    """

    vpc: aws.ec2.Vpc
    public_subnets: dict[str, aws.ec2.Subnet]
    private_subnets: dict[str, aws.ec2.Subnet]
    nat_gateways: dict[str, aws.ec2.NatGateway]
    eips: dict[str, aws.ec2.Eip]
    default_network_acl: aws.ec2.DefaultNetworkAcl

    def __init__(self, name: str, args: VpcArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("payments:network:Vpc", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        n, tags = args.namer, args.tags
        azs = sorted(args.subnets_by_az)

        self.vpc = aws.ec2.Vpc(
            n("vpc"),
            cidr_block=args.cidr,
            enable_dns_hostnames=True,  # RDS endpoints and interface endpoints resolve privately
            enable_dns_support=True,
            tags=with_name(tags, n("vpc")),
            opts=child,
        )
        # Adopt the default security group and strip every rule: nothing may use it by accident.
        aws.ec2.DefaultSecurityGroup(
            n("sg", "default"),
            vpc_id=self.vpc.id,
            ingress=[],
            egress=[],
            tags=with_name(tags, n("sg", "default")),
            opts=child,
        )
        igw = aws.ec2.InternetGateway(n("igw"), vpc_id=self.vpc.id, tags=with_name(tags, n("igw")), opts=child)

        self.public_subnets, self.private_subnets = {}, {}
        for az in azs:
            public_cidr, private_cidr = args.subnets_by_az[az]
            self.public_subnets[az] = aws.ec2.Subnet(
                n("subnet", f"public-{az}"),
                vpc_id=self.vpc.id,
                cidr_block=public_cidr,
                availability_zone=az,
                map_public_ip_on_launch=False,  # only the ALB and NAT live here, with their own IPs
                tags=with_name({**tags, "Tier": "public"}, n("subnet", f"public-{az}")),
                opts=child,
            )
            self.private_subnets[az] = aws.ec2.Subnet(
                n("subnet", f"private-{az}"),
                vpc_id=self.vpc.id,
                cidr_block=private_cidr,
                availability_zone=az,
                map_public_ip_on_launch=False,
                tags=with_name({**tags, "Tier": "private"}, n("subnet", f"private-{az}")),
                opts=child,
            )

        # Adopt the default network ACL with exactly the rules AWS gives it (rule 100: all IPv4
        # traffic in and out; the final deny-all is implicit): traffic is filtered statefully by
        # the security groups. Owned, tagged and drift-checked, the NACL can no longer be edited
        # by hand unnoticed. Every subnet is listed: any subnet the ACL holds but the program
        # does not name would show as a change on every run.
        allow_all: dict[str, Any] = {
            "protocol": "-1",
            "rule_no": 100,
            "action": "allow",
            "cidr_block": "0.0.0.0/0",
            "from_port": 0,
            "to_port": 0,
        }
        self.default_network_acl = aws.ec2.DefaultNetworkAcl(
            n("nacl", "default"),
            default_network_acl_id=self.vpc.default_network_acl_id,
            ingress=[aws.ec2.DefaultNetworkAclIngressArgs(**allow_all)],
            egress=[aws.ec2.DefaultNetworkAclEgressArgs(**allow_all)],
            subnet_ids=[s.id for az in azs for s in (self.public_subnets[az], self.private_subnets[az])],
            tags=with_name(tags, n("nacl", "default")),
            opts=child,
        )

        public_rt = aws.ec2.RouteTable(
            n("rtb", "public"), vpc_id=self.vpc.id, tags=with_name(tags, n("rtb", "public")), opts=child
        )
        aws.ec2.Route(
            n("route", "public-internet"),
            route_table_id=public_rt.id,
            destination_cidr_block="0.0.0.0/0",
            gateway_id=igw.id,
            opts=child,
        )
        for az in azs:
            aws.ec2.RouteTableAssociation(
                n("rtbassoc", f"public-{az}"),
                route_table_id=public_rt.id,
                subnet_id=self.public_subnets[az].id,
                opts=child,
            )

        nat_azs = azs if args.nat_per_az else azs[:1]
        self.eips, self.nat_gateways = {}, {}
        for az in nat_azs:
            self.eips[az] = aws.ec2.Eip(
                n("eip", f"nat-{az}"), domain="vpc", tags=with_name(tags, n("eip", f"nat-{az}")), opts=child
            )
            self.nat_gateways[az] = aws.ec2.NatGateway(
                n("nat", az),
                allocation_id=self.eips[az].id,
                subnet_id=self.public_subnets[az].id,
                connectivity_type="public",
                tags=with_name(tags, n("nat", az)),
                opts=pulumi.ResourceOptions(parent=self, depends_on=[igw]),
            )

        for az in azs:
            nat = self.nat_gateways.get(az, self.nat_gateways[nat_azs[0]])
            rt = aws.ec2.RouteTable(
                n("rtb", f"private-{az}"),
                vpc_id=self.vpc.id,
                tags=with_name(tags, n("rtb", f"private-{az}")),
                opts=child,
            )
            aws.ec2.Route(
                n("route", f"private-nat-{az}"),
                route_table_id=rt.id,
                destination_cidr_block="0.0.0.0/0",
                nat_gateway_id=nat.id,
                opts=child,
            )
            aws.ec2.RouteTableAssociation(
                n("rtbassoc", f"private-{az}"), route_table_id=rt.id, subnet_id=self.private_subnets[az].id, opts=child
            )

        self.register_outputs({"vpc_id": self.vpc.id})
