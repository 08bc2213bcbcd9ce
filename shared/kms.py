"""KMS key policies, written out statement by statement.

The account root keeps administration (so the key can never become unmanageable), with the
administrative actions listed rather than `kms:*`; each AWS service gets only the usage actions
it needs, scoped by encryption context where the service supports it. In a key policy
`"Resource": "*"` means "this key" and is the only form AWS accepts.
"""

from __future__ import annotations

from typing import Any

KEY_ADMIN_ACTIONS: tuple[str, ...] = (
    "kms:CancelKeyDeletion",
    "kms:CreateAlias",  # not `kms:Create*`: that would include kms:CreateGrant, a way to delegate use
    "kms:Delete*",
    "kms:Describe*",
    "kms:Disable*",
    "kms:Enable*",
    "kms:Get*",
    "kms:List*",
    "kms:Put*",
    "kms:Revoke*",
    "kms:ScheduleKeyDeletion",
    "kms:TagResource",
    "kms:UntagResource",
    "kms:Update*",
)

KEY_USE_ACTIONS: tuple[str, ...] = (
    "kms:Decrypt",
    "kms:DescribeKey",
    "kms:Encrypt",
    "kms:GenerateDataKey*",
    "kms:ReEncrypt*",
)


def account_root(partition: str, account_id: str) -> str:
    """The ARN of the account's root principal."""
    return f"arn:{partition}:iam::{account_id}:root"


def admin_statement(partition: str, account_id: str) -> dict[str, Any]:
    """The account administers the key (and, through IAM, delegates use of it)."""
    return {
        "Sid": "AccountAdministersAndDelegatesThroughIam",
        "Effect": "Allow",
        "Principal": {"AWS": account_root(partition, account_id)},
        "Action": [*KEY_ADMIN_ACTIONS, *KEY_USE_ACTIONS],
        "Resource": "*",
    }


def logs_statement(*, region: str, account_id: str, partition: str, log_group_name: str) -> dict[str, Any]:
    """CloudWatch Logs may use the key for exactly one log group."""
    return {
        "Sid": "CloudWatchLogsUsesKeyForOneLogGroup",
        "Effect": "Allow",
        "Principal": {"Service": f"logs.{region}.amazonaws.com"},
        "Action": list(KEY_USE_ACTIONS),
        "Resource": "*",
        "Condition": {
            "ArnEquals": {
                "kms:EncryptionContext:aws:logs:arn": (
                    f"arn:{partition}:logs:{region}:{account_id}:log-group:{log_group_name}"
                )
            }
        },
    }


def cloudwatch_alarms_statement(account_id: str) -> dict[str, Any]:
    """CloudWatch may encrypt alarm notifications with the key, for alarms of this account only.

    A CMK-encrypted SNS topic accepts a service's publish only if that service may generate a
    data key (and decrypt it) with the topic's key (SNS "Enable compatibility between event
    sources from AWS services and encrypted topics").
    """
    return {
        "Sid": "CloudWatchAlarmsOfThisAccountUseKey",
        "Effect": "Allow",
        "Principal": {"Service": "cloudwatch.amazonaws.com"},
        "Action": ["kms:Decrypt", "kms:GenerateDataKey*"],
        "Resource": "*",
        "Condition": {"StringEquals": {"aws:SourceAccount": account_id}},
    }


def firehose_grant_statement(*, partition: str, account_id: str, region: str) -> dict[str, Any]:
    """Principals of the account may let Firehose create its grant on the key, and nothing else.

    A delivery stream encrypted with a customer key holds a KMS grant that Firehose creates with
    the caller's permission when the stream is created; `kms:CreateGrant` is otherwise left out
    of the administrators' actions (see `KEY_ADMIN_ACTIONS`).
    """
    return {
        "Sid": "FirehoseCreatesItsGrant",
        "Effect": "Allow",
        "Principal": {"AWS": account_root(partition, account_id)},
        "Action": "kms:CreateGrant",
        "Resource": "*",
        "Condition": {
            "StringEquals": {"kms:ViaService": f"firehose.{region}.amazonaws.com"},
            "Bool": {"kms:GrantIsForAWSResource": "true"},
        },
    }


# AWS accepts a waiting period of 7-30 days between ScheduleKeyDeletion and the key's deletion.
PROTECTED_DELETION_WINDOW_DAYS = 30
DELETION_WINDOW_DAYS = 7


def deletion_window_days(protected: bool) -> int:
    """Days a scheduled key deletion waits: the longest AWS allows (30) where data must survive a
    mistake, the shortest (7) where environments are torn down and rebuilt freely."""
    return PROTECTED_DELETION_WINDOW_DAYS if protected else DELETION_WINDOW_DAYS
