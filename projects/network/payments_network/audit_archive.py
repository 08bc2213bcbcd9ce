"""`AuditArchive`: the one-year archive of audit logs beyond CloudWatch's 7 days, and how it reaches S3.

Every audit log group (VPC flow logs, the application's, PostgreSQL's, the WAF's) has one
subscription filter (`shared.audit_archive.AuditLogSubscription`) into this Firehose delivery
stream. The path, and why it has two buckets:

    log groups ─► Firehose ─► delivery bucket ─(S3 Replication)─► archive bucket (Object Lock)

In protected environments the archive bucket is created with Object Lock, whose default retention
(GOVERNANCE, `auditArchiveRetentionDays`) keeps every object from deletion or overwrite. S3 refuses
an upload into such a bucket that carries neither `Content-MD5` nor an `x-amz-checksum-*` header
(Amazon S3 API Reference, PutObject: "The Content-MD5 or x-amz-sdk-checksum-algorithm header is
required for any request to upload an object with a retention period configured using Amazon S3
Object Lock"). Firehose's documentation does not say that its S3 deliveries send either, so
Firehose writing straight into the locked bucket could be refused on every flush. It therefore
writes into an unlocked delivery bucket, and S3 Replication copies each object into the locked
one: replication into Object Lock buckets is supported, and a replica of an object without
retention of its own gets the destination's default retention (Amazon S3 User Guide, "What does
Amazon S3 replicate?"). The delivery bucket keeps its copies `DELIVERY_DAYS`, enough to replicate
by hand (S3 Batch Replication) whatever the replication alarm reports as failed; delete markers
are not replicated, so its expiry never reaches the archive.

Both buckets and the stream use the archive's customer-managed key (bucket keys on, see
`archive_policies` for what that means for the roles' key grants). The archive bucket is versioned,
private, TLS-only and owner-enforced, and in protected environments it is never force-destroyed:
destroying the stack leaves it, its controls, its key and the key's alias in the account
(`retain_on_delete`), so the evidence stays guarded and readable, and the next deploy takes them
back (`find_kept_archive`, `shared.adoption`) instead of starting a second archive. The delivery
bucket holds only copies and goes with the stack. Elsewhere everything is destroyed with its
contents.

Firehose logs every failed delivery to a log group of its own (KMS-encrypted, 7 days), and the
network layer's alarms watch the stream's data freshness and the replication's failures
(`payments_network.alarms`).
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from payments_network.archive_policies import (
    firehose_delivery_policy,
    firehose_trust_policy,
    logs_put_policy,
    logs_trust_policy,
    replication_policy,
    replication_trust_policy,
    tls_only_bucket_policy,
)
from shared import kms
from shared.adoption import adopting, kept_bucket, key_of_alias
from shared.audit_archive import REPLICATION_RULE_ID
from shared.encrypted_log_group import EncryptedLogGroup, EncryptedLogGroupArgs
from shared.iam import policy_document
from shared.naming import Namer
from shared.private_bucket import lock_down

ARCHIVE_PREFIX = "logs/"
ERROR_PREFIX = "delivery-errors/"
# Firehose flushes whichever comes first; five minutes keeps an archive at most that far behind.
BUFFER_SECONDS = 300
BUFFER_MIB = 5
INCOMPLETE_UPLOAD_DAYS = 1
# Days the delivery bucket keeps its copies: replication takes minutes; a week leaves time to
# replicate by hand what the replication alarm reports as failed.
DELIVERY_DAYS = 7


@dataclass(frozen=True)
class KeptArchive:
    """What a protected environment's teardown left: the archive bucket and the key that encrypts it."""

    bucket: str
    key_id: str


@dataclass(frozen=True)
class AuditArchiveArgs:
    namer: Namer
    retention_days: int
    protected: bool  # Object Lock (GOVERNANCE); the stored evidence outlives the stack
    deletion_window_days: int
    log_retention_days: int  # of Firehose's own error log group
    tags: dict[str, str]
    account_id: pulumi.Input[str]
    partition: pulumi.Input[str]
    region: str
    kept: KeptArchive | None = None  # adopted instead of created (see `find_kept_archive`)


def archive_bucket_name(n: Namer) -> str:
    """The archive bucket's logical name, which its auto-name starts with."""
    return n("s3", "auditarchive", autonamed=True)


def key_alias(n: Namer) -> str:
    """The archive key's alias: kept with the key, it is how a rebuild finds the key again."""
    return f"alias/{n('kms', 'auditarchive')}"


def find_kept_archive(n: Namer, *, region: str, opts: pulumi.InvokeOptions) -> KeptArchive | None:
    """The archive a protected environment's teardown kept (or, later, the stack's own), or None."""
    bucket = kept_bucket(archive_bucket_name(n), region=region, opts=opts)
    if bucket is None:
        return None
    alias = key_alias(n)
    return KeptArchive(bucket, key_of_alias(alias, kept_with=f"the audit archive bucket {bucket}", opts=opts))


def _sse_kms(n: Namer, purpose: str, bucket: aws.s3.Bucket, key_arn: pulumi.Input[str], opts: pulumi.ResourceOptions):
    """Default encryption with the archive key and an S3 Bucket Key (one data key per bucket-hour, not a
    KMS call per object; see `archive_policies` for the encryption context this implies)."""
    return aws.s3.BucketServerSideEncryptionConfiguration(
        n("s3encryption", purpose),
        bucket=bucket.id,
        rules=[
            aws.s3.BucketServerSideEncryptionConfigurationRuleArgs(
                apply_server_side_encryption_by_default=aws.s3.BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultArgs(
                    sse_algorithm="aws:kms", kms_master_key_id=key_arn
                ),
                bucket_key_enabled=True,
            )
        ],
        opts=opts,
    )


def _expiry(
    n: Namer, purpose: str, bucket: aws.s3.Bucket, days: int, versioning: pulumi.Resource, opts: pulumi.ResourceOptions
) -> aws.s3.BucketLifecycleConfiguration:
    """One bucket-wide rule: objects expire after `days`, the version expiry leaves goes a day later,
    and an upload never completed is aborted after `INCOMPLETE_UPLOAD_DAYS`."""
    return aws.s3.BucketLifecycleConfiguration(
        n("s3lifecycle", purpose),
        bucket=bucket.id,
        rules=[
            aws.s3.BucketLifecycleConfigurationRuleArgs(
                id=f"expire-after-{days}-days",
                status="Enabled",
                filter=aws.s3.BucketLifecycleConfigurationRuleFilterArgs(prefix=""),
                expiration=aws.s3.BucketLifecycleConfigurationRuleExpirationArgs(days=days),
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
        opts=pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(depends_on=[versioning])),
    )


class AuditArchive(pulumi.ComponentResource):
    """Key, archive bucket, delivery bucket and replication, delivery stream, its error log, the three roles.

    `stream` and `logs_role` are what a subscription filter needs; `ready` is what the first
    subscription must wait for (CloudWatch Logs test-delivers when a filter is created).
    """

    key: aws.kms.Key
    bucket: aws.s3.Bucket
    delivery_bucket: aws.s3.Bucket
    stream: aws.kinesis.FirehoseDeliveryStream
    logs_role: aws.iam.Role
    error_log: EncryptedLogGroup
    ready: list[pulumi.Resource]

    def __init__(self, name: str, args: AuditArchiveArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("payments:network:AuditArchive", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        # Protected: the key, its alias, the archive bucket and its controls outlive the stack.
        kept = pulumi.ResourceOptions(parent=self, retain_on_delete=args.protected)
        n, tags, region = args.namer, args.tags, args.region
        stream_name = n("firehose", "auditarchive")
        account = pulumi.Output.from_input(args.account_id)

        self.key = aws.kms.Key(
            n("kms", "auditarchive"),
            description="Encrypts the audit log archive (delivery stream and S3 objects)",
            enable_key_rotation=True,
            deletion_window_in_days=args.deletion_window_days,
            policy=pulumi.Output.all(args.account_id, args.partition).apply(
                lambda ap: policy_document(
                    kms.admin_statement(ap[1], ap[0]),
                    kms.firehose_grant_statement(partition=ap[1], account_id=ap[0], region=region),
                )
            ),
            tags=tags,
            opts=pulumi.ResourceOptions.merge(kept, adopting(args.kept.key_id if args.kept else None)),
        )
        alias = key_alias(n)
        aws.kms.Alias(
            f"alias-{n('kms', 'auditarchive')}",
            name=alias,
            target_key_id=self.key.key_id,
            # Kept with the key: after a teardown it names the key that reads the kept archive.
            opts=pulumi.ResourceOptions.merge(kept, adopting(alias if args.kept else None)),
        )

        # The archive: auto-named (bucket names are global); in protected environments locked and kept.
        self.bucket = aws.s3.Bucket(
            archive_bucket_name(n),
            object_lock_enabled=args.protected,  # only possible at creation
            force_destroy=not args.protected,  # dev and ephemeral environments go with their logs
            tags=tags,
            opts=pulumi.ResourceOptions.merge(kept, adopting(args.kept.bucket if args.kept else None)),
        )
        # Written over on adoption: each of these is one S3 Put that replaces what the bucket had.
        public_access = lock_down(n, "auditarchive", self.bucket, kept)
        versioning = aws.s3.BucketVersioning(
            n("s3versioning", "auditarchive"),
            bucket=self.bucket.id,
            versioning_configuration=aws.s3.BucketVersioningVersioningConfigurationArgs(status="Enabled"),
            opts=kept,
        )
        _sse_kms(n, "auditarchive", self.bucket, self.key.arn, kept)
        _expiry(n, "auditarchive", self.bucket, args.retention_days, versioning, kept)
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
        aws.s3.BucketPolicy(
            n("s3policy", "auditarchive"),
            bucket=self.bucket.id,
            policy=self.bucket.arn.apply(tls_only_bucket_policy),
            # S3 rejects policy writes while the public access block is being applied.
            opts=pulumi.ResourceOptions.merge(kept, pulumi.ResourceOptions(depends_on=[public_access])),
        )

        # The delivery bucket: Firehose's destination, unlocked, copies only; never kept.
        self.delivery_bucket = aws.s3.Bucket(
            n("s3", "auditdelivery", autonamed=True), force_destroy=True, tags=tags, opts=child
        )
        delivery_public_access = lock_down(n, "auditdelivery", self.delivery_bucket, child)
        delivery_versioning = aws.s3.BucketVersioning(  # replication reads object versions
            n("s3versioning", "auditdelivery"),
            bucket=self.delivery_bucket.id,
            versioning_configuration=aws.s3.BucketVersioningVersioningConfigurationArgs(status="Enabled"),
            opts=child,
        )
        _sse_kms(n, "auditdelivery", self.delivery_bucket, self.key.arn, child)
        _expiry(n, "auditdelivery", self.delivery_bucket, DELIVERY_DAYS, delivery_versioning, child)
        delivery_policy = aws.s3.BucketPolicy(
            n("s3policy", "auditdelivery"),
            bucket=self.delivery_bucket.id,
            policy=self.delivery_bucket.arn.apply(tls_only_bucket_policy),
            opts=pulumi.ResourceOptions.merge(child, pulumi.ResourceOptions(depends_on=[delivery_public_access])),
        )

        # S3 Replication: every delivered object (and its version) into the archive, re-encrypted there.
        replication_role = aws.iam.Role(
            n("role", "auditarchive-replication"),
            name=n("role", "auditarchive-replication"),
            description="Lets S3 replicate delivered audit logs into the locked archive bucket",
            assume_role_policy=replication_trust_policy(),
            tags=tags,
            opts=child,
        )
        replication_permissions = aws.iam.RolePolicy(
            n("policy", "auditarchive-replication"),
            name=n("policy", "auditarchive-replication"),
            role=replication_role.id,
            policy=pulumi.Output.all(self.delivery_bucket.arn, self.bucket.arn, self.key.arn).apply(
                lambda v: replication_policy(source_arn=v[0], destination_arn=v[1], key_arn=v[2], region=region)
            ),
            opts=child,
        )
        aws.s3.BucketReplicationConfig(
            n("s3replication", "auditdelivery"),
            bucket=self.delivery_bucket.id,
            role=replication_role.arn,
            rules=[
                aws.s3.BucketReplicationConfigRuleArgs(
                    id=REPLICATION_RULE_ID,
                    status="Enabled",
                    priority=1,
                    filter=aws.s3.BucketReplicationConfigRuleFilterArgs(prefix=""),
                    # The delivery bucket's expiry must never delete anything in the archive.
                    delete_marker_replication=aws.s3.BucketReplicationConfigRuleDeleteMarkerReplicationArgs(
                        status="Disabled"
                    ),
                    source_selection_criteria=aws.s3.BucketReplicationConfigRuleSourceSelectionCriteriaArgs(
                        sse_kms_encrypted_objects=aws.s3.BucketReplicationConfigRuleSourceSelectionCriteriaSseKmsEncryptedObjectsArgs(
                            status="Enabled"
                        )
                    ),
                    destination=aws.s3.BucketReplicationConfigRuleDestinationArgs(
                        bucket=self.bucket.arn,
                        encryption_configuration=aws.s3.BucketReplicationConfigRuleDestinationEncryptionConfigurationArgs(
                            replica_kms_key_id=self.key.arn
                        ),
                        # Publishes OperationsFailedReplication, which the replication alarm watches.
                        metrics=aws.s3.BucketReplicationConfigRuleDestinationMetricsArgs(
                            status="Enabled",
                            event_threshold=aws.s3.BucketReplicationConfigRuleDestinationMetricsEventThresholdArgs(
                                minutes=15
                            ),
                        ),
                    ),
                )
            ],
            # Replication needs versioning on both buckets, and its role's permissions in place.
            opts=pulumi.ResourceOptions.merge(
                child, pulumi.ResourceOptions(depends_on=[versioning, delivery_versioning, replication_permissions])
            ),
        )

        # Firehose's own delivery errors: a KMS-encrypted log group and the stream it writes to.
        self.error_log = EncryptedLogGroup(
            n("deliveryerrors", "auditarchive"),
            EncryptedLogGroupArgs(
                namer=n,
                purpose="auditarchive-errors",
                retention_in_days=args.log_retention_days,
                tags=tags,
                account_id=args.account_id,
                partition=args.partition,
                region=region,
            ),
            child,
        )
        # Firehose writes into a stream of the group, which it does not create itself.
        error_stream = aws.cloudwatch.LogStream(
            n("logstream", "auditarchive-errors"),
            name=n("logstream", "auditarchive-errors"),
            log_group_name=self.error_log.log_group.name,
            opts=child,
        )

        firehose_role = aws.iam.Role(
            n("role", "auditarchive-firehose"),
            name=n("role", "auditarchive-firehose"),
            description="Lets the audit archive delivery stream write into its bucket and log its errors",
            assume_role_policy=account.apply(firehose_trust_policy),
            tags=tags,
            opts=child,
        )
        firehose_policy = aws.iam.RolePolicy(
            n("policy", "auditarchive-firehose"),
            name=n("policy", "auditarchive-firehose"),
            role=firehose_role.id,
            policy=pulumi.Output.all(self.delivery_bucket.arn, self.key.arn, error_stream.arn).apply(
                lambda v: firehose_delivery_policy(
                    bucket_arn=v[0], key_arn=v[1], region=region, error_log_stream_arn=v[2]
                )
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
                bucket_arn=self.delivery_bucket.arn,
                kms_key_arn=self.key.arn,
                prefix=f"{ARCHIVE_PREFIX}!{{timestamp:yyyy/MM/dd}}/",
                error_output_prefix=f"{ERROR_PREFIX}!{{firehose:error-output-type}}/!{{timestamp:yyyy/MM/dd}}/",
                buffering_interval=BUFFER_SECONDS,
                buffering_size=BUFFER_MIB,
                # CloudWatch Logs already delivers gzip-compressed batches; compressing again gains nothing.
                compression_format="UNCOMPRESSED",
                cloudwatch_logging_options=aws.kinesis.FirehoseDeliveryStreamExtendedS3ConfigurationCloudwatchLoggingOptionsArgs(
                    enabled=True, log_group_name=self.error_log.log_group.name, log_stream_name=error_stream.name
                ),
            ),
            tags=tags,
            # Firehose checks its role when the stream is created.
            opts=pulumi.ResourceOptions(parent=self, depends_on=[firehose_policy, delivery_policy]),
        )

        self.logs_role = aws.iam.Role(
            n("role", "auditarchive-logs"),
            name=n("role", "auditarchive-logs"),
            description="Lets CloudWatch Logs subscription filters put audit logs into the archive stream",
            assume_role_policy=pulumi.Output.all(args.partition, args.account_id).apply(
                lambda v: logs_trust_policy(partition=v[0], region=region, account_id=v[1])
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
        self.register_outputs(
            {
                "stream_arn": self.stream.arn,
                "bucket": self.bucket.bucket,
                "delivery_bucket": self.delivery_bucket.bucket,
            }
        )
