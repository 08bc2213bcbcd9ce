"""The one way the tools reach AWS with boto3 (preflight, verify, bootstrap), and how they read its refusals.

Every client comes from `AwsClients.client`, for one region and optionally one endpoint (moto on
loopback in tests), with the same retry and timeout settings. Credential failures are recognised by
one list of error codes, whether they arrive as a boto3 `ClientError` or in Pulumi's output.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Any

import boto3
from botocore.config import Config as BotoConfig
from botocore.exceptions import BotoCoreError, ClientError

# Error codes AWS answers when the credentials themselves are missing, invalid or expired.
CREDENTIAL_ERROR_CODES: tuple[str, ...] = (
    "InvalidClientTokenId",
    "ExpiredToken",
    "ExpiredTokenException",
    "SignatureDoesNotMatch",
    "UnrecognizedClientException",
    "AccessDenied",
    "InvalidToken",
    "InvalidGrantException",
)
# The same failures as the Pulumi AWS provider words them in its output.
CREDENTIAL_FAILURE_TEXT = re.compile(
    "|".join(code for code in CREDENTIAL_ERROR_CODES if code != "AccessDenied")
    + r"|no valid credential sources|NoCredentialProviders|security token included in the request is"
    r"|token has expired|failed to refresh cached credentials",
    re.IGNORECASE,
)

_CONFIG = BotoConfig(retries={"max_attempts": 5, "mode": "standard"}, connect_timeout=10, read_timeout=30)


@dataclass(frozen=True)
class AwsClients:
    """boto3 clients for one region (and, in tests, one endpoint such as moto on loopback)."""

    region: str
    session: boto3.Session | None = None
    endpoint_url: str | None = None
    # One client per service, made on first use: building a session and a client loads botocore's
    # service data each time, which costs far more than the calls themselves.
    _made: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def client(self, service: str) -> Any:
        """A client of `service` in this region, from the default credential chain unless a session is given."""
        if service not in self._made:
            if "" not in self._made:
                self._made[""] = self.session or boto3.Session()
            session = self._made[""]
            self._made[service] = session.client(
                service, region_name=self.region, endpoint_url=self.endpoint_url, config=_CONFIG
            )
        return self._made[service]

    def assume_role(self, role_arn: str, session_name: str) -> AwsClients:
        """Clients acting as `role_arn`: STS AssumeRole with these clients' credentials, same region and endpoint.

        The temporary credentials last STS's default hour, enough for the read-only calls the tools
        make; `session_name` shows in CloudTrail as who made them.
        """
        credentials = self.client("sts").assume_role(RoleArn=role_arn, RoleSessionName=session_name)["Credentials"]
        session = boto3.Session(
            aws_access_key_id=credentials["AccessKeyId"],
            aws_secret_access_key=credentials["SecretAccessKey"],
            aws_session_token=credentials["SessionToken"],
        )
        return replace(self, session=session, _made={})  # new credentials: none of the cached clients


def error_code(error: ClientError) -> str:
    """The AWS error code of a refused call (e.g. `AccessDenied`), or empty."""
    return str(error.response.get("Error", {}).get("Code", ""))


def describe_aws_error(error: ClientError | BotoCoreError) -> str:
    """One line for a failed AWS call: its code and message, or what boto3 said."""
    if isinstance(error, ClientError):
        err = error.response.get("Error", {})
        return f"AWS said {err.get('Code', '?')}: {err.get('Message', '')}".rstrip(": ")
    return f"AWS call failed: {error}"
