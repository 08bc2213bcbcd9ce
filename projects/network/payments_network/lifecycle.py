"""What the tooling needs to know about the network layer beyond its place in the graph."""

from __future__ import annotations

from payments_network.preflight import check_availability_zones_of
from payments_network.settings import NetworkSettings
from payments_network.verify import (
    AUDIT_LOG_GROUP_EXPORTS,
    verify_alarms,
    verify_archive_stream,
    verify_audit_subscriptions,
)
from shared.contracts.network import NetworkContract
from shared.lifecycle import LayerLifecycle, PreflightCheck, Teardown, VerifyCheck

LIFECYCLE = LayerLifecycle(
    contract=NetworkContract,
    settings=NetworkSettings,
    preflight=(PreflightCheck("availability-zones", check_availability_zones_of, when="deploy-only"),),
    teardown=Teardown(
        leaves_in_protected=(
            "the audit archive stays: its Object-Locked bucket (s3-<service>-auditarchive-<env>-<suffix>) with every "
            "log it holds, the bucket's controls, its KMS key and the key's alias (alias/kms-<service>-auditarchive-"
            "<env>); the next deploy of the network layer finds them and takes them back into the stack (an import, "
            "nothing created twice); to remove them for good, let the objects' retention run out, empty and delete "
            "the bucket, delete the alias and schedule the key's deletion",
        ),
    ),
    held_by_downstream=("aws:ec2/securityGroup:SecurityGroup",),
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
