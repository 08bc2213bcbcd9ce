"""A deployed-looking platform for `invoke verify`: moto in server mode on loopback, and an HTTPS service.

- `moto_endpoint`: a `ThreadedMotoServer` on 127.0.0.1 and a free port for the session; every
  test starts from an empty cloud (`/moto-api/reset`).
- `seed_platform(**faults)`: creates, through boto3, what the four layers would leave behind
  (VPC and subnets, ALB + HTTPS listener + ip target group with three registered targets, ECS
  cluster / Fargate task definition / service of 3, RDS Multi-AZ encrypted with a KMS key, a
  KMS-encrypted log group kept 7 days, a Route53 zone with the alias to the ALB; the alarm topic
  and every layer's alarms acting on ALARM and OK; the audit archive's delivery stream and one
  subscription filter into it from each audit log group: VPC flow logs, PostgreSQL, WAF, the
  containers) and returns the stacks' exports (every contract name of the four layers; ARNs that
  no check reads are written, not created). Each keyword injects one fault.
- `deployed`: that platform without faults, built once per worker in a moto server process of its
  own that no test resets, with its clients, its endpoint and a fresh copy of its exports for each
  test. Tests may only read it (the alarms' states are compared at the end of the session), and
  its alarms are "just deployed" for 30 minutes of verify's grace period from the seeding, far
  longer than a run of the suite.
  The alarms are as AWS leaves them right after a deploy: in INSUFFICIENT_DATA since the seeding
  (moto would start them in OK), so within verify's grace period.
- `https_service`: a local HTTPS server on 127.0.0.1 whose certificate (signed by a test CA made
  here with `cryptography`) is for the service domain; `/health` answers `status` (default 200).
"""

from __future__ import annotations

import copy
import functools
import http.server
import os
import queue
import re
import ssl
import subprocess
import sys
import threading
import urllib.request
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest

from ops.aws import AwsClients
from tests.ops.verify.verify_helpers import (
    ACCOUNT,
    ALARMS,
    DOMAIN,
    ENV,
    FAKE_CREDENTIALS,
    GOOD_TLS_POLICY,
    REGION,
    SERVICE,
    HttpsService,
    write_certificates,
)


@pytest.fixture
def moto_endpoint(moto_server: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """The server's URL, reset to an empty cloud, with fake credentials in the environment."""
    for name, value in FAKE_CREDENTIALS.items():
        monkeypatch.setenv(name, value)
    # ECS services start with this many running tasks (moto reads it when a service is created).
    monkeypatch.setenv("MOTO_ECS_SERVICE_RUNNING", "3")
    urllib.request.urlopen(urllib.request.Request(f"{moto_server}/moto-api/reset", method="POST"), timeout=10)
    return moto_server


@pytest.fixture
def aws(moto_endpoint: str) -> AwsClients:
    """The clients `verify` uses, pointed at moto."""
    return AwsClients(REGION, endpoint_url=moto_endpoint)


SeedPlatform = Callable[..., dict[str, Any]]


@pytest.fixture
def seed_platform(moto_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> SeedPlatform:
    """Build the platform in this test's empty moto (see the module docstring) and return its exports."""
    return functools.partial(build_platform, AwsClients(REGION, endpoint_url=moto_endpoint), monkeypatch.setenv)


@dataclass(frozen=True)
class Deployed:
    """The platform as built to spec, in a moto server of its own: its clients and its exports."""

    aws: AwsClients
    endpoint: str
    exports: dict[str, Any]


@pytest.fixture(scope="session")
def _deployed_once() -> Iterator[Deployed]:
    # Checks only read, so every test of a healthy platform can share one, seeded once per worker
    # (seeding costs about a second; a run of the checks far less). It needs a moto of its own in
    # another process: moto keeps its state per process, and other tests reset theirs.
    server, endpoint = serve_moto_in_a_process()
    try:
        aws = AwsClients(
            REGION, session=boto3.Session(region_name=REGION, **_SESSION_CREDENTIALS), endpoint_url=endpoint
        )
        # The server process was started with the running count a healthy service has (3).
        exports = build_platform(aws, lambda name, value: None)
        before = _alarm_states(aws)
        yield Deployed(aws, endpoint, exports)
        # Every test shares it on the promise that it only reads: hold the tests to that.
        assert _alarm_states(aws) == before, "a test changed the shared platform's alarms"
    finally:
        server.terminate()
        server.wait(timeout=10)


def _alarm_states(aws: AwsClients) -> dict[str, str]:
    alarms = aws.client("cloudwatch").describe_alarms()["MetricAlarms"]
    return {a["AlarmName"]: a["StateValue"] for a in alarms}


def serve_moto_in_a_process(seconds: float = 60) -> tuple[subprocess.Popen[str], str]:
    """A moto server in a process of its own on a port the system picks; returns it and its URL.

    The URL is read from the server's log. The log is read to its end by a thread, since a pipe
    nobody reads would stop the server once full."""
    server = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", "0"],
        env={**os.environ, "MOTO_EC2_LOAD_DEFAULT_AMIS": "false", "MOTO_ECS_SERVICE_RUNNING": "3"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    urls: queue.Queue[str] = queue.Queue()

    def read_log() -> None:
        for line in server.stderr or ():
            if found := re.search(r"Running on (http://127\.0\.0\.1:\d+)", line):
                urls.put(found.group(1))

    threading.Thread(target=read_log, daemon=True).start()
    try:
        return server, urls.get(timeout=seconds)
    except queue.Empty:
        server.kill()
        raise RuntimeError(f"moto server did not say where it serves within {seconds:.0f} s") from None


@pytest.fixture
def deployed(_deployed_once: Deployed, monkeypatch: pytest.MonkeyPatch) -> Deployed:
    """The healthy platform, with a fresh copy of its exports for the test to change."""
    for name, value in FAKE_CREDENTIALS.items():
        monkeypatch.setenv(name, value)
    return replace(_deployed_once, exports=copy.deepcopy(_deployed_once.exports))


_SESSION_CREDENTIALS = {
    "aws_access_key_id": FAKE_CREDENTIALS["AWS_ACCESS_KEY_ID"],
    "aws_secret_access_key": FAKE_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
    "aws_session_token": FAKE_CREDENTIALS["AWS_SESSION_TOKEN"],
}


def build_platform(
    aws: AwsClients,
    setenv: Callable[[str, str], None],
    *,
    running: int = 3,
    desired: int = 3,
    targets: int = 3,
    multi_az: bool = True,
    encrypted: bool = True,
    retention: int = 7,
    tls_policy: str = GOOD_TLS_POLICY,
    other_certificate: bool = False,
    alias_to: str | None = None,
    cpu: str = "512",
    memory: str = "1024",
    alarm_without_ok_actions: str | None = None,
    archive_stream_deleted: bool = False,
    subscriptions: Mapping[str, int] | None = None,
) -> dict[str, Any]:
    """`alarm_without_ok_actions`: that alarm key notifies on ALARM only; `archive_stream_deleted`: the
    stream is gone after the subscriptions were made; `subscriptions`: export name of an audit log
    group -> how many filters into the stream it has (default one each)."""
    ec2, kms, acm, elbv2 = aws.client("ec2"), aws.client("kms"), aws.client("acm"), aws.client("elbv2")
    ecs, rds, logs, route53 = aws.client("ecs"), aws.client("rds"), aws.client("logs"), aws.client("route53")
    s3, firehose, sns = aws.client("s3"), aws.client("firehose"), aws.client("sns")
    cloudwatch = aws.client("cloudwatch")

    # One key for every log group here (each layer has its own; no check tells them apart), since moto
    # makes an RSA key pair for every key it creates.
    log_key = kms.create_key(Description=f"Encrypts the CloudWatch log groups of {ENV}")["KeyMetadata"]["Arn"]

    def encrypted_log_group(name: str) -> str:
        logs.create_log_group(logGroupName=name, kmsKeyId=log_key)
        logs.put_retention_policy(logGroupName=name, retentionInDays=7)
        return name

    # network
    vpc_id = ec2.create_vpc(CidrBlock="10.10.0.0/16")["Vpc"]["VpcId"]
    subnets = {
        (tier, az): ec2.create_subnet(VpcId=vpc_id, CidrBlock=cidr, AvailabilityZone=az)["Subnet"]["SubnetId"]
        for tier, az, cidr in (
            ("public", "ap-northeast-2a", "10.10.0.0/24"),
            ("public", "ap-northeast-2c", "10.10.1.0/24"),
            ("private", "ap-northeast-2a", "10.10.10.0/24"),
            ("private", "ap-northeast-2c", "10.10.11.0/24"),
        )
    }
    public = [subnets["public", "ap-northeast-2a"], subnets["public", "ap-northeast-2c"]]
    private = [subnets["private", "ap-northeast-2a"], subnets["private", "ap-northeast-2c"]]
    alb_sg, app_sg, db_sg = (
        ec2.create_security_group(GroupName=f"sg-payments-{purpose}-{ENV}", Description=purpose, VpcId=vpc_id)[
            "GroupId"
        ]
        for purpose in ("alb", "app", "db")
    )
    flow_log_group = encrypted_log_group(f"log-{SERVICE}-vpcflow-{ENV}")

    # data
    db_key = kms.create_key(Description=f"kms-payments-db-{ENV}")["KeyMetadata"]["Arn"]
    db_id = f"rds-payments-{ENV}"
    rds.create_db_instance(
        DBInstanceIdentifier=db_id,
        DBInstanceClass="db.t3.micro",
        Engine="postgres",
        EngineVersion="16.4",
        DBName="payments",
        MasterUsername="payments",
        MasterUserPassword="not-a-real-password-1",
        AllocatedStorage=20,
        MultiAZ=multi_az,
        StorageEncrypted=encrypted,
        **({"KmsKeyId": db_key} if encrypted else {}),
        PubliclyAccessible=False,
    )
    db = rds.describe_db_instances(DBInstanceIdentifier=db_id)["DBInstances"][0]
    db_log_group = encrypted_log_group(f"/aws/rds/instance/{db_id}/postgresql")  # the name RDS writes to

    # edge
    zone_id = route53.create_hosted_zone(Name=DOMAIN, CallerReference=f"zone-{ENV}")["HostedZone"]["Id"]
    zone_id = zone_id.rsplit("/", 1)[-1]
    certificate_arn = acm.request_certificate(DomainName=DOMAIN, ValidationMethod="DNS")["CertificateArn"]
    served_arn = certificate_arn
    if other_certificate:  # e.g. a certificate left from an earlier domain
        served_arn = acm.request_certificate(DomainName="api.old.example.com", ValidationMethod="DNS")["CertificateArn"]
    alb = elbv2.create_load_balancer(
        Name=f"alb-payments-{ENV}",
        Subnets=public,
        SecurityGroups=[alb_sg],
        Scheme="internet-facing",
        Type="application",
    )["LoadBalancers"][0]
    tg_arn = elbv2.create_target_group(
        Name=f"tg-payments-{ENV}",
        Protocol="HTTP",
        Port=3000,
        VpcId=vpc_id,
        TargetType="ip",
        HealthCheckPath="/health",
    )["TargetGroups"][0]["TargetGroupArn"]
    listener_arn = elbv2.create_listener(
        LoadBalancerArn=alb["LoadBalancerArn"],
        Protocol="HTTPS",
        Port=443,
        SslPolicy=tls_policy,
        Certificates=[{"CertificateArn": served_arn}],
        DefaultActions=[{"Type": "forward", "TargetGroupArn": tg_arn}],
    )["Listeners"][0]["ListenerArn"]
    if targets:
        elbv2.register_targets(
            TargetGroupArn=tg_arn,
            Targets=[{"Id": f"10.10.1{i % 2}.{10 + i}", "Port": 3000} for i in range(targets)],
        )
    # Route53 answers ALB aliases with `dualstack.` and a trailing dot: verify must see through both.
    route53.change_resource_record_sets(
        HostedZoneId=zone_id,
        ChangeBatch={
            "Changes": [
                {
                    "Action": "CREATE",
                    "ResourceRecordSet": {
                        "Name": DOMAIN,
                        "Type": kind,
                        "AliasTarget": {
                            "HostedZoneId": alb["CanonicalHostedZoneId"],
                            "DNSName": f"dualstack.{alias_to or alb['DNSName']}.",
                            "EvaluateTargetHealth": True,
                        },
                    },
                }
                for kind in ("A", "AAAA")
            ]
        },
    )

    waf_log_group = encrypted_log_group(f"aws-waf-logs-{SERVICE}-{ENV}")  # the prefix WAF demands

    # compute
    log_group = f"/ecs/payments-{ENV}"
    logs.create_log_group(logGroupName=log_group, kmsKeyId=log_key)
    logs.put_retention_policy(logGroupName=log_group, retentionInDays=retention)
    log_group_arn = logs.describe_log_groups(logGroupNamePrefix=log_group)["logGroups"][0]["arn"]
    cluster = ecs.create_cluster(clusterName=f"ecs-payments-{ENV}")["cluster"]
    task_definition_arn = ecs.register_task_definition(
        family=f"td-payments-{ENV}",
        cpu=cpu,
        memory=memory,
        networkMode="awsvpc",
        requiresCompatibilities=["FARGATE"],
        containerDefinitions=[
            {
                "name": "payments-api",
                "image": "123456789012.dkr.ecr.ap-northeast-2.amazonaws.com/payments-api:1.0.0",
                "portMappings": [{"containerPort": 3000, "protocol": "tcp"}],
                "logConfiguration": {
                    "logDriver": "awslogs",
                    "options": {"awslogs-group": log_group, "awslogs-region": REGION},
                },
            }
        ],
    )["taskDefinition"]["taskDefinitionArn"]
    setenv("MOTO_ECS_SERVICE_RUNNING", str(running))
    service_name = f"svc-payments-{ENV}"
    ecs.create_service(
        cluster=cluster["clusterName"],
        serviceName=service_name,
        taskDefinition=task_definition_arn,
        desiredCount=desired,
        launchType="FARGATE",
        networkConfiguration={
            "awsvpcConfiguration": {"subnets": private, "securityGroups": [app_sg], "assignPublicIp": "DISABLED"}
        },
        loadBalancers=[{"targetGroupArn": tg_arn, "containerName": "payments-api", "containerPort": 3000}],
    )

    # network: the audit archive, and each audit log group's subscription into it
    archive_bucket = f"s3-{SERVICE}-auditarchive-{ENV}"
    s3.create_bucket(Bucket=archive_bucket, CreateBucketConfiguration={"LocationConstraint": REGION})
    archive_key = kms.create_key(Description="Encrypts the audit log archive")["KeyMetadata"]["Arn"]
    stream = f"firehose-{SERVICE}-auditarchive-{ENV}"
    stream_arn = firehose.create_delivery_stream(
        DeliveryStreamName=stream,
        DeliveryStreamType="DirectPut",
        DeliveryStreamEncryptionConfigurationInput={"KeyType": "CUSTOMER_MANAGED_CMK", "KeyARN": archive_key},
        ExtendedS3DestinationConfiguration={
            "RoleARN": f"arn:aws:iam::{ACCOUNT}:role/role-{SERVICE}-auditarchive-firehose-{ENV}",
            "BucketARN": f"arn:aws:s3:::{archive_bucket}",
            "CompressionFormat": "UNCOMPRESSED",
        },
    )["DeliveryStreamARN"]
    logs_role_arn = f"arn:aws:iam::{ACCOUNT}:role/role-{SERVICE}-auditarchive-logs-{ENV}"
    audit_log_groups = {  # export -> (the layer's subscription purpose, the group)
        "flow_log_group_name": ("vpcflow", flow_log_group),
        "db_log_group_name": ("rds-postgresql", db_log_group),
        "waf_log_group_name": ("waf", waf_log_group),
        "log_group_name": ("api", log_group),
    }
    for export, (purpose, group) in audit_log_groups.items():
        for extra in range((subscriptions or {}).get(export, 1)):
            logs.put_subscription_filter(
                logGroupName=group,
                filterName=f"logsub-{SERVICE}-{purpose}-{ENV}" + (f"-{extra}" if extra else ""),
                filterPattern="",
                destinationArn=stream_arn,
                roleArn=logs_role_arn,
            )
    # Firehose's record of its last flush into S3, ten minutes ago.
    cloudwatch.put_metric_data(
        Namespace="AWS/Firehose",
        MetricData=[
            {
                "MetricName": "DeliveryToS3.Records",
                "Dimensions": [{"Name": "DeliveryStreamName", "Value": stream}],
                "Timestamp": datetime.now(UTC) - timedelta(minutes=10),
                "Value": 250,
            }
        ],
    )
    if archive_stream_deleted:
        firehose.delete_delivery_stream(DeliveryStreamName=stream)

    # the alarm topic (network) and every layer's alarms
    topic_arn = sns.create_topic(Name=f"sns-{SERVICE}-alarms-{ENV}")["TopicArn"]
    for key, (namespace, metric) in ALARMS.items():
        cloudwatch.put_metric_alarm(
            AlarmName=f"alarm-{SERVICE}-{key}-{ENV}",
            Namespace=namespace,
            MetricName=metric,
            Statistic="Average",
            Period=60,
            EvaluationPeriods=5,
            Threshold=1,
            ComparisonOperator="GreaterThanThreshold",
            AlarmActions=[topic_arn],
            OKActions=[] if key == alarm_without_ok_actions else [topic_arn],
        )
        # AWS starts a new alarm in INSUFFICIENT_DATA until its first evaluation; moto starts it in OK.
        cloudwatch.set_alarm_state(
            AlarmName=f"alarm-{SERVICE}-{key}-{ENV}",
            StateValue="INSUFFICIENT_DATA",
            StateReason="Unchecked: Initial alarm creation",
        )

    return {
        # network
        "vpc_id": vpc_id,
        "vpc_cidr": "10.10.0.0/16",
        "availability_zones": ["ap-northeast-2a", "ap-northeast-2c"],
        "public_subnet_ids": public,
        "private_subnet_ids": private,
        "nat_public_ips": [],
        "alb_security_group_id": alb_sg,
        "app_security_group_id": app_sg,
        "db_security_group_id": db_sg,
        "flow_log_group_name": flow_log_group,
        "alarm_topic_arn": topic_arn,
        "audit_archive_stream_arn": stream_arn,
        "audit_archive_role_arn": logs_role_arn,
        "audit_archive_delivery_bucket": f"s3-{SERVICE}-auditdelivery-{ENV}",
        "audit_archive_bucket": archive_bucket,
        # data
        "db_endpoint": f"{db['Endpoint']['Address']}:{db['Endpoint']['Port']}",
        "db_address": db["Endpoint"]["Address"],
        "db_port": db["Endpoint"]["Port"],
        "db_name": "payments",
        "db_instance_identifier": db_id,
        "db_instance_class": "db.t3.micro",
        "db_secret_arn": f"arn:aws:secretsmanager:{REGION}:123456789012:secret:payments/{ENV}/db-master-AbCdEf",
        "db_secret_kms_key_arn": "",
        "db_log_group_name": db_log_group,
        "db_kms_key_arn": db_key,
        # edge
        "alb_arn": alb["LoadBalancerArn"],
        "alb_dns_name": alb["DNSName"],
        "alb_zone_id": alb["CanonicalHostedZoneId"],
        "target_group_arn": tg_arn,
        "alb_arn_suffix": alb["LoadBalancerArn"].split(":loadbalancer/", 1)[1],
        "target_group_arn_suffix": tg_arn.rsplit(":", 1)[1],
        "https_listener_arn": listener_arn,
        "hosted_zone_id": zone_id,
        "name_servers": [],
        "certificate_arn": certificate_arn,
        "service_url": f"https://{DOMAIN}",
        "web_acl_arn": f"arn:aws:wafv2:{REGION}:{ACCOUNT}:regional/webacl/waf-{SERVICE}-{ENV}/0b1d0a1e",
        "web_acl_name": f"waf-{SERVICE}-{ENV}",
        "waf_log_group_name": waf_log_group,
        # compute
        "cluster_name": cluster["clusterName"],
        "cluster_arn": cluster["clusterArn"],
        "service_name": service_name,
        "task_definition_arn": task_definition_arn,
        "log_group_name": log_group,
        "log_group_arn": log_group_arn,
    }


# The service over HTTPS -------------------------------------------------------------------------


@pytest.fixture
def https_service(tmp_path: Path) -> Iterator[HttpsService]:
    """A TLS 1.2+ server on 127.0.0.1 with a certificate for the service domain; stopped after the test."""
    ca, cert, key = write_certificates(tmp_path, DOMAIN)
    service = HttpsService(address=("127.0.0.1", 0), ca_bundle=ca)

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            status = service.status if self.path == "/health" else 404
            body = b'{"status":"ok"}' if status < 500 else b'{"status":"down"}'
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    service.address = ("127.0.0.1", server.server_address[1])
    # `shutdown` waits for the loop's next poll: a short interval keeps each test's teardown short.
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    try:
        yield service
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
