"""`SecurityGroups`: the ALB -> app:3000 -> DB:5432 chain, each rule its own described resource.

Rules are separate `aws.vpc.SecurityGroup{Ingress,Egress}Rule` resources so the groups can
reference each other without a cycle. A group created without inline rules loses AWS's default
allow-all egress, so every egress below is the only egress that group has.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from shared.naming import Namer
from shared.ports import APP_PORT, DB_PORT, HTTP_PORT, HTTPS_PORT
from shared.tags import with_name

ANYWHERE_V4 = "0.0.0.0/0"


@dataclass(frozen=True)
class SecurityGroupsArgs:
    namer: Namer
    vpc_id: pulumi.Input[str]
    tags: dict[str, str]


class SecurityGroups(pulumi.ComponentResource):
    """The three groups of the request path and exactly the traffic between them."""

    alb: aws.ec2.SecurityGroup
    app: aws.ec2.SecurityGroup
    db: aws.ec2.SecurityGroup

    def __init__(self, name: str, args: SecurityGroupsArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("payments:network:SecurityGroups", name, None, opts)
        n, tags = args.namer, args.tags

        def group(role: str, description: str) -> aws.ec2.SecurityGroup:
            return aws.ec2.SecurityGroup(
                n("sg", role),
                # AWS refuses group names starting with "sg-", and a fixed name would clash when a
                # description change replaces the group: a prefix gives `secgroup-...-<env>-<random>`.
                name_prefix=f"{n('secgroup', role)}-",
                description=description,
                vpc_id=args.vpc_id,
                revoke_rules_on_delete=True,  # the groups reference each other; lets teardown finish
                tags=with_name(tags, n("sg", role)),
                opts=pulumi.ResourceOptions(parent=self),
            )

        self.alb = group("alb", "Load balancer: HTTPS (and HTTP for the redirect) from the internet")
        self.app = group("app", f"Payment API tasks: port {APP_PORT} from the load balancer only")
        self.db = group("db", f"PostgreSQL: port {DB_PORT} from the payment API tasks only")

        def rule(
            key: str,
            sg: aws.ec2.SecurityGroup,
            port: int,
            description: str,
            *,
            inbound: bool,
            cidr_ipv4: str | None = None,
            peer: aws.ec2.SecurityGroup | None = None,
        ) -> None:
            kind = aws.vpc.SecurityGroupIngressRule if inbound else aws.vpc.SecurityGroupEgressRule
            kind(
                n("sgr", key),
                security_group_id=sg.id,
                ip_protocol="tcp",
                from_port=port,
                to_port=port,
                description=description,
                cidr_ipv4=cidr_ipv4,
                referenced_security_group_id=peer.id if peer else None,
                tags=with_name(tags, n("sgr", key)),
                opts=pulumi.ResourceOptions(parent=self),
            )

        rule("alb-in-https", self.alb, HTTPS_PORT, "HTTPS from the internet", inbound=True, cidr_ipv4=ANYWHERE_V4)
        rule(
            "alb-in-http",
            self.alb,
            HTTP_PORT,
            "HTTP from the internet, only redirected to HTTPS",
            inbound=True,
            cidr_ipv4=ANYWHERE_V4,
        )
        rule(
            "alb-out-app", self.alb, APP_PORT, "Forward requests to the payment API tasks", inbound=False, peer=self.app
        )
        rule("app-in-alb", self.app, APP_PORT, "Requests from the load balancer", inbound=True, peer=self.alb)
        rule("app-out-db", self.app, DB_PORT, "PostgreSQL to the database", inbound=False, peer=self.db)
        rule(
            "app-out-https",
            self.app,
            HTTPS_PORT,
            "HTTPS to AWS APIs (ECR, Secrets Manager, CloudWatch Logs) through the NAT gateways",
            inbound=False,
            cidr_ipv4=ANYWHERE_V4,
        )
        rule("db-in-app", self.db, DB_PORT, "PostgreSQL from the payment API tasks", inbound=True, peer=self.app)

        self.register_outputs({"alb": self.alb.id, "app": self.app.id, "db": self.db.id})
