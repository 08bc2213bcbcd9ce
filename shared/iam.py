"""IAM policy documents (identity, resource, trust and key policies) in one deterministic form."""

from __future__ import annotations

import json
from typing import Any

POLICY_VERSION = "2012-10-17"


def policy_document(*statements: dict[str, Any]) -> str:
    """A policy document holding `statements`, as JSON with sorted keys.

    The same statements always give the same bytes, so a preview shows no change where none was made.
    """
    return json.dumps({"Version": POLICY_VERSION, "Statement": list(statements)}, sort_keys=True)


def service_trust_policy(*, sid: str, service: str, account_id: str, source_arn: str) -> str:
    """Only `service`, acting for this account and for a resource matching `source_arn`, may assume the role.

    `aws:SourceAccount` and `aws:SourceArn` are the confused-deputy guard AWS documents for service
    roles: another account's resource cannot make the service act in this one. An ARN with a
    wildcard is matched with ArnLike, an exact one with ArnEquals.
    """
    operator = "ArnLike" if "*" in source_arn else "ArnEquals"
    return policy_document(
        {
            "Sid": sid,
            "Effect": "Allow",
            "Principal": {"Service": service},
            "Action": "sts:AssumeRole",
            "Condition": {"StringEquals": {"aws:SourceAccount": account_id}, operator: {"aws:SourceArn": source_arn}},
        }
    )
