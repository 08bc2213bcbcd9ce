"""`LoadBalancer`: the internet-facing ALB, its target group for Fargate, and the two listeners."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from shared.naming import Namer
from shared.ports import APP_PORT, HTTP_PORT, HTTPS_PORT

# HSTS on every HTTPS response: browsers and SDKs that honour it never try plain HTTP again.
HSTS = "max-age=31536000; includeSubDomains"


@dataclass(frozen=True)
class LoadBalancerArgs:
    namer: Namer
    alb_name: str
    target_group_name: str
    vpc_id: pulumi.Input[str]
    subnet_ids: pulumi.Input[list[str]]
    security_group_id: pulumi.Input[str]
    certificate_arn: pulumi.Input[str]
    tls_policy: str
    idle_timeout_seconds: int
    deletion_protection: bool
    access_log_bucket: pulumi.Input[str]
    access_log_prefix: str
    access_logs_ready: pulumi.Resource  # the bucket policy; AWS checks it when logging is enabled
    health_check_path: str
    health_check_matcher: str
    deregistration_delay_seconds: int
    tags: dict[str, str]


class LoadBalancer(pulumi.ComponentResource):
    """ALB in the public subnets: HTTPS :443 forwards to the target group, HTTP :80 only redirects.

    The ALB and the target group carry no `name`: Pulumi names them `<logical name>-<random>`
    (logical names are checked to leave room for that within AWS's 32 characters). A change
    that replaces the target group (port, protocol, VPC, target type) then creates the new one
    under a fresh name before deleting the old, instead of failing on a duplicate name.
    """

    alb: aws.lb.LoadBalancer
    target_group: aws.lb.TargetGroup
    https_listener: aws.lb.Listener
    http_listener: aws.lb.Listener

    def __init__(self, name: str, args: LoadBalancerArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("payments:edge:LoadBalancer", name, None, opts)
        n = args.namer
        child = pulumi.ResourceOptions(parent=self)
        self.alb = aws.lb.LoadBalancer(
            args.alb_name,
            load_balancer_type="application",
            internal=False,
            # IPv4 only: the network layer's subnets have no IPv6 CIDRs (so no AAAA alias).
            ip_address_type="ipv4",
            subnets=args.subnet_ids,
            security_groups=[args.security_group_id],
            drop_invalid_header_fields=True,
            # AWS's recommended mode; "strictest" would also reject merely ambiguous requests.
            desync_mitigation_mode="defensive",
            enable_http2=True,
            idle_timeout=args.idle_timeout_seconds,
            enable_deletion_protection=args.deletion_protection,
            access_logs=aws.lb.LoadBalancerAccessLogsArgs(
                bucket=args.access_log_bucket, prefix=args.access_log_prefix, enabled=True
            ),
            tags=args.tags,
            opts=pulumi.ResourceOptions(parent=self, depends_on=[args.access_logs_ready]),
        )
        self.target_group = aws.lb.TargetGroup(
            args.target_group_name,
            target_type="ip",  # Fargate tasks (awsvpc) register by IP
            port=APP_PORT,
            protocol="HTTP",
            protocol_version="HTTP1",
            vpc_id=args.vpc_id,
            deregistration_delay=args.deregistration_delay_seconds,
            health_check=aws.lb.TargetGroupHealthCheckArgs(
                enabled=True,
                protocol="HTTP",
                port="traffic-port",
                path=args.health_check_path,
                matcher=args.health_check_matcher,
                interval=15,
                timeout=5,
                healthy_threshold=2,
                unhealthy_threshold=3,
            ),
            tags=args.tags,
            opts=child,
        )
        self.https_listener = aws.lb.Listener(
            n("listener", "https"),
            load_balancer_arn=self.alb.arn,
            port=HTTPS_PORT,
            protocol="HTTPS",
            ssl_policy=args.tls_policy,
            certificate_arn=args.certificate_arn,
            routing_http_response_strict_transport_security_header_value=HSTS,
            default_actions=[aws.lb.ListenerDefaultActionArgs(type="forward", target_group_arn=self.target_group.arn)],
            tags=args.tags,
            opts=child,
        )
        self.http_listener = aws.lb.Listener(
            n("listener", "http"),
            load_balancer_arn=self.alb.arn,
            port=HTTP_PORT,
            protocol="HTTP",
            default_actions=[
                aws.lb.ListenerDefaultActionArgs(
                    type="redirect",
                    redirect=aws.lb.ListenerDefaultActionRedirectArgs(
                        protocol="HTTPS",
                        port=str(HTTPS_PORT),
                        host="#{host}",
                        path="/#{path}",
                        query="#{query}",
                        status_code="HTTP_301",
                    ),
                )
            ],
            tags=args.tags,
            opts=child,
        )
        self.register_outputs(
            {
                "alb_arn": self.alb.arn,
                "target_group_arn": self.target_group.arn,
                "https_listener_arn": self.https_listener.arn,
            }
        )
