"""`AccessLogBucket`: the private, TLS-only, expiring S3 bucket the ALB writes access logs to.

Encryption is SSE-S3 (AES-256), not a customer KMS key: ALB access-log delivery supports only
Amazon S3-managed keys; with SSE-KMS as the bucket default the load balancer's log delivery
fails (AWS "Enable access logs for your Application Load Balancer", bucket requirements). This
is the one place of the platform without a customer-managed key, by AWS's constraint.

In a protected environment the logs are audit evidence: the bucket is versioned (an overwritten
or deleted log stays recoverable for `NONCURRENT_VERSION_DAYS`), it is not force-destroyed, and
a stack teardown leaves it in the account (`retain_on_delete`) instead of failing on a bucket
that still holds objects; the next deploy adopts it (`kept_bucket`, see `shared.adoption`), so one
bucket holds the environment's logs across rebuilds. Elsewhere it is unversioned and destroyed
with its contents.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from shared.adoption import adopting
from shared.iam import policy_document
from shared.naming import Namer
from shared.private_bucket import deny_insecure_transport, lock_down

# Days a noncurrent (overwritten or deleted) log version is kept in a versioned bucket.
NONCURRENT_VERSION_DAYS = 30


@dataclass(frozen=True)
class AccessLogBucketArgs:
    namer: Namer
    prefix: str  # key prefix the ALB writes under (without AWSLogs/, which ELB appends)
    expiration_days: int
    elb_account_arn: pulumi.Input[str]  # the regional ELB log-delivery account (get_service_account)
    account_id: pulumi.Input[str]
    protected: bool  # keep the logs as audit evidence (see module docstring)
    tags: dict[str, str]
    kept_bucket: str = ""  # the bucket an earlier teardown kept: imported, not created


def bucket_logical_name(n: Namer) -> str:
    """The bucket's logical name, which Pulumi's auto-name starts with (`s3-<service>-alblogs-<env>-...`)."""
    return n("s3", "alblogs", autonamed=True)


def access_log_bucket_policy(*, bucket_arn: str, prefix: str, elb_account_arn: str, account_id: str) -> str:
    """TLS-only access; the regional ELB account may put objects under this account's log prefix only.

    In regions opened before August 2022 (ap-northeast-2 among them) ALB log delivery writes as
    the region's ELB account, so that account is the principal, not a service principal. The
    deny lists every S3 action (`s3:*`) because it removes access; it grants nothing.
    """
    return policy_document(
        deny_insecure_transport(bucket_arn),
        {
            "Sid": "RegionalElbAccountWritesAccessLogs",
            "Effect": "Allow",
            "Principal": {"AWS": elb_account_arn},
            "Action": "s3:PutObject",
            "Resource": f"{bucket_arn}/{prefix}/AWSLogs/{account_id}/*",
        },
    )


class AccessLogBucket(pulumi.ComponentResource):
    """Bucket, ownership, public access block, SSE-S3 default encryption, versioning, lifecycle, policy.

    `policy` is what the load balancer must wait for: AWS checks write access when access
    logging is switched on.
    """

    bucket: aws.s3.Bucket
    policy: aws.s3.BucketPolicy

    def __init__(self, name: str, args: AccessLogBucketArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("payments:edge:AccessLogBucket", name, None, opts)
        n = args.namer
        # Every part of the bucket outlives a protected stack, so the kept bucket stays private,
        # encrypted, versioned and expiring exactly as configured here.
        child = pulumi.ResourceOptions(parent=self, retain_on_delete=args.protected)
        # Auto-named (`s3-<service>-alblogs-<env>-<random>`): bucket names are global, and a
        # random suffix means a re-created environment never collides with a deleted one.
        self.bucket = aws.s3.Bucket(
            bucket_logical_name(n),
            # Unprotected environments are fully destroyable, logs included; a protected one's
            # logs are never deleted with the stack.
            force_destroy=not args.protected,
            tags=args.tags,
            opts=pulumi.ResourceOptions.merge(child, adopting(args.kept_bucket)),
        )
        public_access = lock_down(n, "alblogs", self.bucket, child)
        aws.s3.BucketServerSideEncryptionConfiguration(
            n("s3encryption", "alblogs"),
            bucket=self.bucket.id,
            rules=[
                aws.s3.BucketServerSideEncryptionConfigurationRuleArgs(
                    apply_server_side_encryption_by_default=aws.s3.BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultArgs(
                        sse_algorithm="AES256"
                    )
                )
            ],
            opts=child,
        )
        versioning = None
        if args.protected:
            versioning = aws.s3.BucketVersioning(
                n("s3versioning", "alblogs"),
                bucket=self.bucket.id,
                versioning_configuration=aws.s3.BucketVersioningVersioningConfigurationArgs(status="Enabled"),
                opts=child,
            )
        aws.s3.BucketLifecycleConfiguration(
            n("s3lifecycle", "alblogs"),
            bucket=self.bucket.id,
            rules=[
                aws.s3.BucketLifecycleConfigurationRuleArgs(
                    id="expire-access-logs",
                    status="Enabled",
                    filter=aws.s3.BucketLifecycleConfigurationRuleFilterArgs(prefix=f"{args.prefix}/"),
                    # In a versioned bucket expiry leaves a delete marker; the data goes once the
                    # noncurrent version expires, and S3 then removes the lone marker itself.
                    expiration=aws.s3.BucketLifecycleConfigurationRuleExpirationArgs(days=args.expiration_days),
                    noncurrent_version_expiration=(
                        aws.s3.BucketLifecycleConfigurationRuleNoncurrentVersionExpirationArgs(
                            noncurrent_days=NONCURRENT_VERSION_DAYS
                        )
                        if args.protected
                        else None
                    ),
                ),
                # Parts of an upload that never completed are billed until aborted, wherever its key
                # is: this rule covers the whole bucket, not only the logs' prefix.
                aws.s3.BucketLifecycleConfigurationRuleArgs(
                    id="abort-incomplete-uploads",
                    status="Enabled",
                    filter=aws.s3.BucketLifecycleConfigurationRuleFilterArgs(prefix=""),
                    abort_incomplete_multipart_upload=(
                        aws.s3.BucketLifecycleConfigurationRuleAbortIncompleteMultipartUploadArgs(
                            days_after_initiation=1
                        )
                    ),
                ),
            ],
            # Noncurrent-version rules act on the versions versioning creates: configure it first.
            opts=pulumi.ResourceOptions.merge(
                child, pulumi.ResourceOptions(depends_on=[versioning] if versioning else [])
            ),
        )
        self.policy = aws.s3.BucketPolicy(
            n("s3policy", "alblogs"),
            bucket=self.bucket.id,
            policy=pulumi.Output.all(self.bucket.arn, args.elb_account_arn, args.account_id).apply(
                lambda v: access_log_bucket_policy(
                    bucket_arn=v[0], prefix=args.prefix, elb_account_arn=v[1], account_id=v[2]
                )
            ),
            # S3 rejects policy writes while the public access block is being applied.
            opts=pulumi.ResourceOptions.merge(child, pulumi.ResourceOptions(depends_on=[public_access])),
        )
        self.register_outputs({"bucket": self.bucket.bucket})
