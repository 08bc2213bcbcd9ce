"""The team's Pulumi state backend, created with boto3: an S3 bucket and a KMS key for stack secrets.

`bootstrap_state_backend` creates, in the credentials' account and the stack's region:

- the state bucket `pulumi-state-<service>-<env>-<account id>` (S3 names are global, so the
  account id keeps it unique and predictable): versioned (every state checkpoint can be
  restored), SSE-KMS with the new key and S3 Bucket Keys (fewer KMS calls), a policy that denies
  any request not made over TLS, all four public-access blocks, and `BucketOwnerEnforced`
  object ownership (ACLs disabled);
- the KMS key for stack secrets (rotation on) under `alias/pulumi-<service>-<env>`. Its key policy
  is KMS's default: the account administers it and IAM policies decide who may use it.

It is idempotent: each setting is read first and written only when it differs, and the result
lists what was created or changed (nothing, on a second run). The bucket is claimed first: a name
taken by another account stops the run with one line before anything else exists.

Who can use it: the Pulumi CLI opens an `s3://` backend and an `awskms://` secrets provider with
the credentials of whoever runs it (the AWS SDK's default chain), never with the role the stacks'
provider assumes (`assumeRoleArn` is the AWS provider's setting). A backend made in the role's
account while those credentials belong to another would be unreadable to the very CLI that needs
it (the bucket policy and key policy trust their own account only). Rather than open the state
and its key to a second account, such a run is refused before anything is created, in one line
saying to run bootstrap and Pulumi with credentials of the role's account (`cli_reaches`).

The result gives what to export: `PULUMI_BACKEND_URL=s3://<bucket>?region=<region>` and the
secrets provider `awskms://alias/pulumi-<service>-<env>?region=<region>`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import boto3
from botocore.exceptions import ClientError

from shared.iam import policy_document
from shared.private_bucket import deny_insecure_transport
from shared.tags import standard_tags

TAG_LAYER = "state"
MANAGED_BY = "invoke-bootstrap"


class BootstrapError(Exception):
    """The backend cannot be created as asked; the message is one line naming the problem."""


@dataclass(frozen=True)
class BackendNames:
    """The deterministic names of one environment's backend."""

    bucket: str
    key_alias: str
    region: str

    @property
    def backend_url(self) -> str:
        """The Pulumi S3 backend URL (`pulumi login` / `PULUMI_BACKEND_URL`)."""
        return f"s3://{self.bucket}?region={self.region}"

    @property
    def secrets_provider(self) -> str:
        """The Pulumi AWS KMS secrets provider URL of the key."""
        return f"awskms://{self.key_alias}?region={self.region}"


def backend_names(*, service: str, env: str, account_id: str, region: str) -> BackendNames:
    """Names derived from service, environment and account: the same on every run and machine."""
    return BackendNames(
        bucket=f"pulumi-state-{service}-{env}-{account_id}",
        key_alias=f"alias/pulumi-{service}-{env}",
        region=region,
    )


@dataclass(frozen=True)
class BootstrapResult:
    """What exists now, and what this run created or changed."""

    names: BackendNames
    key_arn: str
    created: tuple[str, ...]
    changed: tuple[str, ...]

    @property
    def exports(self) -> tuple[str, str]:
        """The two `export` lines to run (or set as CI variables)."""
        return (
            f"export PULUMI_BACKEND_URL='{self.names.backend_url}'",
            f"export PAYMENTS_SECRETS_PROVIDER='{self.names.secrets_provider}'",
        )

    def summary(self) -> str:
        """What happened, in a few lines."""
        if not self.created and not self.changed:
            return f"nothing to change: s3://{self.names.bucket} and {self.names.key_alias} are already set up"
        return "\n".join([*(f"created {c}" for c in self.created), *(f"changed {c}" for c in self.changed)])


def tls_only_policy(bucket: str, partition: str) -> str:
    """Deny every request to the bucket and its objects that is not made over TLS."""
    return policy_document(deny_insecure_transport(f"arn:{partition}:s3:::{bucket}"))


PUBLIC_ACCESS_BLOCK = {
    "BlockPublicAcls": True,
    "IgnorePublicAcls": True,
    "BlockPublicPolicy": True,
    "RestrictPublicBuckets": True,
}


def _code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


def _read(call: Callable[[], Any], *missing: str) -> Any:
    """`call()`, or None when AWS says the thing is not configured (one of the `missing` codes)."""
    try:
        return call()
    except ClientError as e:
        if _code(e) in missing:
            return None
        raise


class _Run:
    """One bootstrap run: the clients, the names, and the log of what it did."""

    def __init__(self, session: boto3.Session, names: BackendNames, tags: dict[str, str], partition: str) -> None:
        self.s3 = session.client("s3", region_name=names.region)
        self.kms = session.client("kms", region_name=names.region)
        self.names, self.tags, self.partition = names, tags, partition
        self.created: list[str] = []
        self.changed: list[str] = []
        self.bucket_is_new = False

    def claim_bucket(self) -> None:
        bucket = self.names.bucket
        try:
            self.s3.create_bucket(
                Bucket=bucket,
                CreateBucketConfiguration={"LocationConstraint": self.names.region},
                ObjectOwnership="BucketOwnerEnforced",
            )
        except ClientError as e:
            if _code(e) == "BucketAlreadyExists":
                raise BootstrapError(
                    f"the S3 bucket name {bucket} is taken by another AWS account: nothing was created"
                ) from None
            if _code(e) != "BucketAlreadyOwnedByYou":
                raise
            where = self.s3.get_bucket_location(Bucket=bucket).get("LocationConstraint") or "us-east-1"
            if where != self.names.region:
                raise BootstrapError(
                    f"the S3 bucket {bucket} already exists in this account but in {where}, not {self.names.region}"
                ) from None
            return
        self.bucket_is_new = True
        self.s3.put_bucket_tagging(
            Bucket=bucket, Tagging={"TagSet": [{"Key": k, "Value": v} for k, v in self.tags.items()]}
        )
        self.created.append(
            f"S3 bucket {bucket} in {self.names.region} (versioned, SSE-KMS with {self.names.key_alias} and a "
            "bucket key, TLS-only policy, public access blocked, ACLs disabled)"
        )

    def key(self) -> str:
        alias = self.names.key_alias
        existing = _read(lambda: self.kms.describe_key(KeyId=alias)["KeyMetadata"], "NotFoundException")
        if existing is None:
            key = self.kms.create_key(
                Description=f"Pulumi stack secrets of {self.tags['Project']} {self.tags['Environment']}",
                KeyUsage="ENCRYPT_DECRYPT",
                KeySpec="SYMMETRIC_DEFAULT",
                Tags=[{"TagKey": k, "TagValue": v} for k, v in self.tags.items()],
            )["KeyMetadata"]
            # The alias right away: a run that stops after this finds the key again by its alias.
            self.kms.create_alias(AliasName=alias, TargetKeyId=key["KeyId"])
            self.kms.enable_key_rotation(KeyId=key["KeyId"])
            self.created.append(f"KMS key {key['KeyId']} (rotation on) as {alias}")
            return str(key["Arn"])
        if existing["KeyState"] != "Enabled":
            raise BootstrapError(
                f"{alias} points to KMS key {existing['KeyId']}, which is {existing['KeyState']}: "
                "re-enable it (or cancel its deletion), or delete the alias, then run again"
            )
        if not self.kms.get_key_rotation_status(KeyId=existing["KeyId"])["KeyRotationEnabled"]:
            self.kms.enable_key_rotation(KeyId=existing["KeyId"])
            self.changed.append(f"rotation of {alias} (was off)")
        return str(existing["Arn"])

    def configure_bucket(self, key_arn: str) -> None:
        s3, bucket = self.s3, self.names.bucket
        if s3.get_bucket_versioning(Bucket=bucket).get("Status") != "Enabled":
            s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
            self._note("versioning", "on")

        encryption = {
            "Rules": [
                {
                    "ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": key_arn},
                    "BucketKeyEnabled": True,
                }
            ]
        }
        current = _read(
            lambda: s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"],
            "ServerSideEncryptionConfigurationNotFoundError",
        )
        if (current or {}).get("Rules") != encryption["Rules"]:
            s3.put_bucket_encryption(Bucket=bucket, ServerSideEncryptionConfiguration=encryption)
            self._note("default encryption", f"SSE-KMS with {self.names.key_alias}, bucket key on")

        blocks = _read(
            lambda: s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"],
            "NoSuchPublicAccessBlockConfiguration",
        )
        if blocks != PUBLIC_ACCESS_BLOCK:
            s3.put_public_access_block(Bucket=bucket, PublicAccessBlockConfiguration=PUBLIC_ACCESS_BLOCK)
            self._note("public access block", "all four on")

        ownership = _read(
            lambda: s3.get_bucket_ownership_controls(Bucket=bucket)["OwnershipControls"]["Rules"],
            "OwnershipControlsNotFoundError",
        )
        if ownership != [{"ObjectOwnership": "BucketOwnerEnforced"}]:
            s3.put_bucket_ownership_controls(
                Bucket=bucket, OwnershipControls={"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]}
            )
            self._note("object ownership", "BucketOwnerEnforced (ACLs disabled)")

        wanted = tls_only_policy(bucket, self.partition)
        policy = _read(lambda: s3.get_bucket_policy(Bucket=bucket)["Policy"], "NoSuchBucketPolicy")
        if policy is None or json.loads(policy) != json.loads(wanted):
            s3.put_bucket_policy(Bucket=bucket, Policy=wanted)
            self._note("bucket policy", "deny requests without TLS")

    def _note(self, setting: str, value: str) -> None:
        # Settings of a bucket created in this run are part of creating it, not changes.
        if not self.bucket_is_new:
            self.changed.append(f"{setting} of s3://{self.names.bucket}: {value}")


def cli_reaches(*, env: str, backend_account: str, cli_account: str) -> str | None:
    """None when the Pulumi CLI's own credentials are in the backend's account; else the one line refusing it."""
    if backend_account == cli_account:
        return None
    return (
        f"bootstrap of {env} refused: its backend would be in account {backend_account} (the account of the stacks' "
        f"assumeRoleArn), but these credentials are account {cli_account}, and the Pulumi CLI opens the s3:// backend "
        "and the awskms:// key with them, not with the role; run bootstrap and Pulumi with credentials of "
        f"{backend_account} (e.g. an AWS_PROFILE that assumes the role) - nothing was created"
    )


def bootstrap_state_backend(
    *,
    service: str,
    env: str,
    region: str,
    session: boto3.Session | None = None,
    cli_session: boto3.Session | None = None,
) -> BootstrapResult:
    """Create (or bring in line) the state bucket and secrets key of `env` in the credentials' account.

    `session` acts in the environment's account (the assumed role's, when the stacks name one);
    `cli_session` holds the credentials the Pulumi CLI will run with (the default chain). Raises
    `BootstrapError` before any change when the two accounts differ (module docstring).
    """
    session = session or boto3.Session()
    identity = session.client("sts", region_name=region).get_caller_identity()
    account, partition = str(identity["Account"]), str(identity["Arn"]).split(":")[1]
    cli = cli_session or boto3.Session()
    cli_account = (
        account if cli is session else str(cli.client("sts", region_name=region).get_caller_identity()["Account"])
    )
    refused = cli_reaches(env=env, backend_account=account, cli_account=cli_account)
    if refused:
        raise BootstrapError(refused)
    names = backend_names(service=service, env=env, account_id=account, region=region)
    tags = {**standard_tags(env=env, project=service, layer=TAG_LAYER), "ManagedBy": MANAGED_BY}
    run = _Run(session, names, tags, partition)
    run.claim_bucket()  # first: a name taken elsewhere stops before the key exists
    try:
        key_arn = run.key()
        run.configure_bucket(key_arn)
    except ClientError as e:
        done = "; ".join(run.created) or "nothing"
        raise BootstrapError(
            f"stopped: {str(e).splitlines()[0]}; created so far: {done}; fix the cause and run again to finish"
        ) from None
    return BootstrapResult(names=names, key_arn=key_arn, created=tuple(run.created), changed=tuple(run.changed))
