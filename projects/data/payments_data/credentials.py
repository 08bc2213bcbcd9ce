"""The master credentials, read from the EXISTING Secrets Manager secret named in config.

The secret is looked up, never created: its value must be a JSON object with `username` and
`password`. The value stays a Pulumi secret from the lookup to the DB instance's `password`
input and is never exported. A payload that is not such an object raises one `ConfigError`
naming the secret and the key; the message never quotes the payload.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

import pulumi
import pulumi_aws as aws

from shared.settings import ConfigError

T = TypeVar("T")

SETTING = "data:dbSecretId"
REQUIRED_KEYS: tuple[str, ...] = ("username", "password")

# RDS for PostgreSQL: master user 1-63 letters/digits/underscores starting with a letter, not a
# reserved name; password 8-128 printable ASCII characters other than / " @ and space.
_USERNAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,62}$")
_RESERVED_USERNAMES = frozenset({"rdsadmin", "rdsrepladmin", "rds_superuser"})
_PASSWORD = re.compile(r"^[\x21-\x7e]{8,128}$")
_PASSWORD_FORBIDDEN = frozenset('/"@')


@dataclass(frozen=True)
class Credentials:
    """The parsed secret value (plain values: only ever handled inside an apply)."""

    username: str
    password: str


def _fail(secret_id: str, key: str | None, problem: str) -> ConfigError:
    what = f"key {key!r} of the secret" if key else "the secret's value"
    return ConfigError(f"{SETTING} = {secret_id!r} is invalid: {what} {problem}")


def parse_credentials(secret_id: str, payload: str | None) -> Credentials:
    """Parse the secret's SecretString, or raise a one-line `ConfigError` naming secret and key."""
    expected = 'expected a JSON object {"username": "...", "password": "..."}'
    if not payload:
        raise _fail(secret_id, None, f"is empty (no SecretString): {expected}")
    try:
        data = json.loads(payload)
    except ValueError:
        raise _fail(secret_id, None, f"is not valid JSON: {expected}") from None
    if not isinstance(data, dict):
        raise _fail(secret_id, None, f"is JSON but not an object: {expected}")
    for key in REQUIRED_KEYS:
        if not isinstance(data.get(key), str) or not data[key]:
            raise _fail(secret_id, key, f"is missing or not a non-empty string: {expected}")
    username, password = data["username"], data["password"]
    if not _USERNAME.match(username) or username.lower() in _RESERVED_USERNAMES:
        raise _fail(
            secret_id,
            "username",
            "is not a valid master user name: expected 1-63 letters, digits or underscores "
            "starting with a letter, not a name RDS reserves",
        )
    if not _PASSWORD.match(password) or _PASSWORD_FORBIDDEN & set(password):
        raise _fail(
            secret_id,
            "password",
            'is not a valid master password: expected 8-128 printable ASCII characters without / " @ or spaces',
        )
    return Credentials(username=username, password=password)


@dataclass(frozen=True)
class MasterCredentials:
    """What the database needs from the secret, and what the contract says about it."""

    username: pulumi.Output[str]
    password: pulumi.Output[str]  # always a Pulumi secret
    secret_arn: pulumi.Output[str]
    secret_kms_key_arn: pulumi.Output[str]


def customer_key_arn(key_arn: str, key_manager: str) -> str:
    """The key's ARN when the customer manages it; "" for AWS managed keys (aws/secretsmanager)."""
    return key_arn if key_manager == "CUSTOMER" else ""


def _lookup(secret_id: str, what: str, fetch: Callable[[], T]) -> T:
    """Run one blocking Secrets Manager lookup; any failure is the user's to fix."""
    try:
        return fetch()
    except Exception as e:  # not found, access denied, another region: all fixed in config
        first_line = (str(e).strip().splitlines() or [type(e).__name__])[0]
        raise ConfigError(
            f"{SETTING} = {secret_id!r} is invalid: expected an existing secret whose {what} this account "
            f"can read ({first_line})"
        ) from None


def read_master_credentials(secret_id: str, invoke_opts: pulumi.InvokeOptions) -> MasterCredentials:
    """Look up the secret's metadata and current value through the layer's provider.

    Both lookups are plain (blocking) invokes on purpose: a missing secret or a bad payload
    becomes one `ConfigError` naming `data:dbSecretId`, raised in the program's own flow before
    the database is registered. (Raised inside an apply instead, the error would surface only
    through the engine's RPC bookkeeping, after half the layer was registered.) The password is
    wrapped in `Output.secret` at once and only ever reaches the instance's `password` input.

    `kms_key_id` of a secret is whatever its creator passed: a key id, key ARN, alias name or
    alias ARN, or empty for the AWS managed key aws/secretsmanager. DescribeKey
    (`aws.kms.get_key`) accepts all four forms and answers the key ARN and who manages the key.
    """
    secret = _lookup(
        secret_id,
        "metadata",
        lambda: aws.secretsmanager.get_secret(
            arn=secret_id if secret_id.startswith("arn:") else None,
            name=None if secret_id.startswith("arn:") else secret_id,
            opts=invoke_opts,
        ),
    )
    version = _lookup(
        secret_id,
        "current value",
        lambda: aws.secretsmanager.get_secret_version(secret_id=secret_id, opts=invoke_opts),
    )
    credentials = parse_credentials(secret_id, version.secret_string)

    if secret.kms_key_id:
        key = aws.kms.get_key_output(key_id=secret.kms_key_id, opts=invoke_opts)
        key_arn = pulumi.Output.all(key.arn, key.key_manager).apply(lambda a: customer_key_arn(a[0], a[1]))
    else:
        key_arn = pulumi.Output.from_input("")

    return MasterCredentials(
        username=pulumi.Output.from_input(credentials.username),  # a name, not a credential
        password=pulumi.Output.secret(credentials.password),
        secret_arn=pulumi.Output.from_input(secret.arn),
        secret_kms_key_arn=key_arn,
    )
