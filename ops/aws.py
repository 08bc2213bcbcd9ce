"""The one way the tools reach AWS with boto3 (preflight, verify, bootstrap), and how they read its refusals.

Every client comes from `AwsClients.client`, for one region and optionally one endpoint (moto on
loopback in tests), with the same retry and timeout settings. Credential failures are recognised by
one list of error codes, whether they arrive as a boto3 `ClientError` or in Pulumi's output.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
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

    def client(self, service: str) -> Any:
        """A client of `service` in this region, from the default credential chain unless a session is given."""
        session = self.session or boto3.Session()
        return session.client(service, region_name=self.region, endpoint_url=self.endpoint_url, config=_CONFIG)


def error_code(error: ClientError) -> str:
    """The AWS error code of a refused call (e.g. `AccessDenied`), or empty."""
    return str(error.response.get("Error", {}).get("Code", ""))


def describe_aws_error(error: ClientError | BotoCoreError) -> str:
    """One line for a failed AWS call: its code and message, or what boto3 said."""
    if isinstance(error, ClientError):
        err = error.response.get("Error", {})
        return f"AWS said {err.get('Code', '?')}: {err.get('Message', '')}".rstrip(": ")
    return f"AWS call failed: {error}"
