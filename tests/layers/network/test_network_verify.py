"""The network layer's verify checks against moto (in process): alarms, archive stream, subscriptions.

moto creates a delivery stream ACTIVE at once, so the one stream still being created is answered by
botocore's Stubber.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import boto3
import pytest
from botocore.stub import Stubber
from moto import mock_aws

from payments_network.verify import (
    AUDIT_LOG_GROUP_EXPORTS,
    audit_log_groups,
    check_alarms,
    check_archive_stream,
    check_audit_subscriptions,
)
from shared.contracts.compute import ComputeContract
from shared.contracts.data import DataContract
from shared.contracts.edge import EdgeContract
from shared.contracts.network import NetworkContract
from shared.lifecycle import CheckFailed
from tests.ops.verify.verify_helpers import FAKE_CREDENTIALS, REGION

ACCOUNT = "123456789012"
TOPIC = f"arn:aws:sns:{REGION}:{ACCOUNT}:sns-payments-alarms-prod"
STREAM = "firehose-payments-auditarchive-prod"
STREAM_ARN = f"arn:aws:firehose:{REGION}:{ACCOUNT}:deliverystream/{STREAM}"
GROUPS = ("log-payments-vpcflow-prod", "log-payments-api-prod", "/aws/rds/instance/rds-payments-prod/postgresql")


@pytest.fixture
def aws(monkeypatch):
    for name, value in FAKE_CREDENTIALS.items():
        monkeypatch.setenv(name, value)
    with mock_aws():
        yield {s: boto3.client(s, region_name=REGION) for s in ("cloudwatch", "firehose", "logs", "s3", "iam")}


def put_alarm(cloudwatch, name: str, *, ok_actions: bool = True) -> None:
    cloudwatch.put_metric_alarm(
        AlarmName=name,
        Namespace="AWS/RDS",
        MetricName="CPUUtilization",
        Dimensions=[{"Name": "DBInstanceIdentifier", "Value": "rds-payments-prod"}],
        Statistic="Average",
        Period=300,
        EvaluationPeriods=3,
        Threshold=80,
        ComparisonOperator="GreaterThanThreshold",
        AlarmActions=[TOPIC],
        OKActions=[TOPIC] if ok_actions else [],
    )


def test_alarms_that_exist_notify_and_have_data_pass_with_one_line(aws):
    cw = aws["cloudwatch"]
    for name in ("alarm-payments-db-cpu-high-prod", "alarm-payments-service-cpu-high-prod"):
        put_alarm(cw, name)
        cw.set_alarm_state(AlarmName=name, StateValue="OK", StateReason="test")
    put_alarm(cw, "alarm-payments-db-cpu-high-dev")  # another environment: not counted
    line = check_alarms(cw, service="payments", env="prod", expected=["alarm-payments-db-cpu-high-prod"])
    assert line == ("2 alarms of prod (2 OK), all notify on ALARM and OK; none in INSUFFICIENT_DATA beyond 30 min")


def test_a_new_alarm_in_insufficient_data_passes_within_the_grace_period_and_fails_after_it(aws):
    cw = aws["cloudwatch"]
    put_alarm(cw, "alarm-payments-running-tasks-low-prod")
    cw.set_alarm_state(  # where a new alarm starts in AWS
        AlarmName="alarm-payments-running-tasks-low-prod", StateValue="INSUFFICIENT_DATA", StateReason="new"
    )
    assert "1 alarms of prod (1 INSUFFICIENT_DATA)" in check_alarms(cw, service="payments", env="prod")
    later = datetime.now(UTC) + timedelta(minutes=31)
    with pytest.raises(CheckFailed) as failed:
        check_alarms(cw, service="payments", env="prod", now=later)
    assert str(failed.value) == (
        "in INSUFFICIENT_DATA for more than 30 min (no such metric?): alarm-payments-running-tasks-low-prod"
    )
    assert check_alarms(cw, service="payments", env="prod", now=later, grace=timedelta(hours=1))


def test_missing_alarms_and_alarms_without_ok_actions_fail(aws):
    cw = aws["cloudwatch"]
    with pytest.raises(CheckFailed, match=r"^no alarms named alarm-payments-\*-prod: deploy"):
        check_alarms(cw, service="payments", env="prod")
    put_alarm(cw, "alarm-payments-db-cpu-high-prod", ok_actions=False)
    with pytest.raises(CheckFailed) as failed:
        check_alarms(cw, service="payments", env="prod", expected=["alarm-payments-elb-5xx-rate-prod"])
    assert str(failed.value) == "1 alarms of prod, but missing: alarm-payments-elb-5xx-rate-prod"
    with pytest.raises(CheckFailed) as failed:
        check_alarms(cw, service="payments", env="prod")
    assert str(failed.value) == "alarms without ALARM and OK actions: alarm-payments-db-cpu-high-prod"


def test_a_firing_alarm_is_named_in_the_line_without_failing_the_check(aws):
    cw = aws["cloudwatch"]
    put_alarm(cw, "alarm-payments-db-cpu-high-prod")
    cw.set_alarm_state(AlarmName="alarm-payments-db-cpu-high-prod", StateValue="ALARM", StateReason="test")
    assert check_alarms(cw, service="payments", env="prod").endswith("; firing: alarm-payments-db-cpu-high-prod")


ERROR_LOG = "log-payments-auditarchive-errors-prod"


def _stream(aws) -> str:
    aws["s3"].create_bucket(Bucket="archive", CreateBucketConfiguration={"LocationConstraint": REGION})
    return aws["firehose"].create_delivery_stream(
        DeliveryStreamName=STREAM,
        DeliveryStreamType="DirectPut",
        ExtendedS3DestinationConfiguration={
            "RoleARN": f"arn:aws:iam::{ACCOUNT}:role/role-payments-auditarchive-firehose-prod",
            "BucketARN": "arn:aws:s3:::archive",
            "CloudWatchLoggingOptions": {"Enabled": True, "LogGroupName": ERROR_LOG, "LogStreamName": "errors"},
        },
    )["DeliveryStreamARN"]


def _delivered(cloudwatch, records: float, at: datetime) -> None:
    """What Firehose publishes after a flush: the records it wrote to S3."""
    cloudwatch.put_metric_data(
        Namespace="AWS/Firehose",
        MetricData=[
            {
                "MetricName": "DeliveryToS3.Records",
                "Dimensions": [{"Name": "DeliveryStreamName", "Value": STREAM}],
                "Timestamp": at,
                "Value": records,
            }
        ],
    )


def test_an_active_archive_stream_passes_and_a_missing_one_fails(aws):
    with pytest.raises(CheckFailed) as failed:
        check_archive_stream(aws["firehose"], aws["cloudwatch"], STREAM_ARN)
    assert str(failed.value) == f"delivery stream {STREAM} not found: deploy the network layer"
    arn = _stream(aws)
    assert check_archive_stream(aws["firehose"], aws["cloudwatch"], arn).startswith(f"{STREAM}: ACTIVE")


def test_the_archive_check_reports_the_streams_last_delivery_to_s3(aws):
    arn, now = _stream(aws), datetime.now(UTC)
    _delivered(aws["cloudwatch"], 120, now - timedelta(hours=3))
    _delivered(aws["cloudwatch"], 0, now - timedelta(minutes=20))  # a flush of nothing is no delivery
    _delivered(aws["cloudwatch"], 35, now - timedelta(minutes=40))
    seen = check_archive_stream(aws["firehose"], aws["cloudwatch"], arn, now=now)
    last = datetime.fromisoformat(seen.split("last delivery to S3 ")[1].split(" UTC")[0]).replace(tzinfo=UTC)
    # The start of the 5-minute period that holds the delivery 40 minutes ago.
    assert timedelta(minutes=40) <= now - last <= timedelta(minutes=45), seen
    assert seen.startswith(f"{STREAM}: ACTIVE, encryption ") and seen.endswith(" min ago)")


def test_a_stream_that_delivered_nothing_for_a_day_fails_naming_its_error_log(aws):
    arn = _stream(aws)
    _delivered(aws["cloudwatch"], 50, datetime.now(UTC) - timedelta(hours=25))  # outside the day looked at
    later = datetime.now(UTC) + timedelta(hours=1)  # the stream is an hour old: past the 30-minute grace
    with pytest.raises(CheckFailed) as failed:
        check_archive_stream(aws["firehose"], aws["cloudwatch"], arn, now=later)
    assert str(failed.value).endswith(f"; no delivery to S3 in the last 24 h: read its error log group {ERROR_LOG}")
    # A stream younger than the grace period has not had its first flush yet: that passes.
    fresh = check_archive_stream(aws["firehose"], aws["cloudwatch"], arn, now=datetime.now(UTC))
    assert "; no delivery to S3 yet (created 0 min ago" in fresh


def test_each_audit_log_group_needs_exactly_one_subscription_into_the_stream(aws):
    logs, arn = aws["logs"], _stream(aws)
    role = f"arn:aws:iam::{ACCOUNT}:role/role-payments-auditarchive-logs-prod"
    for group in GROUPS:
        logs.create_log_group(logGroupName=group)
    for group in GROUPS[:2]:
        logs.put_subscription_filter(
            logGroupName=group, filterName="archive", filterPattern="", destinationArn=arn, roleArn=role
        )
    with pytest.raises(CheckFailed) as failed:
        check_audit_subscriptions(logs, GROUPS, arn)
    assert str(failed.value) == (
        f"expected one subscription each into {STREAM}; /aws/rds/instance/rds-payments-prod/postgresql: 0 filters to nothing"
    )
    logs.put_subscription_filter(
        logGroupName=GROUPS[2], filterName="archive", filterPattern="", destinationArn=arn, roleArn=role
    )
    assert check_audit_subscriptions(logs, GROUPS, arn) == f"3 audit log groups each stream into {STREAM}"


def test_a_missing_audit_log_group_fails_naming_it(aws):
    arn = _stream(aws)
    with pytest.raises(CheckFailed, match="log-payments-api-prod: no such log group"):
        check_audit_subscriptions(aws["logs"], ["log-payments-api-prod"], arn)


def test_a_stream_still_being_created_fails_naming_its_status(monkeypatch):
    for name, value in FAKE_CREDENTIALS.items():
        monkeypatch.setenv(name, value)
    firehose = boto3.client("firehose", region_name=REGION)
    stubber = Stubber(firehose)
    stubber.add_response(
        "describe_delivery_stream",
        {
            "DeliveryStreamDescription": {
                "DeliveryStreamName": STREAM,
                "DeliveryStreamARN": STREAM_ARN,
                "DeliveryStreamStatus": "CREATING",
                "DeliveryStreamEncryptionConfiguration": {"Status": "ENABLING"},
                "DeliveryStreamType": "DirectPut",
                "VersionId": "1",
                "Destinations": [],
                "HasMoreDestinations": False,
            }
        },
        {"DeliveryStreamName": STREAM},
    )

    with stubber, pytest.raises(CheckFailed) as failed:
        check_archive_stream(firehose, boto3.client("cloudwatch", region_name=REGION), STREAM_ARN)

    assert str(failed.value) == f"{STREAM}: CREATING, encryption ENABLING; expected ACTIVE"
    stubber.assert_no_pending_responses()


def test_every_contracts_log_group_is_an_audit_log_group_the_check_reads():
    # A layer that exports a new log group must have it archived and checked, or say why not here.
    contracts = (NetworkContract, DataContract, EdgeContract, ComputeContract)
    exported = {n for contract in contracts for n in contract.names() if n.endswith("log_group_name")}
    assert set(AUDIT_LOG_GROUP_EXPORTS) == exported
    exports = {name: f"group-of-{name}" for name in AUDIT_LOG_GROUP_EXPORTS} | {"vpc_id": "vpc-1"}
    assert audit_log_groups(exports) == [
        "group-of-db_log_group_name",
        "group-of-flow_log_group_name",
        "group-of-log_group_name",
        "group-of-waf_log_group_name",
    ]
