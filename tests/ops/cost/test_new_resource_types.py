"""Pricing rules on synthetic plans, including types and shapes the prod and dev plans do not hold.

WAF, high-resolution alarms, subscriptions by protocol, bucket lifecycles, delivery stream
options. Usage figures are prod's unless the plan is dev's (ops/cost/usage.yaml): 30 million
requests, 1,000 SNS messages, 3.05 GB a day into the delivery stream, 0.05 GB a day per bucket.
"""

import json

import pytest

from ops.cost import estimate
from ops.plan.mock_engine import PlannedResource
from tests.ops.cost.cost_helpers import charges, planned, ref, resource, synthetic_plan

DAYS = 730 / 24


def _rule(name: str, group: str) -> dict:
    return {"name": name, "statement": {"managedRuleGroupStatement": {"name": group, "vendorName": "AWS"}}}


def test_web_acl_pays_for_itself_each_rule_and_every_million_requests():
    acl = planned(
        "aws:wafv2/webAcl:WebAcl",
        "waf-payments-prod",
        scope="REGIONAL",
        rules=[
            _rule("common", "AWSManagedRulesCommonRuleSet"),
            _rule("bad-inputs", "AWSManagedRulesKnownBadInputsRuleSet"),
            {"name": "rate", "statement": {"rateBasedStatement": {"limit": 2000}}},
        ],
    )
    est = estimate(synthetic_plan("prod", acl))
    assert charges(est, "waf-payments-prod") == pytest.approx([5.0, 3 * 1.0, 30 * 0.60, 0.0])
    # The two managed groups are rules like any other: no fee of their own, and the estimate says so.
    assert resource(est, "waf-payments-prod").charges[-1].item == (
        "managed rule groups without extra fees: CommonRuleSet, KnownBadInputsRuleSet"
    )


def test_web_acl_rules_given_as_raw_json_are_counted_too():
    rules = [{"Name": "a", "Statement": {}}, {"Name": "b", "Statement": {}}]
    acl = planned("aws:wafv2/webAcl:WebAcl", "waf-payments-prod", ruleJson=json.dumps(rules))
    assert charges(estimate(synthetic_plan("prod", acl)), "waf-payments-prod")[1] == pytest.approx(2 * 1.0)


@pytest.mark.parametrize(
    "group",
    [
        "AWSManagedRulesBotControlRuleSet",
        "AWSManagedRulesATPRuleSet",
        "AWSManagedRulesACFPRuleSet",
        "AWSManagedRulesAntiDDoSRuleSet",
    ],
)
def test_a_managed_rule_group_with_its_own_fees_makes_the_acl_not_priced(group):
    acl = planned("aws:wafv2/webAcl:WebAcl", "waf-payments-prod", rules=[_rule("paid", group)])
    est = estimate(synthetic_plan("prod", acl))
    assert resource(est, "waf-payments-prod").status == "not priced"
    assert charges(est, "waf-payments-prod") == pytest.approx([5.0, 1.0, 30 * 0.60, None])


def test_alarms_pay_per_metric_and_more_below_a_minute():
    standard = planned(
        "aws:cloudwatch/metricAlarm:MetricAlarm", "alarm-5xx-prod", metricName="HTTPCode_Target_5XX_Count", period=60
    )
    fast = planned("aws:cloudwatch/metricAlarm:MetricAlarm", "alarm-fast-prod", metricName="Latency", period=10)
    math = planned(
        "aws:cloudwatch/metricAlarm:MetricAlarm",
        "alarm-error-rate-prod",
        metricQueries=[
            {"id": "errors", "metric": {"metricName": "HTTPCode_Target_5XX_Count", "period": 60}},
            {"id": "requests", "metric": {"metricName": "RequestCount", "period": 60}},
            {"id": "rate", "expression": "errors / requests", "returnData": True},
        ],
    )
    est = estimate(synthetic_plan("prod", standard, fast, math))
    assert charges(est, "alarm-5xx-prod") == pytest.approx([0.10])
    assert charges(est, "alarm-fast-prod") == pytest.approx([0.30])
    assert charges(est, "alarm-error-rate-prod") == pytest.approx([2 * 0.10])


def test_dashboard_topic_subscriptions_and_delivery_stream():
    est = estimate(
        synthetic_plan(
            "prod",
            planned("aws:cloudwatch/dashboard:Dashboard", "dash-payments-prod"),
            planned("aws:sns/topic:Topic", "sns-payments-alarms-prod"),
            planned("aws:sns/topicSubscription:TopicSubscription", "sub-email-prod", protocol="email"),
            planned("aws:sns/topicSubscription:TopicSubscription", "sub-hook-prod", protocol="https"),
            planned("aws:sns/topicSubscription:TopicSubscription", "sub-queue-prod", protocol="sqs"),
            planned(
                "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream",
                "firehose-audit-prod",
                destination="extended_s3",
            ),
        )
    )
    assert charges(est, "dash-payments-prod") == pytest.approx([3.0])
    assert charges(est, "sns-payments-alarms-prod") == pytest.approx([1000 / 1e6 * 0.50])
    assert charges(est, "sub-email-prod") == pytest.approx([1000 / 1e5 * 2.0])
    assert charges(est, "sub-hook-prod") == pytest.approx([1000 / 1e6 * 0.60])
    assert charges(est, "sub-queue-prod") == [0.0]
    assert charges(est, "firehose-audit-prod") == pytest.approx([3.05 * DAYS * 0.031])


def test_audit_bucket_keeps_what_its_lifecycle_keeps():
    bucket = planned("aws:s3/bucket:Bucket", "s3-payments-audit-prod", objectLockEnabled=True)
    lifecycle = planned(
        "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
        "s3lifecycle-payments-audit-prod",
        bucket=ref("s3-payments-audit-prod"),
        rules=[{"id": "expire", "status": "Enabled", "expiration": {"days": 365}}],
    )
    est = estimate(synthetic_plan("prod", bucket, lifecycle))
    assert charges(est, "s3-payments-audit-prod") == pytest.approx(
        [0.05 * 365 * 0.025, 17_520 / 1000 * 0.0045, 1000 / 1000 * 0.00035]
    )


def test_a_bucket_without_expiry_is_assumed_to_hold_a_year():
    est = estimate(synthetic_plan("dev", planned("aws:s3/bucket:Bucket", "s3-payments-keep-dev")))
    assert charges(est, "s3-payments-keep-dev")[0] == pytest.approx(0.005 * 365 * 0.025)


@pytest.mark.parametrize(
    "token",
    [
        "aws:wafv2/webAclAssociation:WebAclAssociation",
        "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration",
        "aws:sns/topicPolicy:TopicPolicy",
        "aws:cloudwatch/logSubscriptionFilter:LogSubscriptionFilter",
        "aws:ec2/defaultNetworkAcl:DefaultNetworkAcl",
        "aws:iam/rolePolicy:RolePolicy",
        "aws:s3/bucketVersioning:BucketVersioning",
        "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration",
        "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
        "aws:s3/bucketPolicy:BucketPolicy",
        "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
        "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    ],
)
def test_configuration_types_are_listed_as_free(token):
    est = estimate(synthetic_plan("prod", planned(token, "thing-prod")))
    assert resource(est, "thing-prod").status == "free"
    assert est.total == 0


def test_an_unknown_type_is_not_priced_and_left_out_of_the_total_never_zero():
    est = estimate(
        synthetic_plan(
            "prod",
            planned("aws:ec2/vpcEndpoint:VpcEndpoint", "vpce-payments-ecr-prod"),
            planned("aws:kms/key:Key", "kms-payments-prod"),
        )
    )
    unknown = resource(est, "vpce-payments-ecr-prod")
    assert unknown.status == "not priced" and charges(est, "vpce-payments-ecr-prod") == [None]
    assert [r.name for r in est.not_priced] == ["vpce-payments-ecr-prod"]
    assert est.total == pytest.approx(1.0)
    assert est.to_dict()["not_priced"] == ["vpce-payments-ecr-prod"]


def test_performance_insights_beyond_the_free_week_is_not_priced():
    db = planned(
        "aws:rds/instance:Instance",
        "rds-payments-prod",
        engine="postgres",
        instanceClass="db.t3.micro",
        multiAz=False,
        allocatedStorage=20,
        storageType="gp3",
        backupRetentionPeriod=7,
        performanceInsightsEnabled=True,
        performanceInsightsRetentionPeriod=31,
    )
    est = estimate(synthetic_plan("prod", db, layer="data"))
    assert charges(est, "rds-payments-prod") == pytest.approx([730 * 0.025, 20 * 0.131, 10 * 0.095, None])
    assert resource(est, "rds-payments-prod").status == "not priced"


def _stream_into(bucket: str, **s3: object) -> PlannedResource:
    return planned(
        "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream",
        "firehose-payments-archive-prod",
        destination="extended_s3",
        extendedS3Configuration={"bucketArn": ref(bucket, "arn"), "compressionFormat": "UNCOMPRESSED", **s3},
    )


def _versioned(bucket: str) -> PlannedResource:
    return planned(
        "aws:s3/bucketVersioning:BucketVersioning",
        "s3versioning-payments-archive-prod",
        bucket=ref(bucket),
        versioningConfiguration={"status": "Enabled"},
    )


def _lifecycle(bucket: str, **rule: object) -> PlannedResource:
    return planned(
        "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
        "s3lifecycle-payments-archive-prod",
        bucket=ref(bucket),
        rules=[{"id": "expire", "status": "Enabled", "expiration": {"days": 365}, **rule}],
    )


def test_a_bucket_a_stream_writes_stores_the_streams_gb_in_one_object_per_flush():
    bucket = planned("aws:s3/bucket:Bucket", "s3-payments-archive-prod")
    stream = _stream_into("s3-payments-archive-prod", bufferingInterval=60, bufferingSize=128)
    est = estimate(synthetic_plan("prod", bucket, stream, _lifecycle("s3-payments-archive-prod")))
    # 3.05 GB (3,123.2 MiB) a day fills a 128 MiB buffer 24.4 times: the 1,440 one-minute flushes come first.
    assert charges(est, "s3-payments-archive-prod") == pytest.approx(
        [3.05 * 365 * 0.025, 1440 * DAYS / 1000 * 0.0045, 1000 / 1000 * 0.00035]
    )
    assert resource(est, "s3-payments-archive-prod").charges[0].assumptions == ("firehose_gb_per_day",)


def test_a_stream_without_buffering_hints_flushes_every_five_minutes_or_five_mib():
    bucket = planned("aws:s3/bucket:Bucket", "s3-payments-archive-dev")
    est = estimate(synthetic_plan("dev", bucket, _stream_into("s3-payments-archive-dev")))
    # dev's 0.36 GB (368.64 MiB) a day fills 73.728 buffers of 5 MiB: the 288 timed flushes come first.
    assert charges(est, "s3-payments-archive-dev")[1] == pytest.approx(288 * DAYS / 1000 * 0.0045)


def test_a_versioned_bucket_keeps_an_expired_object_until_its_noncurrent_version_expires():
    name = "s3-payments-archive-prod"
    bucket = planned("aws:s3/bucket:Bucket", name)
    lifecycle = _lifecycle(name, noncurrentVersionExpiration={"noncurrentDays": 30})
    est = estimate(synthetic_plan("prod", bucket, _versioned(name), lifecycle))
    assert charges(est, name)[0] == pytest.approx(0.05 * (365 + 30) * 0.025)
    assert resource(est, name).charges[0].item == (
        "storage: 0.05 GB/day x 395 days kept (365 + 30 as a noncurrent version) x $0.025/GB-month"
    )


def test_a_versioned_bucket_without_noncurrent_expiry_is_assumed_to_hold_a_year_of_what_expired():
    name = "s3-payments-archive-prod"
    bucket = planned("aws:s3/bucket:Bucket", name)
    est = estimate(synthetic_plan("prod", bucket, _versioned(name), _lifecycle(name)))
    storage = resource(est, name).charges[0]
    # Expiry only hides the objects; nothing removes them, so the no-expiry assumption applies.
    assert storage.monthly_usd == pytest.approx(0.05 * 365 * 0.025)
    assert storage.assumptions == ("s3_gb_per_day", "s3_days_without_expiry")


@pytest.mark.parametrize(
    ("feature", "block"),
    [
        ("format conversion", {"dataFormatConversionConfiguration": {"inputFormatConfiguration": {}}}),
        ("dynamic partitioning", {"dynamicPartitioningConfiguration": {"enabled": True}}),
        ("record processing", {"processingConfiguration": {"enabled": True, "processors": [{"type": "Lambda"}]}}),
    ],
)
def test_a_stream_with_a_per_gb_feature_the_table_lacks_is_not_priced(feature, block):
    est = estimate(synthetic_plan("prod", _stream_into("s3-payments-archive-prod", **block)))
    assert charges(est, "firehose-payments-archive-prod") == pytest.approx([3.05 * DAYS * 0.031, None])
    assert resource(est, "firehose-payments-archive-prod").charges[1].item == f"{feature}: not in the price table"


def test_a_stream_with_its_paid_features_switched_off_is_priced():
    off = {
        "dataFormatConversionConfiguration": {"enabled": False},
        "dynamicPartitioningConfiguration": {"enabled": False},
        "processingConfiguration": {"enabled": False},
    }
    est = estimate(synthetic_plan("prod", _stream_into("s3-payments-archive-prod", **off)))
    assert resource(est, "firehose-payments-archive-prod").status == "priced"
