"""The ALB access-log bucket: private, SSE-S3 encrypted, TLS-only, expiring, ELB-writable only."""

import json

import pytest

from payments_edge.access_logs import access_log_bucket_policy
from shared.plan_values import computed
from tests.layers.edge.edge_helpers import urn_name

BUCKET = "s3-payments-alblogs-prod"
BUCKET_ARN = computed(BUCKET, "arn")
ELB_AP_NORTHEAST_2 = "arn:aws:iam::600734575887:root"


@pytest.fixture
def statements(prod_plan) -> dict[str, dict]:
    policy = prod_plan.one("aws:s3/bucketPolicy:BucketPolicy")
    assert policy.inputs["bucket"] == computed(BUCKET, "id")
    doc = json.loads(policy.inputs["policy"])
    assert doc["Version"] == "2012-10-17"
    return {s["Sid"]: s for s in doc["Statement"]}


def test_bucket_policy_has_exactly_the_tls_deny_and_the_elb_write(statements):
    assert list(statements) == ["DenyInsecureTransport", "RegionalElbAccountWritesAccessLogs"]


def test_bucket_refuses_every_request_without_tls(statements):
    deny = statements["DenyInsecureTransport"]
    assert deny["Effect"] == "Deny"
    assert deny["Principal"] == "*"
    assert deny["Action"] == "s3:*"
    assert deny["Resource"] == [BUCKET_ARN, f"{BUCKET_ARN}/*"]
    assert deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}


def test_only_the_regional_elb_account_may_write_and_only_this_accounts_log_prefix(statements):
    allow = statements["RegionalElbAccountWritesAccessLogs"]
    assert allow["Effect"] == "Allow"
    assert allow["Principal"] == {"AWS": ELB_AP_NORTHEAST_2}
    assert allow["Action"] == "s3:PutObject"
    assert allow["Resource"] == f"{BUCKET_ARN}/alb/AWSLogs/123456789012/*"
    grants = [s for s in statements.values() if s["Effect"] == "Allow"]
    assert grants == [allow]


def test_the_elb_principal_is_looked_up_for_the_stack_region(engines, run_layer):
    run_layer("edge", "prod")
    calls = [args for token, args in engines[0].calls if token == "aws:elb/getServiceAccount:getServiceAccount"]
    assert calls == [{"region": "ap-northeast-2"}]


def test_bucket_blocks_all_public_access(prod_plan):
    pab = prod_plan.one("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock").inputs
    assert pab["bucket"] == computed(BUCKET, "id")
    for flag in ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"):
        assert pab[flag] is True, flag


def test_bucket_disables_acls(prod_plan):
    ownership = prod_plan.one("aws:s3/bucketOwnershipControls:BucketOwnershipControls").inputs
    assert ownership["rule"] == {"objectOwnership": "BucketOwnerEnforced"}


def test_bucket_encrypts_with_sse_s3_the_only_encryption_alb_log_delivery_supports(prod_plan):
    sse = prod_plan.one("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration").inputs
    assert sse["bucket"] == computed(BUCKET, "id")
    assert sse["rules"] == [{"applyServerSideEncryptionByDefault": {"sseAlgorithm": "AES256"}}]


@pytest.mark.parametrize(("env", "days"), [("prod", 365), ("dev", 14)])
def test_old_access_logs_expire_per_environment(run_layer, env, days):
    lifecycle = run_layer("edge", env).one("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration")
    expire, abort = lifecycle.inputs["rules"]
    assert expire["status"] == "Enabled"
    assert expire["filter"] == {"prefix": "alb/"}
    assert expire["expiration"] == {"days": days}
    # Stale multipart uploads are aborted everywhere in the bucket, not only under the logs' prefix.
    assert abort == {
        "id": "abort-incomplete-uploads",
        "status": "Enabled",
        "filter": {"prefix": ""},
        "abortIncompleteMultipartUpload": {"daysAfterInitiation": 1},
    }


def test_bucket_is_auto_named(prod_plan):
    bucket = prod_plan.one("aws:s3/bucket:Bucket")
    assert bucket.name == BUCKET
    assert "bucket" not in bucket.inputs  # globally unique physical name from Pulumi's suffix


BUCKET_PARTS = (
    "s3-payments-alblogs-{env}",
    "s3ownership-payments-alblogs-{env}",
    "s3publicaccess-payments-alblogs-{env}",
    "s3encryption-payments-alblogs-{env}",
    "s3lifecycle-payments-alblogs-{env}",
    "s3policy-payments-alblogs-{env}",
)


def test_prod_access_logs_are_not_force_destroyed_and_outlive_the_stack(registrations, run_layer):
    plan = run_layer("edge", "prod")
    assert plan.one("aws:s3/bucket:Bucket").inputs["forceDestroy"] is False
    for part in (*BUCKET_PARTS, "s3versioning-payments-alblogs-{env}"):
        assert registrations[part.format(env="prod")].retainOnDelete is True, part


def test_dev_access_logs_are_destroyed_with_the_stack(registrations, run_layer):
    plan = run_layer("edge", "dev")
    assert plan.one("aws:s3/bucket:Bucket").inputs["forceDestroy"] is True
    for part in BUCKET_PARTS:
        assert registrations[part.format(env="dev")].retainOnDelete is False, part


def test_prod_log_bucket_is_versioned_and_noncurrent_versions_expire_after_30_days(registrations, run_layer):
    plan = run_layer("edge", "prod")
    versioning = plan.one("aws:s3/bucketVersioning:BucketVersioning").inputs
    assert versioning["bucket"] == computed(BUCKET, "id")
    assert versioning["versioningConfiguration"] == {"status": "Enabled"}
    rule, _abort = plan.one("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration").inputs["rules"]
    assert rule["noncurrentVersionExpiration"] == {"noncurrentDays": 30}
    lifecycle = registrations["s3lifecycle-payments-alblogs-prod"]
    assert "s3versioning-payments-alblogs-prod" in [urn_name(u) for u in lifecycle.dependencies]


def test_dev_log_bucket_is_unversioned_and_has_no_noncurrent_rule(dev_plan):
    assert dev_plan.by_type("aws:s3/bucketVersioning:BucketVersioning") == []
    rules = dev_plan.one("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration").inputs["rules"]
    assert all("noncurrentVersionExpiration" not in rule for rule in rules)


def test_policy_document_is_deterministic_json():
    args = {"bucket_arn": "arn:aws:s3:::b", "prefix": "alb", "elb_account_arn": ELB_AP_NORTHEAST_2, "account_id": "1"}
    assert access_log_bucket_policy(**args) == access_log_bucket_policy(**args)
    assert access_log_bucket_policy(**args) == json.dumps(json.loads(access_log_bucket_policy(**args)), sort_keys=True)
