"""`DataKey`: the data layer's customer-managed KMS key (storage, Performance Insights, logs).

The key policy names every user of the key, and allows exactly this:
- the account root administers the key: the actions in `shared.kms.KEY_ADMIN_ACTIONS` (alias,
  description, tags, rotation, enable/disable, key policy, grant listing and revoking, deletion
  scheduling). No cryptographic use and no `kms:CreateGrant`, so no IAM policy in the account
  can let a principal encrypt, decrypt or grant itself use directly. (An administrator allowed
  `kms:PutKeyPolicy` can still rewrite this policy: a CloudTrail-logged change to the key itself.)
- principals of this account that IAM allows may use the key (Decrypt, DescribeKey, Encrypt,
  GenerateDataKey*, ReEncrypt*) only through RDS in this region (`kms:ViaService`
  `rds.<region>.amazonaws.com`, `kms:CallerAccount`): storage, snapshots, Performance Insights;
- the same principals may create, list and revoke grants only through RDS in this region and
  only for AWS resources (`kms:GrantIsForAWSResource` true): the grants RDS keeps for the instance;
- CloudWatch Logs uses it for the instance's exported log groups, one statement per group.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws

from shared import kms
from shared.iam import policy_document
from shared.naming import Namer

# What RDS does with the key when it encrypts storage and Performance Insights data.
RDS_USE_ACTIONS: tuple[str, ...] = (
    "kms:Decrypt",
    "kms:DescribeKey",
    "kms:Encrypt",
    "kms:GenerateDataKey*",
    "kms:ReEncrypt*",
)
RDS_GRANT_ACTIONS: tuple[str, ...] = ("kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant")


def admin_only_statement(partition: str, account_id: str) -> dict[str, Any]:
    """The account administers the key (`KEY_ADMIN_ACTIONS`: no use, no CreateGrant).

    Using the key, and creating grants for it, is left to the RDS statements and their conditions.
    """
    return {
        "Sid": "AccountAdministersKey",
        "Effect": "Allow",
        "Principal": {"AWS": kms.account_root(partition, account_id)},
        "Action": list(kms.KEY_ADMIN_ACTIONS),
        "Resource": "*",
    }


def rds_statements(*, partition: str, account_id: str, region: str) -> list[dict[str, Any]]:
    """Principals of this account may use the key, and create grants, only through RDS in this region.

    Grants additionally need `kms:GrantIsForAWSResource`: only RDS itself, acting for the
    instance, can create one; a principal calling CreateGrant directly cannot.
    """
    via_rds = {"kms:CallerAccount": account_id, "kms:ViaService": f"rds.{region}.amazonaws.com"}
    root = {"AWS": kms.account_root(partition, account_id)}
    return [
        {
            "Sid": "RdsUsesKeyForThisAccount",
            "Effect": "Allow",
            "Principal": root,
            "Action": list(RDS_USE_ACTIONS),
            "Resource": "*",
            "Condition": {"StringEquals": via_rds},
        },
        {
            "Sid": "RdsGrantsOnlyForAwsResources",
            "Effect": "Allow",
            "Principal": root,
            "Action": list(RDS_GRANT_ACTIONS),
            "Resource": "*",
            "Condition": {"StringEquals": via_rds, "Bool": {"kms:GrantIsForAWSResource": "true"}},
        },
    ]


def data_key_policy(*, partition: str, account_id: str, region: str, log_groups: Mapping[str, str]) -> str:
    """The whole key policy; `log_groups` maps a label (e.g. `Postgresql`) to a log group name."""
    logs = [
        {
            **kms.logs_statement(region=region, account_id=account_id, partition=partition, log_group_name=name),
            "Sid": f"CloudWatchLogsUsesKeyFor{label}Logs",
        }
        for label, name in sorted(log_groups.items())
    ]
    return policy_document(
        admin_only_statement(partition, account_id),
        *rds_statements(partition=partition, account_id=account_id, region=region),
        *logs,
    )


@dataclass(frozen=True)
class DataKeyArgs:
    namer: Namer
    log_groups: Mapping[str, str]  # label -> log group name the key may encrypt
    # Keep the key in AWS when the stack is destroyed: the final snapshot is encrypted with it
    # and would become unreadable once a deleted key's waiting period ends.
    retain_on_delete: bool
    protected: bool  # a protected environment waits the longest deletion window AWS allows
    tags: dict[str, str]
    account_id: pulumi.Input[str]
    partition: pulumi.Input[str]
    region: str


class DataKey(pulumi.ComponentResource):
    """A rotating symmetric KMS key and its alias `alias/kms-<service>-data-<env>`."""

    key: aws.kms.Key

    def __init__(self, name: str, args: DataKeyArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("payments:data:DataKey", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        key_name = args.namer("kms", "data")
        self.key = aws.kms.Key(
            key_name,
            description="Encrypts the payments database: storage, snapshots, Performance Insights, logs",
            enable_key_rotation=True,
            # A deleted key makes every snapshot unreadable: protected environments get 30 days to cancel.
            deletion_window_in_days=kms.deletion_window_days(args.protected),
            policy=pulumi.Output.all(args.account_id, args.partition).apply(
                lambda ap: data_key_policy(
                    partition=ap[1], account_id=ap[0], region=args.region, log_groups=args.log_groups
                )
            ),
            tags=args.tags,
            opts=pulumi.ResourceOptions(parent=self, retain_on_delete=args.retain_on_delete),
        )
        aws.kms.Alias(f"alias-{key_name}", name=f"alias/{key_name}", target_key_id=self.key.key_id, opts=child)
        self.register_outputs({"key_arn": self.key.arn})
