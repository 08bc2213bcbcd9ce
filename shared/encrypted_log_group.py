"""`EncryptedLogGroup`: a CloudWatch log group with its own rotating customer-managed KMS key.

Used for VPC flow logs (network), container logs (compute) and WAF logs (edge): the key policy
lets CloudWatch Logs use the key for this one log group only, and the retention is fixed by
config. The key's deletion window follows the environment (`shared.kms.deletion_window_days`).
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from shared import kms
from shared.environments import is_protected
from shared.iam import policy_document
from shared.naming import Namer


@dataclass(frozen=True)
class EncryptedLogGroupArgs:
    namer: Namer
    purpose: str
    retention_in_days: int
    tags: dict[str, str]
    account_id: pulumi.Input[str]
    partition: pulumi.Input[str]
    region: str
    # A name AWS dictates (e.g. WAF's `aws-waf-logs-` prefix); default `log-<service>-<purpose>-<env>`.
    log_group_name: str | None = None


class EncryptedLogGroup(pulumi.ComponentResource):
    """KMS key (rotation on) + alias + log group encrypted with it."""

    key: aws.kms.Key
    log_group: aws.cloudwatch.LogGroup

    def __init__(self, name: str, args: EncryptedLogGroupArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("payments:shared:EncryptedLogGroup", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        n = args.namer
        log_group_name = args.log_group_name or n("log", args.purpose, autonamed=False)
        key_name = n("kms", f"{args.purpose}-logs")
        self.key = aws.kms.Key(
            key_name,
            description=f"Encrypts CloudWatch log group {log_group_name}",
            enable_key_rotation=True,
            deletion_window_in_days=kms.deletion_window_days(is_protected(n.env)),
            policy=pulumi.Output.all(args.account_id, args.partition).apply(
                lambda ap: policy_document(
                    kms.admin_statement(ap[1], ap[0]),
                    kms.logs_statement(
                        region=args.region, account_id=ap[0], partition=ap[1], log_group_name=log_group_name
                    ),
                )
            ),
            tags=args.tags,
            opts=child,
        )
        aws.kms.Alias(f"alias-{key_name}", name=f"alias/{key_name}", target_key_id=self.key.key_id, opts=child)
        self.log_group = aws.cloudwatch.LogGroup(
            n("log", args.purpose),
            name=log_group_name,
            retention_in_days=args.retention_in_days,
            kms_key_id=self.key.arn,
            tags=args.tags,
            opts=child,
        )
        self.register_outputs({"log_group_name": self.log_group.name, "key_arn": self.key.arn})
