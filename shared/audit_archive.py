"""`AuditLogSubscription`: stream one audit log group into the network layer's one-year archive.

CloudWatch keeps audit logs 7 days; the archive (a Firehose delivery stream whose objects S3
replicates into an Object-Locked, KMS-encrypted bucket, see `payments_network.audit_archive`)
keeps them for the configured retention. A layer archives a log group with one call, passing the
stream and the role CloudWatch Logs assumes (both from the network contract):

    AuditLogSubscription(n("auditsub", "api"), AuditLogSubscriptionArgs(n, "api", group.name, archive), opts)

A log group takes at most two subscription filters (AWS quota); this uses one.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from shared.naming import Namer

ALL_EVENTS = ""  # the empty filter pattern matches every event: an audit trail is never filtered
# The id of the archive's one replication rule (delivery bucket -> locked archive bucket): a
# dimension of the replication metrics the network layer alarms on and the dashboard plots.
REPLICATION_RULE_ID = "into-the-locked-archive"


def stream_name(stream_arn: str) -> str:
    """`arn:aws:firehose:<region>:<account>:deliverystream/<name>` -> `<name>` (its metrics' dimension)."""
    return stream_arn.rsplit("/", 1)[-1]


@dataclass(frozen=True)
class AuditArchiveTarget:
    """Where archived logs go: the delivery stream and the role CloudWatch Logs writes to it with."""

    stream_arn: pulumi.Input[str]
    role_arn: pulumi.Input[str]


@dataclass(frozen=True)
class AuditLogSubscriptionArgs:
    namer: Namer
    purpose: str  # stable key of the log group, e.g. "vpcflow", "api", "rds-postgresql"
    log_group_name: pulumi.Input[str]
    archive: AuditArchiveTarget


class AuditLogSubscription(pulumi.ComponentResource):
    """One subscription filter sending every event of one log group to the audit archive stream."""

    subscription: aws.cloudwatch.LogSubscriptionFilter

    def __init__(self, name: str, args: AuditLogSubscriptionArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("payments:shared:AuditLogSubscription", name, None, opts)
        n = args.namer
        self.subscription = aws.cloudwatch.LogSubscriptionFilter(
            n("logsub", args.purpose),
            name=n("logsub", args.purpose),
            log_group=args.log_group_name,
            filter_pattern=ALL_EVENTS,
            destination_arn=args.archive.stream_arn,
            role_arn=args.archive.role_arn,
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.register_outputs({"log_group": args.log_group_name})
