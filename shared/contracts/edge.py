"""What the edge layer exports (consumed by compute and integration tests)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import pulumi

from shared.contracts import Contract, output


@dataclass(frozen=True)
class EdgeContract(Contract):
    LAYER: ClassVar[str] = "edge"

    alb_arn: pulumi.Input[str] = output("ARN of the Application Load Balancer.")
    alb_dns_name: pulumi.Input[str] = output("DNS name of the load balancer.")
    alb_zone_id: pulumi.Input[str] = output("Route53 zone ID of the load balancer (for aliases).")
    target_group_arn: pulumi.Input[str] = output("Target group (ip, port 3000) the ECS service joins.")
    alb_arn_suffix: pulumi.Input[str] = output("The ALB's ARN suffix: its `LoadBalancer` dimension in CloudWatch.")
    target_group_arn_suffix: pulumi.Input[str] = output(
        "The target group's ARN suffix: its `TargetGroup` dimension in CloudWatch."
    )
    https_listener_arn: pulumi.Input[str] = output("ARN of the HTTPS :443 listener.")
    hosted_zone_id: pulumi.Input[str] = output("Route53 hosted zone of the service domain.")
    name_servers: pulumi.Input[list[str]] = output(
        "Name servers of the zone; the parent domain must delegate to them (empty for an existing zone)."
    )
    certificate_arn: pulumi.Input[str] = output("ACM certificate served by the HTTPS listener.")
    service_url: pulumi.Input[str] = output("https:// URL of the payment API.")
    web_acl_arn: pulumi.Input[str] = output("ARN of the AWS WAF web ACL associated with the load balancer.")
    web_acl_name: pulumi.Input[str] = output("Name of the web ACL (the WebACL dimension of its CloudWatch metrics).")
    waf_log_group_name: pulumi.Input[str] = output(
        "CloudWatch log group of the web ACL's request logs (aws-waf-logs-...)."
    )
