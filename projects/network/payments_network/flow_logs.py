"""`FlowLogs`: VPC flow logs into a KMS-encrypted log group, delivered by a narrow IAM role."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from shared.encrypted_log_group import EncryptedLogGroup, EncryptedLogGroupArgs
from shared.iam import policy_document, service_trust_policy
from shared.naming import Namer


@dataclass(frozen=True)
class FlowLogsArgs:
    namer: Namer
    vpc_id: pulumi.Input[str]
    traffic_type: str
    retention_in_days: int
    tags: dict[str, str]
    account_id: pulumi.Input[str]
    partition: pulumi.Input[str]
    region: str


def delivery_trust_policy(account_id: str, partition: str, region: str) -> str:
    """Only the VPC flow logs service, acting for a flow log of this account and region, may assume the role.

    `aws:SourceAccount` and `aws:SourceArn` are the confused-deputy guard AWS documents for this
    role: another account's flow log cannot make the service deliver into this account's group.
    """
    return service_trust_policy(
        sid="FlowLogsServiceForThisAccount",
        service="vpc-flow-logs.amazonaws.com",
        account_id=account_id,
        source_arn=f"arn:{partition}:ec2:{region}:{account_id}:vpc-flow-log/*",
    )


def delivery_policy(log_group_arn: str, partition: str, region: str, account_id: str) -> str:
    """The actions AWS documents for delivering flow logs to CloudWatch Logs, on this one log group.

    AWS's example grants them on `*`; here the group-level actions name this group (and its
    streams), and the one list action, DescribeLogGroups, only this account's groups in this region.
    """
    return policy_document(
        {
            "Sid": "WriteFlowLogsToOneGroup",
            "Effect": "Allow",
            "Action": [
                "logs:CreateLogGroup",
                "logs:CreateLogStream",
                "logs:DescribeLogStreams",
                "logs:PutLogEvents",
            ],
            "Resource": [log_group_arn, f"{log_group_arn}:*"],
        },
        {
            "Sid": "FindTheGroup",
            "Effect": "Allow",
            "Action": ["logs:DescribeLogGroups"],
            "Resource": [f"arn:{partition}:logs:{region}:{account_id}:log-group:*"],
        },
    )


class FlowLogs(pulumi.ComponentResource):
    """Flow logs of one VPC, encrypted at rest with a rotating customer-managed key."""

    log_group: aws.cloudwatch.LogGroup

    def __init__(self, name: str, args: FlowLogsArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("payments:network:FlowLogs", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        n = args.namer
        logs = EncryptedLogGroup(
            n("logs", "vpcflow"),
            EncryptedLogGroupArgs(
                namer=n,
                purpose="vpcflow",
                retention_in_days=args.retention_in_days,
                tags=args.tags,
                account_id=args.account_id,
                partition=args.partition,
                region=args.region,
            ),
            opts=child,
        )
        self.log_group = logs.log_group
        role = aws.iam.Role(
            n("role", "flowlogs"),
            name=n("role", "flowlogs"),
            description="Delivers VPC flow logs to their encrypted log group",
            assume_role_policy=pulumi.Output.all(args.account_id, args.partition).apply(
                lambda v: delivery_trust_policy(v[0], v[1], args.region)
            ),
            tags=args.tags,
            opts=child,
        )
        policy = aws.iam.RolePolicy(
            n("policy", "flowlogs"),
            name=n("policy", "flowlogs"),
            role=role.id,
            policy=pulumi.Output.all(self.log_group.arn, args.partition, args.account_id).apply(
                lambda v: delivery_policy(v[0], v[1], args.region, v[2])
            ),
            opts=child,
        )
        aws.ec2.FlowLog(
            n("flowlog"),
            vpc_id=args.vpc_id,
            traffic_type=args.traffic_type,
            log_destination_type="cloud-watch-logs",
            log_destination=self.log_group.arn,
            iam_role_arn=role.arn,
            max_aggregation_interval=60,
            tags=args.tags,
            # Delivery starts as soon as the flow log exists: created before the role may write,
            # its first deliveries fail (status "Access error" in DescribeFlowLogs).
            opts=pulumi.ResourceOptions(parent=self, depends_on=[policy]),
        )
        self.register_outputs({"log_group_name": self.log_group.name})
