"""What the network layer exports (consumed by data, edge and compute)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import pulumi

from shared.contracts import Contract, output


@dataclass(frozen=True)
class NetworkContract(Contract):
    LAYER: ClassVar[str] = "network"

    vpc_id: pulumi.Input[str] = output("ID of the VPC.")
    vpc_cidr: pulumi.Input[str] = output("IPv4 CIDR block of the VPC.")
    availability_zones: pulumi.Input[list[str]] = output("The AZ names, sorted; subnet lists follow this order.")
    public_subnet_ids: pulumi.Input[list[str]] = output("Public subnet IDs, one per AZ (ALB).")
    private_subnet_ids: pulumi.Input[list[str]] = output("Private subnet IDs, one per AZ (tasks, database).")
    nat_public_ips: pulumi.Input[list[str]] = output("Elastic IPs of the NAT gateways (egress allow-listing).")
    alb_security_group_id: pulumi.Input[str] = output("Security group of the load balancer.")
    app_security_group_id: pulumi.Input[str] = output("Security group of the Fargate tasks.")
    db_security_group_id: pulumi.Input[str] = output("Security group of the database.")
    flow_log_group_name: pulumi.Input[str] = output("CloudWatch log group receiving VPC flow logs.")
    alarm_topic_arn: pulumi.Input[str] = output(
        "SNS topic every alarm notifies on ALARM and OK (created KMS-encrypted, or the configured one)."
    )
    audit_archive_stream_arn: pulumi.Input[str] = output(
        "Firehose delivery stream that archives audit log groups to S3 for a year."
    )
    audit_archive_role_arn: pulumi.Input[str] = output(
        "Role CloudWatch Logs assumes to put a log group's events into that stream."
    )
    audit_archive_delivery_bucket: pulumi.Input[str] = output(
        "Bucket the stream delivers into; S3 Replication copies each object from it into the archive bucket."
    )
    audit_archive_bucket: pulumi.Input[str] = output(
        "Bucket keeping the audit logs for the retention (Object-Locked in protected environments)."
    )
