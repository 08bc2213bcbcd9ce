"""The audit archive's IAM documents: who may assume its three roles, and what each may do.

- CloudWatch Logs puts records into the stream (`logs_trust_policy`, `logs_put_policy`);
- Firehose writes objects into the delivery bucket and its errors into its log stream
  (`firehose_trust_policy`, `firehose_delivery_policy`);
- S3 replicates each delivered object into the Object-Locked archive bucket
  (`replication_trust_policy`, `replication_policy`).

Both buckets use S3 Bucket Keys, so S3 asks KMS with the *bucket's* ARN as encryption context, not
the object's (Amazon S3 User Guide, "Reducing the cost of SSE-KMS with Amazon S3 Bucket Keys":
policies conditioned on the object ARN stop working once a bucket key is used; "Replicating
encrypted objects": with a bucket key on source and destination the context is the bucket ARN).
Every KMS grant below is therefore conditioned on exactly that bucket's ARN (`use_key_through_s3`).
"""

from __future__ import annotations

from typing import Any

from shared.iam import policy_document, service_trust_policy
from shared.private_bucket import deny_insecure_transport


def use_key_through_s3(*, sid: str, actions: list[str], key_arn: str, region: str, bucket_arn: str) -> dict[str, Any]:
    """Use of the archive key by S3 on the caller's behalf, for one bucket with a bucket key only."""
    return {
        "Sid": sid,
        "Effect": "Allow",
        "Action": actions,
        "Resource": key_arn,
        "Condition": {
            "StringEquals": {
                "kms:ViaService": f"s3.{region}.amazonaws.com",
                # With S3 Bucket Keys the context S3 sends is the bucket's ARN (module docstring).
                "kms:EncryptionContext:aws:s3:arn": bucket_arn,
            }
        },
    }


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


def firehose_trust_policy(account_id: str) -> str:
    """Firehose may assume the role for streams of this account only.

    The condition is the one Firehose documents for the role of a stream (Amazon Data Firehose
    Developer Guide, "Allow Firehose to assume an IAM role"): `sts:ExternalId` equal to the
    account id, which Firehose passes when it assumes the role. It does not document sending
    `aws:SourceArn`/`aws:SourceAccount`, and a condition on a key the service never sends
    would leave the role unassumable and the archive silently empty.
    """
    return policy_document(
        {
            "Sid": "FirehoseForThisAccountsStreams",
            "Effect": "Allow",
            "Principal": {"Service": "firehose.amazonaws.com"},
            "Action": "sts:AssumeRole",
            "Condition": {"StringEquals": {"sts:ExternalId": account_id}},
        }
    )


def firehose_delivery_policy(*, bucket_arn: str, key_arn: str, region: str, error_log_stream_arn: str) -> str:
    """Write (and resume multipart uploads) into the delivery bucket with the archive key, and log errors.

    The S3 actions are those Firehose documents for an S3 destination ("Grant Firehose access to
    an Amazon S3 destination"); `s3:GetObject` and the listing actions let it resume an
    interrupted multipart delivery. `logs:PutLogEvents` on its one log stream is what error
    logging needs.
    """
    return policy_document(
        {
            "Sid": "WriteIntoTheDeliveryBucket",
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
        use_key_through_s3(
            sid="EncryptWithTheArchiveKeyThroughS3",
            actions=["kms:Decrypt", "kms:GenerateDataKey"],
            key_arn=key_arn,
            region=region,
            bucket_arn=bucket_arn,
        ),
        {
            "Sid": "LogDeliveryErrors",
            "Effect": "Allow",
            "Action": "logs:PutLogEvents",
            "Resource": error_log_stream_arn,
        },
    )


def replication_trust_policy() -> str:
    """S3 may assume the role to replicate objects (Amazon S3 User Guide, "Setting up permissions for
    live replication": the trust policy names `s3.amazonaws.com`, without conditions).

    Only a principal of this account allowed `iam:PassRole` on the role can name it in a bucket's
    replication configuration, so no other account's bucket can make S3 act with it.
    """
    return policy_document(
        {
            "Sid": "S3ReplicatesTheAuditArchive",
            "Effect": "Allow",
            "Principal": {"Service": "s3.amazonaws.com"},
            "Action": "sts:AssumeRole",
        }
    )


def replication_policy(*, source_arn: str, destination_arn: str, key_arn: str, region: str) -> str:
    """Read the delivery bucket's object versions, write replicas into the archive bucket, with the archive key.

    The actions are those of "Setting up permissions for live replication" for a same-account
    rule that replicates neither delete markers (`s3:ReplicateDelete` is left out: the delivery
    bucket's expiry must never reach the archive) nor Object Lock settings of the source (it has
    none; the archive's default retention applies to each replica). The key statements follow
    "Replicating encrypted objects": decrypt under the source bucket's context, encrypt under the
    destination's.
    """
    return policy_document(
        {
            "Sid": "ReadTheDeliveryBucketsReplicationSetup",
            "Effect": "Allow",
            "Action": ["s3:GetReplicationConfiguration", "s3:ListBucket"],
            "Resource": source_arn,
        },
        {
            "Sid": "ReadDeliveredObjectVersions",
            "Effect": "Allow",
            "Action": [
                "s3:GetObjectVersionAcl",
                "s3:GetObjectVersionForReplication",
                "s3:GetObjectVersionTagging",
            ],
            "Resource": f"{source_arn}/*",
        },
        {
            "Sid": "WriteReplicasIntoTheArchive",
            "Effect": "Allow",
            "Action": ["s3:ReplicateObject", "s3:ReplicateTags"],
            "Resource": f"{destination_arn}/*",
        },
        use_key_through_s3(
            sid="DecryptDeliveredObjects",
            actions=["kms:Decrypt"],
            key_arn=key_arn,
            region=region,
            bucket_arn=source_arn,
        ),
        use_key_through_s3(
            sid="EncryptReplicas",
            actions=["kms:Encrypt", "kms:GenerateDataKey"],
            key_arn=key_arn,
            region=region,
            bucket_arn=destination_arn,
        ),
    )


def tls_only_bucket_policy(bucket_arn: str) -> str:
    """Every request without TLS is refused (the deny grants nothing, so `s3:*` is safe here)."""
    return policy_document(deny_insecure_transport(bucket_arn))
