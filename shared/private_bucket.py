"""What every bucket of the platform starts with: no ACLs, no way to be made public, TLS only."""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_aws as aws

from shared.naming import Namer


def deny_insecure_transport(bucket_arn: str) -> dict[str, Any]:
    """The statement refusing every request to the bucket and its objects not made over TLS.

    It lists every S3 action (`s3:*`) because it takes access away; a deny grants nothing.
    """
    return {
        "Sid": "DenyInsecureTransport",
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": [bucket_arn, f"{bucket_arn}/*"],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }


def lock_down(
    n: Namer, purpose: str, bucket: aws.s3.Bucket, opts: pulumi.ResourceOptions
) -> aws.s3.BucketPublicAccessBlock:
    """ACLs disabled (the bucket owner owns every object) and all four public-access blocks on.

    Returns the public access block: a bucket policy must wait for it, or S3 may judge the policy
    against a bucket that could still be made public.
    """
    aws.s3.BucketOwnershipControls(
        n("s3ownership", purpose),
        bucket=bucket.id,
        rule=aws.s3.BucketOwnershipControlsRuleArgs(object_ownership="BucketOwnerEnforced"),
        opts=opts,
    )
    return aws.s3.BucketPublicAccessBlock(
        n("s3publicaccess", purpose),
        bucket=bucket.id,
        block_public_acls=True,
        block_public_policy=True,
        ignore_public_acls=True,
        restrict_public_buckets=True,
        opts=opts,
    )
