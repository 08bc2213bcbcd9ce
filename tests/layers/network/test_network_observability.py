"""The alarm topic and the audit archive of the network layer, under mocks: policies, encryption, lock."""

import json

import pytest

from shared.plan_values import computed
from shared.settings import ConfigError
from tests.layers.layer_settings import layer_settings

ACCOUNT = "123456789012"
REGION = "ap-northeast-2"
TOPIC = "aws:sns/topic:Topic"
SUBSCRIPTION = "aws:sns/topicSubscription:TopicSubscription"
BUCKET = "aws:s3/bucket:Bucket"
LOCK = "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration"
LOG_SUBSCRIPTION = "aws:cloudwatch/logSubscriptionFilter:LogSubscriptionFilter"
STREAM_ARN = f"arn:aws:firehose:{REGION}:{ACCOUNT}:deliverystream/firehose-payments-auditarchive-prod"
ARCHIVE = "s3-payments-auditarchive-prod"


def doc(resource, prop="policy"):
    return json.loads(resource.inputs[prop])


def statements(resource, prop="policy"):
    return {s["Sid"]: s for s in doc(resource, prop)["Statement"]}


# --- the alarm topic ----------------------------------------------------------------------------
def test_alarm_topic_is_encrypted_with_its_own_rotating_key(prod_plan):
    topic = prod_plan.one(TOPIC)
    assert topic.inputs["name"] == "sns-payments-alarms-prod"
    assert topic.inputs["kmsMasterKeyId"] == computed("kms-payments-alarms-prod", "arn")
    key = prod_plan.named("kms-payments-alarms-prod")
    assert key.inputs["enableKeyRotation"] is True
    assert key.inputs["deletionWindowInDays"] == 30
    assert prod_plan.exports["alarm_topic_arn"] == computed("sns-payments-alarms-prod", "arn")


def test_alarm_key_lets_cloudwatch_encrypt_notifications_for_this_account_only(prod_plan):
    by_sid = statements(prod_plan.named("kms-payments-alarms-prod"))
    assert set(by_sid) == {"AccountAdministersAndDelegatesThroughIam", "CloudWatchAlarmsOfThisAccountUseKey"}
    cloudwatch = by_sid["CloudWatchAlarmsOfThisAccountUseKey"]
    assert cloudwatch["Principal"] == {"Service": "cloudwatch.amazonaws.com"}
    assert cloudwatch["Action"] == ["kms:Decrypt", "kms:GenerateDataKey*"]
    assert cloudwatch["Condition"] == {"StringEquals": {"aws:SourceAccount": ACCOUNT}}


def test_topic_policy_lets_only_this_environments_alarms_publish_and_requires_tls(prod_plan):
    policy = prod_plan.one("aws:sns/topicPolicy:TopicPolicy")
    assert policy.inputs["arn"] == computed("sns-payments-alarms-prod", "arn")
    by_sid = statements(policy)
    publish = by_sid["CloudWatchAlarmsOfThisEnvironmentPublish"]
    assert publish["Effect"] == "Allow"
    assert publish["Principal"] == {"Service": "cloudwatch.amazonaws.com"}
    assert publish["Action"] == "sns:Publish"
    assert publish["Resource"] == computed("sns-payments-alarms-prod", "arn")
    assert publish["Condition"] == {
        "StringEquals": {"aws:SourceAccount": ACCOUNT},
        "ArnLike": {"aws:SourceArn": f"arn:aws:cloudwatch:{REGION}:{ACCOUNT}:alarm:alarm-payments-*-prod"},
    }
    deny = by_sid["DenyPublishWithoutTls"]
    assert (deny["Effect"], deny["Principal"], deny["Action"]) == ("Deny", "*", "sns:Publish")
    assert deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}


def test_subscriptions_from_config_are_created_on_the_topic(run_layer):
    plan = run_layer(
        "network",
        "prod",
        overrides={
            "alarmSubscriptions": [
                {"protocol": "email", "endpoint": "oncall@example.com"},
                {"protocol": "https", "endpoint": "https://hooks.example.com/alarms"},
            ]
        },
    )
    subs = sorted((s.inputs["protocol"], s.inputs["endpoint"], s.inputs["topic"]) for s in plan.by_type(SUBSCRIPTION))
    topic = computed("sns-payments-alarms-prod", "arn")
    assert subs == [("email", "oncall@example.com", topic), ("https", "https://hooks.example.com/alarms", topic)]


def test_a_configured_topic_is_used_instead_of_creating_one(run_layer):
    existing = f"arn:aws:sns:{REGION}:{ACCOUNT}:oncall"
    plan = run_layer(
        "network",
        "prod",
        overrides={"alarmTopicArn": existing, "alarmSubscriptions": [{"protocol": "email", "endpoint": "a@b.co"}]},
    )
    assert plan.by_type(TOPIC) == [] and plan.by_type("aws:sns/topicPolicy:TopicPolicy") == []
    assert "kms-payments-alarms-prod" not in {r.name for r in plan.resources}
    assert plan.exports["alarm_topic_arn"] == existing
    assert [s.inputs["topic"] for s in plan.by_type(SUBSCRIPTION)] == [existing]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (
            {"alarmTopicArn": "arn:aws:sns:us-east-1:123456789012:oncall"},
            "network:alarmTopicArn = 'arn:aws:sns:us-east-1:123456789012:oncall' is invalid: "
            "expected a topic in ap-northeast-2: CloudWatch alarms notify topics of their own region",
        ),
        (
            {"alarmTopicArn": "oncall"},
            "network:alarmTopicArn = 'oncall' is invalid: expected empty (create the topic) or an SNS topic ARN",
        ),
        (
            {"alarmSubscriptions": '[{"protocol": "email", "endpoint": "not-an-address"}]'},
            'network:alarmSubscriptions[0] = {"protocol": "email", "endpoint": "not-an-address"} is invalid: '
            "expected an email address for protocol email, not 'not-an-address'",
        ),
        (
            {"alarmSubscriptions": '[{"protocol": "https", "endpoint": "http://hooks.example.com/x"}]'},
            "network:alarmSubscriptions[0] = ",
        ),
        (
            {"alarmSubscriptions": '[{"protocol": "sms", "endpoint": "+821012345678"}]'},
            "network:alarmSubscriptions[0].protocol = 'sms' is invalid",
        ),
        (
            {"auditArchiveRetentionDays": "90"},
            "network:auditArchiveRetentionDays = 90 is invalid: expected at least 365 in prod (a year of audit history)",
        ),
        (
            {"auditArchiveRetentionDays": "0"},
            "network:auditArchiveRetentionDays = '0' is invalid: expected 1-3650 days",
        ),
    ],
)
def test_bad_alarm_and_archive_settings_fail_with_one_line_naming_the_key(overrides, message):
    with pytest.raises(ConfigError) as err:
        layer_settings("network", **overrides)
    assert str(err.value).startswith(message)
    assert "\n" not in str(err.value)


def test_good_subscriptions_and_a_topic_of_this_region_are_accepted():
    s = layer_settings(
        "network",
        alarmTopicArn=f"arn:aws:sns:{REGION}:{ACCOUNT}:oncall",
        alarmSubscriptions='[{"protocol": "https", "endpoint": "https://hooks.example.com/a?b=c"}]',
    )
    assert s.alarm_subscriptions[0].endpoint == "https://hooks.example.com/a?b=c"


# --- the audit archive --------------------------------------------------------------------------
def test_prod_archive_is_object_locked_in_governance_mode_for_the_retention(prod_plan):
    bucket = prod_plan.one(BUCKET)
    assert bucket.name == ARCHIVE
    assert bucket.inputs["objectLockEnabled"] is True
    assert bucket.inputs["forceDestroy"] is False
    lock = prod_plan.one(LOCK)
    assert lock.inputs["bucket"] == computed(ARCHIVE, "id")
    assert lock.inputs["objectLockEnabled"] == "Enabled"
    assert lock.inputs["rule"] == {"defaultRetention": {"mode": "GOVERNANCE", "days": 365}}


def test_dev_archive_has_no_lock_and_is_destroyed_with_its_objects(dev_plan):
    bucket = dev_plan.one(BUCKET)
    assert bucket.inputs["objectLockEnabled"] is False
    assert bucket.inputs["forceDestroy"] is True
    assert dev_plan.by_type(LOCK) == []
    assert dev_plan.named("kms-payments-auditarchive-dev").inputs["deletionWindowInDays"] == 7


def test_archive_is_kms_encrypted_versioned_private_owner_enforced_and_tls_only(prod_plan):
    key_arn = computed("kms-payments-auditarchive-prod", "arn")
    sse = prod_plan.one("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration")
    assert sse.inputs["rules"] == [
        {
            "applyServerSideEncryptionByDefault": {"sseAlgorithm": "aws:kms", "kmsMasterKeyId": key_arn},
            "bucketKeyEnabled": True,
        }
    ]
    assert prod_plan.named("kms-payments-auditarchive-prod").inputs["enableKeyRotation"] is True
    versioning = prod_plan.one("aws:s3/bucketVersioning:BucketVersioning")
    assert versioning.inputs["versioningConfiguration"] == {"status": "Enabled"}
    block = prod_plan.one("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock").inputs
    assert all(
        block[k] is True for k in ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")
    )
    ownership = prod_plan.one("aws:s3/bucketOwnershipControls:BucketOwnershipControls")
    assert ownership.inputs["rule"] == {"objectOwnership": "BucketOwnerEnforced"}
    (deny,) = doc(prod_plan.one("aws:s3/bucketPolicy:BucketPolicy"))["Statement"]
    assert deny["Effect"] == "Deny" and deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    arn = computed(ARCHIVE, "arn")
    assert deny["Resource"] == [arn, f"{arn}/*"]


def test_archive_lifecycle_expires_after_the_retention_and_aborts_stale_uploads(run_layer):
    plan = run_layer("network", "prod", overrides={"auditArchiveRetentionDays": 400})
    (rule,) = plan.one("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration").inputs["rules"]
    assert rule["status"] == "Enabled"
    assert rule["expiration"] == {"days": 400}
    assert rule["noncurrentVersionExpiration"] == {"noncurrentDays": 1}
    assert rule["abortIncompleteMultipartUpload"] == {"daysAfterInitiation": 1}
    assert plan.one(LOCK).inputs["rule"]["defaultRetention"]["days"] == 400


def test_delivery_stream_is_encrypted_with_the_archive_key_and_writes_to_the_archive(prod_plan):
    stream = prod_plan.one("aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream")
    key_arn = computed("kms-payments-auditarchive-prod", "arn")
    assert stream.inputs["serverSideEncryption"] == {
        "enabled": True,
        "keyType": "CUSTOMER_MANAGED_CMK",
        "keyArn": key_arn,
    }
    s3 = stream.inputs["extendedS3Configuration"]
    assert s3["bucketArn"] == computed(ARCHIVE, "arn")
    assert s3["kmsKeyArn"] == key_arn
    assert s3["roleArn"] == computed("role-payments-auditarchive-firehose-prod", "arn")
    assert prod_plan.exports["audit_archive_stream_arn"] == computed("firehose-payments-auditarchive-prod", "arn")
    assert prod_plan.exports["audit_archive_role_arn"] == computed("role-payments-auditarchive-logs-prod", "arn")


def test_archive_key_lets_firehose_create_its_grant_through_firehose_only(prod_plan):
    grant = statements(prod_plan.named("kms-payments-auditarchive-prod"))["FirehoseCreatesItsGrant"]
    assert grant["Action"] == "kms:CreateGrant"
    assert grant["Principal"] == {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}
    assert grant["Condition"] == {
        "StringEquals": {"kms:ViaService": f"firehose.{REGION}.amazonaws.com"},
        "Bool": {"kms:GrantIsForAWSResource": "true"},
    }


def test_logs_role_is_trusted_by_cloudwatch_logs_for_this_accounts_log_groups_and_puts_into_one_stream(prod_plan):
    (trust,) = doc(prod_plan.named("role-payments-auditarchive-logs-prod"), "assumeRolePolicy")["Statement"]
    assert trust["Principal"] == {"Service": f"logs.{REGION}.amazonaws.com"}
    assert trust["Condition"] == {
        "StringEquals": {"aws:SourceAccount": ACCOUNT},
        "ArnLike": {"aws:SourceArn": f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:*"},
    }
    (put,) = doc(prod_plan.named("policy-payments-auditarchive-logs-prod"))["Statement"]
    assert put["Action"] == ["firehose:PutRecord", "firehose:PutRecordBatch"]
    assert put["Resource"] == computed("firehose-payments-auditarchive-prod", "arn")


def test_firehose_role_is_trusted_for_the_archive_stream_only_and_writes_that_bucket_with_that_key(prod_plan):
    (trust,) = doc(prod_plan.named("role-payments-auditarchive-firehose-prod"), "assumeRolePolicy")["Statement"]
    assert trust["Principal"] == {"Service": "firehose.amazonaws.com"}
    assert trust["Condition"] == {
        "StringEquals": {"aws:SourceAccount": ACCOUNT},
        "ArnEquals": {"aws:SourceArn": STREAM_ARN},
    }
    by_sid = statements(prod_plan.named("policy-payments-auditarchive-firehose-prod"))
    arn = computed(ARCHIVE, "arn")
    assert by_sid["WriteIntoTheArchiveBucket"]["Resource"] == [arn, f"{arn}/*"]
    kms_use = by_sid["EncryptWithTheArchiveKeyThroughS3"]
    assert kms_use["Resource"] == computed("kms-payments-auditarchive-prod", "arn")
    assert kms_use["Action"] == ["kms:Decrypt", "kms:GenerateDataKey"]
    assert kms_use["Condition"]["StringEquals"] == {"kms:ViaService": f"s3.{REGION}.amazonaws.com"}


def test_flow_logs_have_exactly_one_subscription_into_the_archive(prod_plan, registrations):
    (sub,) = prod_plan.by_type(LOG_SUBSCRIPTION)
    assert sub.inputs["logGroup"] == "log-payments-vpcflow-prod"
    assert sub.inputs["filterPattern"] == ""
    assert sub.inputs["destinationArn"] == computed("firehose-payments-auditarchive-prod", "arn")
    assert sub.inputs["roleArn"] == computed("role-payments-auditarchive-logs-prod", "arn")


def test_the_flow_log_subscription_waits_for_the_stream_and_the_logs_role_policy(run_layer, registrations):
    run_layer("network", "prod")
    component = registrations["auditsub-payments-vpcflow-prod"]
    waits = set(component.dependencies)
    assert any("firehose-payments-auditarchive-prod" in urn for urn in waits)
    assert any("policy-payments-auditarchive-logs-prod" in urn for urn in waits)


@pytest.mark.parametrize(("env", "kept"), [("prod", True), ("dev", False)])
def test_prod_archive_bucket_and_key_outlive_the_stack_and_dev_ones_do_not(run_layer, registrations, env, kept):
    run_layer("network", env)
    for name in (
        f"s3-payments-auditarchive-{env}",
        f"kms-payments-auditarchive-{env}",
        f"s3policy-payments-auditarchive-{env}",
    ):
        assert registrations[name].retainOnDelete is kept, name
    assert registrations[f"firehose-payments-auditarchive-{env}"].retainOnDelete is False
