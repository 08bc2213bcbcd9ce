"""Each mandatory rule, fed a violating resource (it must fail, naming why) and a compliant one."""

from __future__ import annotations

import pytest
from payments_policy.model import PolicyInput, unknown
from payments_policy.rules import RULES

from shared.iam import policy_document as doc
from shared.tls import ACCEPTED_TLS_POLICIES
from tests.policy.policy_cases import TAGS, violations

SG_RULE = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
SG = "aws:ec2/securityGroup:SecurityGroup"
ALB_GROUP = unknown("sg-payments-alb-prod", "id")
APP_GROUP = unknown("sg-payments-app-prod", "id")


# --- tags and names -------------------------------------------------------------------------------
def test_tags_rule_fails_a_taggable_resource_missing_layer_and_managedby():
    found = violations(
        "required-tags", "aws:ec2/vpc:Vpc", {"tags": {"Environment": "production", "Project": "payments"}}
    )
    assert found == ["missing tag ManagedBy", "missing tag Layer"]


def test_tags_rule_fails_a_wrong_environment_label_and_untagged_resource():
    assert violations("required-tags", "aws:ec2/vpc:Vpc", {"tags": {**TAGS, "Environment": "prod"}}) == [
        "tag Environment='prod', expected 'production'"
    ]
    assert violations("required-tags", "aws:kms/key:Key", {})[0].startswith("tags must be a literal map")


def test_tags_rule_passes_standard_tags_and_ignores_untaggable_types():
    assert violations("required-tags", "aws:ec2/vpc:Vpc", {"tags": TAGS}) == []
    assert violations("required-tags", "aws:ec2/route:Route", {}) == []  # Route accepts no tags


def test_name_suffix_rule_fails_a_name_without_the_stack_suffix():
    assert violations("environment-suffix", "aws:ec2/vpc:Vpc", {}, name="vpc-payments") == [
        "logical name 'vpc-payments' does not end with '-prod'"
    ]
    assert violations("environment-suffix", "aws:ec2/vpc:Vpc", {}, name="vpc-payments-prod", stack="dev") != []


def test_name_suffix_rule_passes_namer_names():
    assert violations("environment-suffix", "aws:ec2/vpc:Vpc", {}, name="vpc-payments-dev", stack="dev") == []


# --- encryption at rest ---------------------------------------------------------------------------
RDS = "aws:rds/instance:Instance"
GOOD_RDS = {
    "storageEncrypted": True,
    "kmsKeyId": unknown("kms-payments-data-prod", "arn"),
    "performanceInsightsEnabled": True,
    "performanceInsightsKmsKeyId": unknown("kms-payments-data-prod", "arn"),
    "multiAz": True,
    "publiclyAccessible": False,
    "deletionProtection": True,
}


def test_rds_encryption_fails_unencrypted_storage_or_the_aws_managed_key():
    found = violations("rds-encrypted-with-cmk", RDS, {**GOOD_RDS, "storageEncrypted": False, "kmsKeyId": None})
    assert found == [
        "storageEncrypted must be true, got False",
        "kmsKeyId must name a customer-managed KMS key (the AWS-managed aws/rds key is not)",
    ]
    found = violations("rds-encrypted-with-cmk", RDS, {**GOOD_RDS, "performanceInsightsKmsKeyId": ""})
    assert found == ["performanceInsightsKmsKeyId must name a customer-managed KMS key"]


def test_rds_encryption_passes_a_key_only_known_after_apply():
    assert violations("rds-encrypted-with-cmk", RDS, GOOD_RDS) == []


def test_log_group_encryption_fails_without_a_key_and_passes_with_one():
    token = "aws:cloudwatch/logGroup:LogGroup"
    assert violations("log-groups-encrypted-with-cmk", token, {"retentionInDays": 7}) == [
        "kmsKeyId must name a customer-managed KMS key"
    ]
    assert violations("log-groups-encrypted-with-cmk", token, {"kmsKeyId": unknown("kms-x-prod", "arn")}) == []


BUCKET = "aws:s3/bucket:Bucket"
SSE = "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"


def sse(bucket: str, algorithm: str, key: str | None = None) -> PolicyInput:
    default = {"sseAlgorithm": algorithm, **({"kmsMasterKeyId": key} if key else {})}
    return PolicyInput(
        SSE,
        f"s3encryption-{bucket}",
        {"bucket": unknown(bucket, "id"), "rules": [{"applyServerSideEncryptionByDefault": default}]},
    )


def alb_logging_to(bucket: str) -> PolicyInput:
    return PolicyInput(
        "aws:lb/loadBalancer:LoadBalancer",
        "alb-payments-prod",
        {"accessLogs": {"bucket": unknown(bucket, "bucket"), "enabled": True}},
    )


def test_s3_rule_fails_a_bucket_without_encryption_configuration():
    assert violations("s3-encrypted", BUCKET, {}, name="s3-payments-data-prod") == [
        "no server-side encryption configuration targets this bucket"
    ]


def test_s3_rule_fails_sse_s3_on_a_bucket_no_load_balancer_logs_to():
    found = violations(
        "s3-encrypted", BUCKET, {}, name="s3-payments-data-prod", others=[sse("s3-payments-data-prod", "AES256")]
    )
    assert found == ["sseAlgorithm 'AES256'; expected aws:kms with a customer key"]


def test_s3_rule_fails_kms_without_a_customer_key():
    found = violations(
        "s3-encrypted", BUCKET, {}, name="s3-payments-data-prod", others=[sse("s3-payments-data-prod", "aws:kms")]
    )
    assert found == ["sseAlgorithm aws:kms without kmsMasterKeyId uses the AWS-managed key"]


def test_s3_rule_accepts_kms_with_a_key_and_sse_s3_for_alb_access_logs():
    kms = sse("s3-payments-data-prod", "aws:kms", unknown("kms-payments-s3-prod", "arn"))
    assert violations("s3-encrypted", BUCKET, {}, name="s3-payments-data-prod", others=[kms]) == []
    logs = [sse("s3-payments-alblogs-prod", "AES256"), alb_logging_to("s3-payments-alblogs-prod")]
    assert violations("s3-encrypted", BUCKET, {}, name="s3-payments-alblogs-prod", others=logs) == []


# --- WAF ------------------------------------------------------------------------------------------
ALB = "aws:lb/loadBalancer:LoadBalancer"
ASSOCIATION = "aws:wafv2/webAclAssociation:WebAclAssociation"
PUBLIC_ALB = {"loadBalancerType": "application", "internal": False}


def association(resource_arn: str) -> PolicyInput:
    props = {"resourceArn": resource_arn, "webAclArn": unknown("waf-payments-prod", "arn")}
    return PolicyInput(ASSOCIATION, "wafassoc-payments-alb-prod", props)


def test_web_acl_rule_fails_an_internet_facing_alb_without_a_web_acl_association():
    unrelated = association(unknown("alb-payments-other-prod", "arn"))
    assert violations("alb-has-web-acl", ALB, PUBLIC_ALB, name="alb-payments-prod", others=[unrelated]) == [
        "an internet-facing Application Load Balancer needs a WAF web ACL association (aws.wafv2.WebAclAssociation)"
    ]


def test_web_acl_rule_passes_an_alb_associated_by_reference_or_by_its_literal_arn():
    by_reference = association(unknown("alb-payments-prod", "arn"))
    assert violations("alb-has-web-acl", ALB, PUBLIC_ALB, name="alb-payments-prod", others=[by_reference]) == []
    arn = "arn:aws:elasticloadbalancing:ap-northeast-2:123456789012:loadbalancer/app/alb/0123456789abcdef"
    by_arn = association(arn)
    props = {**PUBLIC_ALB, "arn": arn}
    assert violations("alb-has-web-acl", ALB, props, name="alb-payments-prod", others=[by_arn]) == []


def test_web_acl_rule_ignores_internal_and_network_load_balancers():
    assert violations("alb-has-web-acl", ALB, {"internal": True}, name="alb-payments-prod") == []
    assert violations("alb-has-web-acl", ALB, {"loadBalancerType": "network"}, name="nlb-payments-prod") == []


# --- TLS ------------------------------------------------------------------------------------------
LISTENER = "aws:lb/listener:Listener"
CERT = unknown("cert-payments-prod", "arn")


def test_https_listener_fails_a_policy_that_still_accepts_tls_1_0():
    found = violations(
        "tls-listeners",
        LISTENER,
        {"protocol": "HTTPS", "sslPolicy": "ELBSecurityPolicy-2016-08", "certificateArn": CERT},
    )
    assert len(found) == 1 and "sslPolicy 'ELBSecurityPolicy-2016-08' is not a TLS 1.2+ policy" in found[0]


def test_https_listener_fails_a_tls12_policy_that_still_offers_cbc_ciphers():
    props = {"protocol": "HTTPS", "sslPolicy": "ELBSecurityPolicy-TLS13-1-2-2021-06", "certificateArn": CERT}
    assert violations("tls-listeners", LISTENER, props) == [
        "sslPolicy 'ELBSecurityPolicy-TLS13-1-2-2021-06' is not a TLS 1.2+ policy without CBC ciphers "
        "(e.g. ELBSecurityPolicy-TLS13-1-2-Res-2021-06)"
    ]


@pytest.mark.parametrize("policy", ACCEPTED_TLS_POLICIES)
def test_https_listener_passes_every_policy_the_edge_settings_accept(policy):
    props = {"protocol": "HTTPS", "sslPolicy": policy, "certificateArn": CERT}
    assert violations("tls-listeners", LISTENER, props) == []


def test_http_listener_fails_when_it_forwards_instead_of_redirecting():
    props = {"protocol": "HTTP", "defaultActions": [{"type": "forward", "targetGroupArn": unknown("tg", "arn")}]}
    assert violations("tls-listeners", LISTENER, props) == [
        "an HTTP listener may only redirect; default actions are ['forward']"
    ]


def test_http_listener_fails_a_redirect_to_plain_http_and_passes_a_redirect_to_https_443():
    to_http = {
        "protocol": "HTTP",
        "defaultActions": [{"type": "redirect", "redirect": {"protocol": "HTTP", "port": "80"}}],
    }
    assert violations("tls-listeners", LISTENER, to_http) == [
        "HTTP listener redirects to protocol 'HTTP', expected HTTPS",
        "HTTP listener redirects to port '80', expected 443",
    ]
    to_https = {
        "protocol": "HTTP",
        "defaultActions": [
            {"type": "redirect", "redirect": {"protocol": "HTTPS", "port": "443", "statusCode": "HTTP_301"}}
        ],
    }
    assert violations("tls-listeners", LISTENER, to_https) == []


# --- ingress ---------------------------------------------------------------------------------------
def ingress(group: str, port: int, **source: str) -> dict:
    return {"securityGroupId": group, "ipProtocol": "tcp", "fromPort": port, "toPort": port, **source}


def test_public_ingress_fails_ssh_from_anywhere_even_on_the_alb_group():
    found = violations("no-public-ingress", SG_RULE, ingress(ALB_GROUP, 22, cidrIpv4="0.0.0.0/0"))
    assert found == [
        "ingress from 0.0.0.0/0 on tcp/22 to group sg-payments-alb-prod; only the ALB's 80/443 may be public"
    ]


def test_public_ingress_fails_443_from_ipv6_anywhere_to_the_app_group():
    found = violations("no-public-ingress", SG_RULE, ingress(APP_GROUP, 443, cidrIpv6="::/0"))
    assert found == ["ingress from ::/0 on tcp/443 to group sg-payments-app-prod; only the ALB's 80/443 may be public"]


def test_public_ingress_fails_inline_ingress_of_a_security_group():
    props = {"ingress": [{"protocol": "-1", "fromPort": 0, "toPort": 0, "cidrBlocks": ["0.0.0.0/0"]}]}
    found = violations("no-public-ingress", SG, props, name="sg-payments-app-prod")
    assert found == [
        "ingress from 0.0.0.0/0 on -1/0 to group sg-payments-app-prod; only the ALB's 80/443 may be public"
    ]


def test_public_ingress_passes_the_albs_443_and_80_and_group_to_group_rules():
    assert violations("no-public-ingress", SG_RULE, ingress(ALB_GROUP, 443, cidrIpv4="0.0.0.0/0")) == []
    assert violations("no-public-ingress", SG_RULE, ingress(ALB_GROUP, 80, cidrIpv4="0.0.0.0/0")) == []
    assert violations("no-public-ingress", SG_RULE, ingress(APP_GROUP, 3000, referencedSecurityGroupId=ALB_GROUP)) == []
    assert violations("no-public-ingress", SG_RULE, ingress(APP_GROUP, 3000, cidrIpv4="10.10.0.0/16")) == []


# --- database, containers, logs ------------------------------------------------------------------
def test_rds_availability_fails_single_az_public_unprotected_prod_database():
    props = {**GOOD_RDS, "multiAz": False, "publiclyAccessible": True, "deletionProtection": False}
    assert violations("rds-highly-available-private", RDS, props) == [
        "multiAz must be true, got False",
        "publiclyAccessible must be false, got True",
        "deletionProtection must be true in prod, got False",
    ]


def test_rds_availability_passes_and_needs_no_deletion_protection_outside_prod():
    assert violations("rds-highly-available-private", RDS, GOOD_RDS) == []
    dev = {**GOOD_RDS, "deletionProtection": False}
    assert violations("rds-highly-available-private", RDS, dev, name="rds-payments-dev", stack="dev") == []


TASK = "aws:ecs/taskDefinition:TaskDefinition"


def test_task_definition_fails_bridge_mode_and_a_different_size():
    assert violations("ecs-task-size", TASK, {"networkMode": "bridge", "cpu": "1024", "memory": "2048"}) == [
        "networkMode must be 'awsvpc', got 'bridge'",
        "cpu must be 512, got '1024'",
        "memory must be 1024, got '2048'",
    ]


def test_task_definition_passes_awsvpc_512_1024():
    assert violations("ecs-task-size", TASK, {"networkMode": "awsvpc", "cpu": "512", "memory": "1024"}) == []


SERVICE = "aws:ecs/service:Service"
GOOD_SERVICE = {
    "networkConfiguration": {"assignPublicIp": False, "subnets": [unknown("subnet-a", "id")]},
    "deploymentCircuitBreaker": {"enable": True, "rollback": True},
}


def test_ecs_service_fails_a_public_ip_and_a_breaker_without_rollback():
    props = {
        "networkConfiguration": {"assignPublicIp": True},
        "deploymentCircuitBreaker": {"enable": True, "rollback": False},
    }
    assert violations("ecs-service-private-with-rollback", SERVICE, props) == [
        "assignPublicIp must be false, got True",
        "deploymentCircuitBreaker must be enable=true, rollback=true; got {'enable': True, 'rollback': False}",
    ]


def test_ecs_service_passes_private_tasks_with_rollback():
    assert violations("ecs-service-private-with-rollback", SERVICE, GOOD_SERVICE) == []


def test_log_retention_fails_anything_but_the_platform_days():
    token = "aws:cloudwatch/logGroup:LogGroup"
    assert violations("log-retention", token, {"retentionInDays": 14}) == ["retentionInDays must be 7, got 14"]
    assert violations("log-retention", token, {}) == ["retentionInDays must be 7, got None"]  # None: kept forever
    assert violations("log-retention", token, {"retentionInDays": 7}) == []
    # One definition with the settings: no pack config can make the two disagree.
    assert violations("log-retention", token, {"retentionInDays": 30}, config={"logRetentionDays": 30}) == [
        "retentionInDays must be 7, got 30"
    ]


@pytest.mark.parametrize("token", ["aws:lb/loadBalancer:LoadBalancer", "aws:alb/loadBalancer:LoadBalancer"])
def test_load_balancers_are_deletion_protected_in_protected_environments_only(token):
    assert violations("alb-deletion-protected", token, {"enableDeletionProtection": False}) == [
        "enableDeletionProtection must be true in prod, got False"
    ]
    assert violations("alb-deletion-protected", token, {}) == [
        "enableDeletionProtection must be true in prod, got None"
    ]
    assert violations("alb-deletion-protected", token, {"enableDeletionProtection": True}) == []
    assert violations("alb-deletion-protected", token, {"enableDeletionProtection": False}, stack="dev") == []


# --- IAM and KMS ----------------------------------------------------------------------------------
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"


def test_iam_rule_fails_a_star_action_and_a_service_wildcard():
    policy = doc(
        {"Sid": "Everything", "Effect": "Allow", "Action": "*", "Resource": "arn:aws:s3:::b"},
        {"Sid": "AllOfKms", "Effect": "Allow", "Action": ["kms:*"], "Resource": "arn:aws:kms:ap-northeast-2:1:key/k"},
    )
    assert violations("iam-least-privilege", ROLE_POLICY, {"policy": policy}) == [
        "policy: statement Everything allows action '*' (a wildcard over a whole service)",
        "policy: statement AllOfKms allows action 'kms:*' (a wildcard over a whole service)",
    ]


def test_iam_rule_fails_star_resource_for_actions_that_support_resource_arns():
    policy = doc(
        {"Sid": "ReadAnySecret", "Effect": "Allow", "Action": "secretsmanager:GetSecretValue", "Resource": "*"}
    )
    assert violations("iam-least-privilege", ROLE_POLICY, {"policy": policy}) == [
        "policy: statement ReadAnySecret grants secretsmanager:GetSecretValue on resource '*' "
        "(only actions without resource-level permissions may use '*')"
    ]


def test_iam_rule_fails_a_trust_policy_open_to_any_principal():
    trust = doc({"Sid": "Anyone", "Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"})
    assert violations("iam-least-privilege", "aws:iam/role:Role", {"assumeRolePolicy": trust}) == [
        "assumeRolePolicy: statement Anyone allows any principal ('*')"
    ]


def test_iam_rule_checks_cloudwatch_logs_resource_policies_too():
    # The WAF log delivery's resource policy is a policy document like any other.
    token = "aws:cloudwatch/logResourcePolicy:LogResourcePolicy"
    wide = doc(
        {"Sid": "AnyLogs", "Effect": "Allow", "Principal": {"Service": "delivery.logs.amazonaws.com"},
         "Action": "logs:*", "Resource": "*"}
    )  # fmt: skip
    assert violations("iam-least-privilege", token, {"policyDocument": wide}) == [
        "policyDocument: statement AnyLogs allows action 'logs:*' (a wildcard over a whole service)",
        "policyDocument: statement AnyLogs grants logs:* on resource '*' "
        "(only actions without resource-level permissions may use '*')",
    ]


def test_iam_rule_passes_ecr_token_on_star_key_policy_star_and_deny_statements():
    policy = doc(
        {"Sid": "AuthenticateToEcr", "Effect": "Allow", "Action": "ecr:GetAuthorizationToken", "Resource": "*"},
        {"Sid": "Pull", "Effect": "Allow", "Action": ["ecr:BatchGetImage"], "Resource": unknown("ecr-repo", "arn")},
    )
    assert violations("iam-least-privilege", ROLE_POLICY, {"policy": policy}) == []
    key_policy = doc(
        {
            "Sid": "Admin",
            "Effect": "Allow",
            "Principal": {"AWS": "arn:aws:iam::1:root"},
            "Action": ["kms:Decrypt"],
            "Resource": "*",
        }
    )
    assert violations("iam-least-privilege", "aws:kms/key:Key", {"policy": key_policy}) == []
    deny = doc({"Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*"})
    assert violations("iam-least-privilege", "aws:s3/bucketPolicy:BucketPolicy", {"policy": deny}) == []
    assert violations("iam-least-privilege", ROLE_POLICY, {"policy": unknown("x", "json")}) == []  # not known yet


def test_kms_rule_fails_a_key_without_rotation_and_passes_rotation_or_asymmetric_keys():
    assert violations("kms-rotation", "aws:kms/key:Key", {"enableKeyRotation": False}) == [
        "enableKeyRotation must be true, got False"
    ]
    assert violations("kms-rotation", "aws:kms/key:Key", {}) == ["enableKeyRotation must be true, got None"]
    assert violations("kms-rotation", "aws:kms/key:Key", {"enableKeyRotation": True}) == []
    assert violations("kms-rotation", "aws:kms/key:Key", {"customerMasterKeySpec": "RSA_2048"}) == []


# --- alarms ---------------------------------------------------------------------------------------
ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
TOPIC = unknown("sns-payments-alarms-prod", "arn")


def test_alarm_rule_fails_an_alarm_without_ok_actions_or_with_actions_disabled():
    assert violations("alarms-notify", ALARM, {"alarmActions": [TOPIC]}) == [
        "okActions is empty: expected the alarm topic"
    ]
    assert violations("alarms-notify", ALARM, {"actionsEnabled": False, "alarmActions": [], "okActions": [TOPIC]}) == [
        "actionsEnabled is false: the alarm notifies nobody",
        "alarmActions is empty: expected the alarm topic",
    ]


def test_alarm_rule_passes_an_alarm_that_notifies_the_topic_on_alarm_and_ok():
    assert violations("alarms-notify", ALARM, {"alarmActions": [TOPIC], "okActions": [TOPIC]}) == []


def test_every_rule_has_a_unique_id_and_a_description():
    ids = [r.id for r in RULES]
    assert len(ids) == len(set(ids)) == 16
    assert all(r.description.endswith(".") for r in RULES)
