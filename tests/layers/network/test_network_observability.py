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
DELIVERY = "s3-payments-auditdelivery-prod"
KEY = "kms-payments-auditarchive-prod"
SSE = "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
LIFECYCLE = "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration"
REPLICATION = "aws:s3/bucketReplicationConfig:BucketReplicationConfig"


def of_bucket(plan, token, bucket):
    (found,) = [r for r in plan.by_type(token) if r.inputs["bucket"] == computed(bucket, "id")]
    return found


def test_prod_archive_is_object_locked_in_governance_mode_for_the_retention(prod_plan):
    bucket = prod_plan.named(ARCHIVE)
    assert bucket.inputs["objectLockEnabled"] is True
    assert bucket.inputs["forceDestroy"] is False
    lock = prod_plan.one(LOCK)
    assert lock.inputs["bucket"] == computed(ARCHIVE, "id")
    assert lock.inputs["objectLockEnabled"] == "Enabled"
    assert lock.inputs["rule"] == {"defaultRetention": {"mode": "GOVERNANCE", "days": 365}}
    # Firehose delivers into an unlocked bucket that holds copies only and goes with the stack.
    delivery = prod_plan.named(DELIVERY)
    assert delivery.inputs.get("objectLockEnabled") is None and delivery.inputs["forceDestroy"] is True


def test_dev_archive_has_no_lock_and_is_destroyed_with_its_objects(dev_plan):
    bucket = dev_plan.named("s3-payments-auditarchive-dev")
    assert bucket.inputs["objectLockEnabled"] is False
    assert bucket.inputs["forceDestroy"] is True
    assert dev_plan.by_type(LOCK) == []
    assert dev_plan.named("kms-payments-auditarchive-dev").inputs["deletionWindowInDays"] == 7


@pytest.mark.parametrize("bucket", [ARCHIVE, DELIVERY])
def test_both_buckets_are_kms_encrypted_with_a_bucket_key_versioned_private_owner_enforced_and_tls_only(
    prod_plan, bucket
):
    assert of_bucket(prod_plan, SSE, bucket).inputs["rules"] == [
        {
            "applyServerSideEncryptionByDefault": {"sseAlgorithm": "aws:kms", "kmsMasterKeyId": computed(KEY, "arn")},
            "bucketKeyEnabled": True,
        }
    ]
    assert prod_plan.named(KEY).inputs["enableKeyRotation"] is True
    versioning = of_bucket(prod_plan, "aws:s3/bucketVersioning:BucketVersioning", bucket)
    assert versioning.inputs["versioningConfiguration"] == {"status": "Enabled"}
    block = of_bucket(prod_plan, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", bucket).inputs
    assert all(
        block[k] is True for k in ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")
    )
    ownership = of_bucket(prod_plan, "aws:s3/bucketOwnershipControls:BucketOwnershipControls", bucket)
    assert ownership.inputs["rule"] == {"objectOwnership": "BucketOwnerEnforced"}
    (deny,) = doc(of_bucket(prod_plan, "aws:s3/bucketPolicy:BucketPolicy", bucket))["Statement"]
    assert deny["Effect"] == "Deny" and deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    arn = computed(bucket, "arn")
    assert deny["Resource"] == [arn, f"{arn}/*"]


@pytest.mark.parametrize(("bucket", "days"), [(ARCHIVE, 400), (DELIVERY, 7)])
def test_each_lifecycle_is_one_bucket_wide_rule_expiring_objects_and_aborting_stale_uploads(run_layer, bucket, days):
    plan = run_layer("network", "prod", overrides={"auditArchiveRetentionDays": 400})
    (rule,) = of_bucket(plan, LIFECYCLE, bucket).inputs["rules"]
    assert rule["status"] == "Enabled"
    assert rule["filter"] == {"prefix": ""}  # every object: no upload escapes the abort
    assert rule["expiration"] == {"days": days}
    assert rule["noncurrentVersionExpiration"] == {"noncurrentDays": 1}
    assert rule["abortIncompleteMultipartUpload"] == {"daysAfterInitiation": 1}
    assert plan.one(LOCK).inputs["rule"]["defaultRetention"]["days"] == 400


def test_delivery_stream_is_encrypted_with_the_archive_key_and_writes_to_the_delivery_bucket(prod_plan):
    stream = prod_plan.one("aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream")
    key_arn = computed(KEY, "arn")
    assert stream.inputs["serverSideEncryption"] == {
        "enabled": True,
        "keyType": "CUSTOMER_MANAGED_CMK",
        "keyArn": key_arn,
    }
    s3 = stream.inputs["extendedS3Configuration"]
    assert s3["bucketArn"] == computed(DELIVERY, "arn")
    assert s3["kmsKeyArn"] == key_arn
    assert s3["roleArn"] == computed("role-payments-auditarchive-firehose-prod", "arn")
    assert prod_plan.exports["audit_archive_stream_arn"] == computed("firehose-payments-auditarchive-prod", "arn")
    assert prod_plan.exports["audit_archive_role_arn"] == computed("role-payments-auditarchive-logs-prod", "arn")
    assert prod_plan.exports["audit_archive_bucket"] == computed(ARCHIVE, "bucket")
    assert prod_plan.exports["audit_archive_delivery_bucket"] == computed(DELIVERY, "bucket")


def test_firehose_logs_its_delivery_errors_to_a_kms_encrypted_seven_day_log_group(prod_plan):
    logging = prod_plan.one("aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream").inputs[
        "extendedS3Configuration"
    ]["cloudwatchLoggingOptions"]
    group = prod_plan.named("log-payments-auditarchive-errors-prod")
    stream = prod_plan.one("aws:cloudwatch/logStream:LogStream")
    assert logging == {"enabled": True, "logGroupName": group.inputs["name"], "logStreamName": stream.inputs["name"]}
    assert stream.inputs["logGroupName"] == group.inputs["name"]
    assert group.inputs["retentionInDays"] == 7
    key = "kms-payments-auditarchive-errors-logs-prod"
    assert group.inputs["kmsKeyId"] == computed(key, "arn")
    logs_use = statements(prod_plan.named(key))["CloudWatchLogsUsesKeyForOneLogGroup"]
    assert logs_use["Condition"] == {
        "ArnEquals": {
            "kms:EncryptionContext:aws:logs:arn": (
                f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:log-payments-auditarchive-errors-prod"
            )
        }
    }


def test_archive_key_lets_firehose_create_its_grant_through_firehose_only(prod_plan):
    grant = statements(prod_plan.named(KEY))["FirehoseCreatesItsGrant"]
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


def test_firehose_role_trust_is_the_external_id_firehose_documents(prod_plan):
    (trust,) = doc(prod_plan.named("role-payments-auditarchive-firehose-prod"), "assumeRolePolicy")["Statement"]
    assert trust["Principal"] == {"Service": "firehose.amazonaws.com"}
    assert trust["Action"] == "sts:AssumeRole"
    assert trust["Condition"] == {"StringEquals": {"sts:ExternalId": ACCOUNT}}


def test_firehose_role_writes_the_delivery_bucket_with_the_key_under_the_bucket_arn_context_and_logs_errors(
    prod_plan,
):
    by_sid = statements(prod_plan.named("policy-payments-auditarchive-firehose-prod"))
    arn = computed(DELIVERY, "arn")
    assert by_sid["WriteIntoTheDeliveryBucket"]["Resource"] == [arn, f"{arn}/*"]
    kms_use = by_sid["EncryptWithTheArchiveKeyThroughS3"]
    assert kms_use["Resource"] == computed(KEY, "arn")
    assert kms_use["Action"] == ["kms:Decrypt", "kms:GenerateDataKey"]
    # S3 Bucket Keys: S3 asks KMS with the bucket's ARN as context, never an object's.
    assert kms_use["Condition"] == {
        "StringEquals": {
            "kms:ViaService": f"s3.{REGION}.amazonaws.com",
            "kms:EncryptionContext:aws:s3:arn": arn,
        }
    }
    assert by_sid["LogDeliveryErrors"]["Action"] == "logs:PutLogEvents"
    assert by_sid["LogDeliveryErrors"]["Resource"] == computed("logstream-payments-auditarchive-errors-prod", "arn")


def test_s3_replicates_every_delivered_object_into_the_locked_archive_under_its_key(prod_plan, registrations):
    config = prod_plan.one(REPLICATION)
    assert config.inputs["bucket"] == computed(DELIVERY, "id")
    assert config.inputs["role"] == computed("role-payments-auditarchive-replication-prod", "arn")
    (rule,) = config.inputs["rules"]
    assert rule["status"] == "Enabled" and rule["filter"] == {"prefix": ""}
    assert rule["deleteMarkerReplication"] == {"status": "Disabled"}  # the delivery bucket's expiry stays there
    assert rule["sourceSelectionCriteria"] == {"sseKmsEncryptedObjects": {"status": "Enabled"}}
    destination = rule["destination"]
    assert destination["bucket"] == computed(ARCHIVE, "arn")
    assert destination["encryptionConfiguration"] == {"replicaKmsKeyId": computed(KEY, "arn")}
    assert destination["metrics"]["status"] == "Enabled"  # what the replication alarm reads


def test_the_replication_waits_for_versioning_on_both_buckets_and_for_its_role_policy(run_layer, registrations):
    run_layer("network", "prod")
    waits = set(registrations["s3replication-payments-auditdelivery-prod"].dependencies)
    for name in (
        "s3versioning-payments-auditarchive-prod",
        "s3versioning-payments-auditdelivery-prod",
        "policy-payments-auditarchive-replication-prod",
    ):
        assert any(urn.endswith(f"::{name}") for urn in waits), name


def test_replication_role_reads_delivered_versions_writes_replicas_and_uses_the_key_per_bucket_context(prod_plan):
    (trust,) = doc(prod_plan.named("role-payments-auditarchive-replication-prod"), "assumeRolePolicy")["Statement"]
    assert trust == {
        "Sid": "S3ReplicatesTheAuditArchive",
        "Effect": "Allow",
        "Principal": {"Service": "s3.amazonaws.com"},
        "Action": "sts:AssumeRole",
    }
    by_sid = statements(prod_plan.named("policy-payments-auditarchive-replication-prod"))
    source, destination = computed(DELIVERY, "arn"), computed(ARCHIVE, "arn")
    assert by_sid["ReadTheDeliveryBucketsReplicationSetup"]["Resource"] == source
    assert by_sid["ReadDeliveredObjectVersions"]["Resource"] == f"{source}/*"
    write = by_sid["WriteReplicasIntoTheArchive"]
    assert write["Action"] == ["s3:ReplicateObject", "s3:ReplicateTags"]  # never s3:ReplicateDelete
    assert write["Resource"] == f"{destination}/*"
    via = f"s3.{REGION}.amazonaws.com"
    assert by_sid["DecryptDeliveredObjects"]["Action"] == ["kms:Decrypt"]
    assert by_sid["DecryptDeliveredObjects"]["Condition"]["StringEquals"] == {
        "kms:ViaService": via,
        "kms:EncryptionContext:aws:s3:arn": source,
    }
    assert by_sid["EncryptReplicas"]["Action"] == ["kms:Encrypt", "kms:GenerateDataKey"]
    assert by_sid["EncryptReplicas"]["Condition"]["StringEquals"] == {
        "kms:ViaService": via,
        "kms:EncryptionContext:aws:s3:arn": destination,
    }


def test_the_archive_alarms_watch_delivery_freshness_and_failed_replication_and_notify_the_topic(run_layer):
    plan = run_layer("network", "prod", overrides={"alarmArchiveFreshnessSeconds": 1200})
    topic = computed("sns-payments-alarms-prod", "arn")
    late = plan.named("alarm-payments-archive-delivery-late-prod").inputs
    (query,) = late["metricQueries"]
    assert query["metric"]["namespace"] == "AWS/Firehose"
    assert query["metric"]["metricName"] == "DeliveryToS3.DataFreshness"
    assert query["metric"]["stat"] == "Maximum"
    stream = computed("firehose-payments-auditarchive-prod", "arn")  # its name, taken from the ARN
    assert query["metric"]["dimensions"] == {"DeliveryStreamName": stream}
    assert (late["comparisonOperator"], late["threshold"]) == ("GreaterThanThreshold", 1200)
    failed = plan.named("alarm-payments-archive-replication-failed-prod").inputs
    (query,) = failed["metricQueries"]
    assert (query["metric"]["namespace"], query["metric"]["metricName"]) == ("AWS/S3", "OperationsFailedReplication")
    assert query["metric"]["dimensions"] == {
        "SourceBucket": computed(DELIVERY, "bucket"),
        "DestinationBucket": computed(ARCHIVE, "bucket"),
        "RuleId": "into-the-locked-archive",
    }
    assert (failed["comparisonOperator"], failed["threshold"]) == ("GreaterThanThreshold", 0)
    for alarm in (late, failed):
        assert alarm["treatMissingData"] == "notBreaching"
        assert alarm["alarmActions"] == [topic] and alarm["okActions"] == [topic]
        assert alarm["metricQueries"][0]["metric"]["period"] == 300


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
def test_prod_archive_bucket_key_and_alias_outlive_the_stack_and_dev_ones_do_not(run_layer, registrations, env, kept):
    run_layer("network", env)
    for name in (
        f"s3-payments-auditarchive-{env}",
        f"kms-payments-auditarchive-{env}",
        f"alias-kms-payments-auditarchive-{env}",
        f"s3policy-payments-auditarchive-{env}",
        f"s3versioning-payments-auditarchive-{env}",
    ):
        assert registrations[name].retainOnDelete is kept, name
    for name in (f"firehose-payments-auditarchive-{env}", f"s3-payments-auditdelivery-{env}"):
        assert registrations[name].retainOnDelete is False, name
