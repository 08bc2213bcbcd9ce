"""What the tooling needs to know about the network layer beyond its place in the graph."""

from __future__ import annotations

from payments_network.preflight import availability_zone_grants, check_availability_zones_of
from payments_network.settings import NetworkSettings
from payments_network.verify import (
    AUDIT_LOG_GROUP_EXPORTS,
    verify_alarms,
    verify_archive_stream,
    verify_audit_subscriptions,
)
from shared.contracts.network import NetworkContract
from shared.lifecycle import LayerLifecycle, PreflightCheck, Teardown, VerifyCheck
from shared.ownership import Ownership

LIFECYCLE = LayerLifecycle(
    contract=NetworkContract,
    settings=NetworkSettings,
    # prod is deployed by its GitHub environment only; in dev the team's engineers may assume the role too.
    owner=Ownership(team="@payments/network", principals={"dev": ("role/payments-network-engineers",)}),
    preflight=(
        PreflightCheck(
            "availability-zones", check_availability_zones_of, when="deploy-only", grants=availability_zone_grants
        ),
    ),
    teardown=Teardown(
        leaves_in_protected=(
            "the audit archive stays: its Object-Locked bucket (s3-<service>-auditarchive-<env>-<suffix>) with every "
            "log it holds, the bucket's controls, its KMS key and the key's alias (alias/kms-<service>-auditarchive-"
            "<env>); the next deploy of the network layer finds them and takes them back into the stack (an import, "
            "nothing created twice); to remove them for good, let the objects' retention run out, empty and delete "
            "the bucket, delete the alias and schedule the key's deletion",
        ),
    ),
    # The data layer's subnet group and database, the edge layer's load balancer and target group and
    # the compute layer's tasks sit in the VPC, its subnets and its security groups: EC2 refuses to
    # delete any of them while they do (DependencyViolation).
    held_by_downstream=("aws:ec2/vpc:Vpc", "aws:ec2/subnet:Subnet", "aws:ec2/securityGroup:SecurityGroup"),
    verify=(
        VerifyCheck("alarms", "alarms exist, notify, none stuck without data", verify_alarms),
        VerifyCheck(
            "audit-archive",
            "audit archive delivery stream active, delivering to S3",
            verify_archive_stream,
            needs=("audit_archive_stream_arn",),
        ),
        VerifyCheck(
            "audit-subscriptions",
            "each audit log group streams into the archive once",
            verify_audit_subscriptions,
            needs=("audit_archive_stream_arn", *AUDIT_LOG_GROUP_EXPORTS),
        ),
    ),
    diagram_colors=("#e3eefb", "#3b6ea8"),
)
