"""Whether the credentials at hand belong to an account the environment may be deployed to."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError


def check_account(sts: Any, env: str, allowed_account_ids: Sequence[str]) -> str | None:
    """None when `allowed_account_ids` is empty or names the caller's account; otherwise one line.

    `sts` is a boto3 STS client; the one call is GetCallerIdentity, which needs no permission.
    """
    if not allowed_account_ids:
        return None
    try:
        account = str(sts.get_caller_identity()["Account"])
    except (BotoCoreError, ClientError) as e:
        return f"cannot tell which AWS account these credentials belong to: {str(e).splitlines()[0]}"
    if account in allowed_account_ids:
        return None
    return f"these credentials are account {account}, {env} belongs to {' or '.join(allowed_account_ids)}"
