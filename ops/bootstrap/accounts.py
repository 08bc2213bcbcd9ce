"""Whether the credentials at hand belong to an account the environment may be deployed to, after its role."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from ops.aws import AwsClients, describe_aws_error
from ops.environment.account import EnvironmentAccount


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


class AccountGuardError(Exception):
    """The environment's account cannot be entered with these credentials; one line saying why."""


def enter_account(aws: AwsClients, account: EnvironmentAccount, purpose: str) -> AwsClients:
    """Clients that act in `account`: as its role when it names one, checked against its allowed accounts.

    `purpose` names the role session (`<purpose>-<service>-<env>`), which CloudTrail shows as who
    made the calls. Raises `AccountGuardError` when the role cannot be assumed or the credentials
    (the role's, when assumed) belong to an account the environment does not name.
    """
    if account.assume_role_arn:
        try:
            aws = aws.assume_role(account.assume_role_arn, f"{purpose}-{account.service}-{account.env}")
        except (BotoCoreError, ClientError) as e:
            raise AccountGuardError(
                f"cannot assume {account.assume_role_arn} (assumeRoleArn of {account.env}) with these credentials: "
                f"{describe_aws_error(e)}"
            ) from None
    problem = check_account(aws.client("sts"), account.env, account.allowed_account_ids)
    if problem:
        raise AccountGuardError(problem)
    return aws
