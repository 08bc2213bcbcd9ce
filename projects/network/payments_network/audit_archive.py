"""`AuditArchive`: the S3 bucket and Firehose delivery stream that keep audit logs beyond CloudWatch's 7 days.

Every audit log group (VPC flow logs, the application's logs, PostgreSQL's logs) has one
subscription filter (`shared.audit_archive.AuditLogSubscription`) into this stream, which writes
to a bucket that keeps objects for `auditArchiveRetentionDays` (365: PCI DSS asks for a year of
audit history). The bucket is encrypted with its own customer-managed key, versioned, private,
TLS-only and owner-enforced; in protected environments it is created with Object Lock, whose
default retention in GOVERNANCE mode keeps every object from deletion or overwrite for the
retention period, and it is never force-destroyed: destroying the stack leaves the bucket, its
controls and its key in the account (Pulumi `retainOnDelete`), so the evidence stays guarded and
readable. Elsewhere it is destroyed with its contents.

Two roles, each trusted by one service for this account only:
- CloudWatch Logs (`logs.<region>.amazonaws.com`, for this account's log groups) puts records
  into this one stream;
- Firehose (for this one stream) writes objects into this one bucket with this one key.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from shared import kms
from shared.iam import policy_document, service_trust_policy
from shared.naming import Namer
from shared.private_bucket import deny_insecure_transport, lock_down

ARCHIVE_PREFIX = "logs/"
ERROR_PREFIX = "delivery-errors/"
# Firehose flushes whichever comes first; five minutes keeps an archive at most that far behind.
BUFFER_SECONDS = 300
BUFFER_MIB = 5
INCOMPLETE_UPLOAD_DAYS = 1


@dataclass(frozen=True)
class AuditArchiveArgs:
    namer: Namer
    retention_days: int
    protected: bool  # Object Lock (GOVERNANCE); the stored evidence outlives the stack
    deletion_window_days: int
    tags: dict[str, str]
    account_id: pulumi.Input[str]
    partition: pulumi.Input[str]
    region: str


def stream_arn(*, partition: str, region: str, account_id: str, name: str) -> str:
    """A delivery stream's ARN, known before the stream exists (its role's trust policy needs it)."""
    return f"arn:{partition}:firehose:{region}:{account_id}:deliverystream/{name}"


def logs_trust_policy(*, partition: str, region: str, account_id: str) -> str:
    """CloudWatch Logs of this region may assume the role, for this account's log groups only."""
    return service_trust_policy(
        sid="CloudWatchLogsForThisAccountsLogGroups",
        service=f"logs.{region}.amazonaws.com",
        account_id=account_id,
        source_arn=f"arn:{partition}:logs:{region}:{account_id}:log-group:*",
    )


def logs_put_policy(archive_stream_arn: str) -> str:
    """The role may put records into the archive stream and nothing else."""
    return policy_document(
        {
            "Sid": "PutRecordsIntoTheArchiveStream",
            "Effect": "Allow",
            "Action": ["firehose:PutRecord", "firehose:PutRecordBatch"],
            "Resource": archive_stream_arn,
        }
    )


def firehose_trust_policy(*, account_id: str, archive_stream_arn: str) -> str:
    """Firehose may assume the role for this account's archive stream only."""
    return service_trust_policy(
        sid="FirehoseForTheArchiveStream",
        service="firehose.amazonaws.com",
        account_id=account_id,
        source_arn=archive_stream_arn,
    )


def firehose_write_policy(*, bucket_arn: str, key_arn: str, region: str) -> str:
    """Write (and resume multipart uploads) into this bucket, with this key through S3 only.

    The actions are those AWS documents for a Firehose S3 destination; `s3:GetObject` and the
    listing actions let Firehose resume an interrupted multipart delivery.
    """
    return policy_document(
        {
            "Sid": "WriteIntoTheArchiveBucket",
            "Effect": "Allow",
            "Action": [
                "s3:AbortMultipartUpload",
                "s3:GetBucketLocation",
                "s3:GetObject",
                "s3:ListBucket",
                "s3:ListBucketMultipartUploads",
                "s3:PutObject",
            ],
            "Resource": [bucket_arn, f"{bucket_arn}/*"],
        },
        {
            "Sid": "EncryptWithTheArchiveKeyThroughS3",
            "Effect": "Allow",
            "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
            "Resource": key_arn,
            "Condition": {
                "StringEquals": {"kms:ViaService": f"s3.{region}.amazonaws.com"},
                "StringLike": {"kms:EncryptionContext:aws:s3:arn": f"{bucket_arn}/*"},
            },
        },
    )


def tls_only_bucket_policy(bucket_arn: str) -> str:
    """Every request without TLS is refused (the deny grants nothing, so `s3:*` is safe here)."""
    return policy_document(deny_insecure_transport(bucket_arn))


class AuditArchive(pulumi.ComponentResource):
    """Key, bucket (and its controls), delivery stream and the two roles.

    `stream_arn` and `logs_role_arn` are what a subscription filter needs; `ready` is what the
    first subscription must wait for (CloudWatch Logs test-delivers when a filter is created).
    """

    key: aws.kms.Key
    bucket: aws.s3.Bucket
    stream: aws.kinesis.FirehoseDeliveryStream
    logs_role: aws.iam.Role
    ready: list[pulumi.Resource]

    def __init__(self, name: str, args: AuditArchiveArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("payments:network:AuditArchive", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        # Protected: the key, the bucket and its controls outlive the stack (see module docstring).
        kept = pulumi.ResourceOptions(parent=self, retain_on_delete=args.protected)
        n, tags = args.namer, args.tags
        stream_name = n("firehose", "auditarchive")
        known_stream_arn = pulumi.Output.all(args.partition, args.account_id).apply(
            lambda v: stream_arn(partition=v[0], region=args.region, account_id=v[1], name=stream_name)
        )

        self.key = aws.kms.Key(
            n("kms", "auditarchive"),
            description="Encrypts the audit log archive (delivery stream and S3 objects)",
            enable_key_rotation=True,
            deletion_window_in_days=args.deletion_window_days,
            policy=pulumi.Output.all(args.account_id, args.partition).apply(
                lambda ap: policy_document(
                    kms.admin_statement(ap[1], ap[0]),
                    kms.firehose_grant_statement(partition=ap[1], account_id=ap[0], region=args.region),
                )
            ),
            tags=tags,
            opts=kept,
        )
        aws.kms.Alias(
            f"alias-{n('kms', 'auditarchive')}",
            name=f"alias/{n('kms', 'auditarchive')}",
            target_key_id=self.key.key_id,
            opts=child,  # not kept: a re-created environment takes the name again
        )

        # Auto-named: bucket names are global, and a re-created environment must not collide.
        self.bucket = aws.s3.Bucket(
            n("s3", "auditarchive", autonamed=True),
            object_lock_enabled=args.protected,  # only possible at creation
            force_destroy=not args.protected,  # dev and ephemeral environments go with their logs
            tags=tags,
            opts=kept,
        )
        public_access = lock_down(n, "auditarchive", self.bucket, kept)
        versioning = aws.s3.BucketVersioning(
            n("s3versioning", "auditarchive"),
            bucket=self.bucket.id,
            versioning_configuration=aws.s3.BucketVersioningVersioningConfigurationArgs(status="Enabled"),
            opts=kept,
        )
        aws.s3.BucketServerSideEncryptionConfiguration(
            n("s3encryption", "auditarchive"),
            bucket=self.bucket.id,
            rules=[
                aws.s3.BucketServerSideEncryptionConfigurationRuleArgs(
                    apply_server_side_encryption_by_default=aws.s3.BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultArgs(
                        sse_algorithm="aws:kms", kms_master_key_id=self.key.arn
                    ),
                    bucket_key_enabled=True,  # one data key per bucket-hour, not one KMS call per object
                )
            ],
            opts=kept,
        )
        aws.s3.BucketLifecycleConfiguration(
            n("s3lifecycle", "auditarchive"),
            bucket=self.bucket.id,
            rules=[
                aws.s3.BucketLifecycleConfigurationRuleArgs(
                    id="expire-after-retention",
                    status="Enabled",
                    filter=aws.s3.BucketLifecycleConfigurationRuleFilterArgs(prefix=""),
                    expiration=aws.s3.BucketLifecycleConfigurationRuleExpirationArgs(days=args.retention_days),
                    # Expiry of a versioned object leaves a noncurrent version: remove it a day later
                    # (Object Lock's retention, counted from the object's creation, is over by then).
                    noncurrent_version_expiration=aws.s3.BucketLifecycleConfigurationRuleNoncurrentVersionExpirationArgs(
                        noncurrent_days=1
                    ),
                    abort_incomplete_multipart_upload=aws.s3.BucketLifecycleConfigurationRuleAbortIncompleteMultipartUploadArgs(
                        days_after_initiation=INCOMPLETE_UPLOAD_DAYS
                    ),
                ),
            ],
            # S3 refuses a lifecycle with noncurrent-version rules racing the versioning change.
            opts=pulumi.ResourceOptions.merge(kept, pulumi.ResourceOptions(depends_on=[versioning])),
        )
        if args.protected:
            aws.s3.BucketObjectLockConfiguration(
                n("s3objectlock", "auditarchive"),
                bucket=self.bucket.id,
                object_lock_enabled="Enabled",
                rule=aws.s3.BucketObjectLockConfigurationRuleArgs(
                    default_retention=aws.s3.BucketObjectLockConfigurationRuleDefaultRetentionArgs(
                        mode="GOVERNANCE", days=args.retention_days
                    )
                ),
                opts=pulumi.ResourceOptions.merge(kept, pulumi.ResourceOptions(depends_on=[versioning])),
            )
        bucket_policy = aws.s3.BucketPolicy(
            n("s3policy", "auditarchive"),
            bucket=self.bucket.id,
            policy=self.bucket.arn.apply(tls_only_bucket_policy),
            # S3 rejects policy writes while the public access block is being applied.
            opts=pulumi.ResourceOptions.merge(kept, pulumi.ResourceOptions(depends_on=[public_access])),
        )

        firehose_role = aws.iam.Role(
            n("role", "auditarchive-firehose"),
            name=n("role", "auditarchive-firehose"),
            description="Lets the audit archive delivery stream write into its bucket",
            assume_role_policy=pulumi.Output.all(args.account_id, known_stream_arn).apply(
                lambda v: firehose_trust_policy(account_id=v[0], archive_stream_arn=v[1])
            ),
            tags=tags,
            opts=child,
        )
        firehose_policy = aws.iam.RolePolicy(
            n("policy", "auditarchive-firehose"),
            name=n("policy", "auditarchive-firehose"),
            role=firehose_role.id,
            policy=pulumi.Output.all(self.bucket.arn, self.key.arn).apply(
                lambda v: firehose_write_policy(bucket_arn=v[0], key_arn=v[1], region=args.region)
            ),
            opts=child,
        )
        self.stream = aws.kinesis.FirehoseDeliveryStream(
            stream_name,
            name=stream_name,
            destination="extended_s3",
            server_side_encryption=aws.kinesis.FirehoseDeliveryStreamServerSideEncryptionArgs(
                enabled=True, key_type="CUSTOMER_MANAGED_CMK", key_arn=self.key.arn
            ),
            extended_s3_configuration=aws.kinesis.FirehoseDeliveryStreamExtendedS3ConfigurationArgs(
                role_arn=firehose_role.arn,
                bucket_arn=self.bucket.arn,
                kms_key_arn=self.key.arn,
                prefix=f"{ARCHIVE_PREFIX}!{{timestamp:yyyy/MM/dd}}/",
                error_output_prefix=f"{ERROR_PREFIX}!{{firehose:error-output-type}}/!{{timestamp:yyyy/MM/dd}}/",
                buffering_interval=BUFFER_SECONDS,
                buffering_size=BUFFER_MIB,
                # CloudWatch Logs already delivers gzip-compressed batches; compressing again gains nothing.
                compression_format="UNCOMPRESSED",
            ),
            tags=tags,
            # Firehose checks its role when the stream is created.
            opts=pulumi.ResourceOptions(parent=self, depends_on=[firehose_policy, bucket_policy]),
        )

        self.logs_role = aws.iam.Role(
            n("role", "auditarchive-logs"),
            name=n("role", "auditarchive-logs"),
            description="Lets CloudWatch Logs subscription filters put audit logs into the archive stream",
            assume_role_policy=pulumi.Output.all(args.partition, args.account_id).apply(
                lambda v: logs_trust_policy(partition=v[0], region=args.region, account_id=v[1])
            ),
            tags=tags,
            opts=child,
        )
        logs_policy = aws.iam.RolePolicy(
            n("policy", "auditarchive-logs"),
            name=n("policy", "auditarchive-logs"),
            role=self.logs_role.id,
            policy=self.stream.arn.apply(logs_put_policy),
            opts=child,
        )
        self.ready = [self.stream, logs_policy]
        self.register_outputs({"stream_arn": self.stream.arn, "bucket": self.bucket.bucket})
