"""The mandatory rules of the payments platform: one function per rule.

Each check takes a `PolicyInput` (type token, camelCase props, logical name) and a
`PolicyContext` (the stack, and for stack-scoped rules the stack's other resources) and returns
the violation messages, [] when the resource complies. Values only known after apply never fail
a rule unless the rule needs a literal (a flag such as `storageEncrypted` must be written down).
"""

from __future__ import annotations

import ipaddress
import re
from typing import Any

from payments_policy.iam_documents import document_violations
from payments_policy.model import PolicyContext, PolicyInput, Rule, is_unknown, referenced_name
from payments_policy.taggable import UnknownType, taggable
from shared.environments import is_protected
from shared.guardrails import LOG_RETENTION_DAYS, RULE_ALB_PROTECTION, TASK_CPU, TASK_MEMORY_MIB
from shared.layers import LAYER_NAMES
from shared.ports import HTTP_PORT, HTTPS_PORT
from shared.tags import REQUIRED_TAG_KEYS, environment_label
from shared.tls import ACCEPTED_TLS_POLICIES, DEFAULT_TLS_POLICY

# Type tokens the rules look at.
BUCKET = ("aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2")
BUCKET_SSE = (
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
)
LOAD_BALANCER = ("aws:lb/loadBalancer:LoadBalancer", "aws:alb/loadBalancer:LoadBalancer")
LISTENER = ("aws:lb/listener:Listener", "aws:alb/listener:Listener")
WEB_ACL_ASSOCIATION = ("aws:wafv2/webAclAssociation:WebAclAssociation",)
DB_INSTANCE = ("aws:rds/instance:Instance",)
LOG_GROUP = ("aws:cloudwatch/logGroup:LogGroup",)
KMS_KEY = ("aws:kms/key:Key",)
SECURITY_GROUP = ("aws:ec2/securityGroup:SecurityGroup", "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup")
INGRESS_RULE = ("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",)
LEGACY_SG_RULE = ("aws:ec2/securityGroupRule:SecurityGroupRule",)
TASK_DEFINITION = ("aws:ecs/taskDefinition:TaskDefinition",)
ECS_SERVICE = ("aws:ecs/service:Service",)
METRIC_ALARM = ("aws:cloudwatch/metricAlarm:MetricAlarm",)
IAM_DOCUMENTS: dict[str, tuple[str, ...]] = {
    "aws:iam/role:Role": ("assumeRolePolicy",),
    "aws:iam/rolePolicy:RolePolicy": ("policy",),
    "aws:iam/policy:Policy": ("policy",),
    "aws:kms/key:Key": ("policy",),
    "aws:s3/bucketPolicy:BucketPolicy": ("policy",),
    "aws:sns/topicPolicy:TopicPolicy": ("policy",),
    "aws:cloudwatch/logResourcePolicy:LogResourcePolicy": ("policyDocument",),
}

KMS_ALGORITHMS = frozenset({"aws:kms", "aws:kms:dsse"})
PUBLIC_PORTS = frozenset({HTTP_PORT, HTTPS_PORT})
# One definition with the settings (`shared.guardrails`), which refuse any other value up front.
FARGATE_CPU, FARGATE_MEMORY = str(TASK_CPU), str(TASK_MEMORY_MIB)


def _literal(value: Any) -> bool:
    return value is not None and not is_unknown(value)


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]


# --- tags and names --------------------------------------------------------------------------
def check_tags(r: PolicyInput, ctx: PolicyContext) -> list[str]:
    """Every taggable resource carries Environment/ManagedBy/Project/Layer with the right values."""
    try:
        if not taggable(r.type):
            return []
    except UnknownType as e:
        return [str(e)]
    tags = r.get("tags")
    if not isinstance(tags, dict):
        return [f"tags must be a literal map with {', '.join(REQUIRED_TAG_KEYS)}; got {tags!r}"]
    problems = [f"missing tag {key}" for key in REQUIRED_TAG_KEYS if not tags.get(key)]
    expected = {"Environment": environment_label(ctx.stack), "ManagedBy": "pulumi"}
    for key, want in expected.items():
        got = tags.get(key)
        if got and _literal(got) and got != want:
            problems.append(f"tag {key}={got!r}, expected {want!r}")
    layer = tags.get("Layer")
    if layer and _literal(layer) and layer not in LAYER_NAMES:
        problems.append(f"tag Layer={layer!r}, expected one of {', '.join(LAYER_NAMES)}")
    return problems


def check_name_suffix(r: PolicyInput, ctx: PolicyContext) -> list[str]:
    """The logical name ends with `-<stack>`, so two environments never share a name."""
    if r.type.startswith("pulumi:"):
        return []
    if not r.name.endswith(f"-{ctx.stack}"):
        return [f"logical name {r.name!r} does not end with '-{ctx.stack}'"]
    return []


# --- encryption at rest ------------------------------------------------------------------------
def check_rds_encryption(r: PolicyInput, _ctx: PolicyContext) -> list[str]:
    """Storage (and Performance Insights) encrypted with a customer-managed KMS key."""
    problems = []
    if r.get("storageEncrypted") is not True:
        problems.append(f"storageEncrypted must be true, got {r.get('storageEncrypted')!r}")
    if not r.get("kmsKeyId"):
        problems.append("kmsKeyId must name a customer-managed KMS key (the AWS-managed aws/rds key is not)")
    if r.get("performanceInsightsEnabled") is True and not r.get("performanceInsightsKmsKeyId"):
        problems.append("performanceInsightsKmsKeyId must name a customer-managed KMS key")
    return problems


def check_log_group_encryption(r: PolicyInput, _ctx: PolicyContext) -> list[str]:
    """CloudWatch log groups are encrypted with a customer-managed KMS key."""
    return [] if r.get("kmsKeyId") else ["kmsKeyId must name a customer-managed KMS key"]


def _alb_log_bucket(bucket: PolicyInput, ctx: PolicyContext) -> bool:
    for lb in ctx.of_type(*LOAD_BALANCER):
        for block in ("accessLogs", "connectionLogs"):
            logs = lb.get(block)
            if isinstance(logs, dict) and ctx.refers_to(logs.get("bucket"), bucket, "bucket"):
                return True
    return False


def _sse_rules(config: PolicyInput) -> list[dict[str, Any]]:
    rules = [rule for rule in _as_list(config.get("rules")) if isinstance(rule, dict)]
    return [rule.get("applyServerSideEncryptionByDefault") or {} for rule in rules]


def check_s3_encryption(r: PolicyInput, ctx: PolicyContext) -> list[str]:
    """Every bucket has default encryption: SSE-KMS with a customer key, or SSE-S3 for ALB logs.

    Application Load Balancer access logs can only be delivered to a bucket encrypted with
    SSE-S3 (AES256): the log delivery service cannot use a KMS key. A bucket some load
    balancer in the stack logs to may therefore use AES256; every other bucket must use KMS.
    """
    configs = [c for c in ctx.of_type(*BUCKET_SSE) if ctx.refers_to(c.get("bucket"), r, "bucket")]
    inline = r.get("serverSideEncryptionConfiguration")
    defaults = [d for c in configs for d in _sse_rules(c)]
    if isinstance(inline, dict):
        for inline_rule in _as_list(inline.get("rule")):
            defaults.append((inline_rule or {}).get("applyServerSideEncryptionByDefault") or {})
    if not defaults:
        return ["no server-side encryption configuration targets this bucket"]
    alb_logs = _alb_log_bucket(r, ctx)
    problems = []
    for d in defaults:
        algorithm = d.get("sseAlgorithm")
        if algorithm in KMS_ALGORITHMS:
            if not d.get("kmsMasterKeyId"):
                problems.append(f"sseAlgorithm {algorithm} without kmsMasterKeyId uses the AWS-managed key")
        elif algorithm == "AES256" and alb_logs:
            continue  # ALB access-log delivery supports SSE-S3 only
        elif _literal(algorithm):
            allowed = "aws:kms with a customer key" + (" or AES256 (ALB access logs)" if alb_logs else "")
            problems.append(f"sseAlgorithm {algorithm!r}; expected {allowed}")
    return problems


# --- traffic -------------------------------------------------------------------------------------
def check_listener_tls(r: PolicyInput, _ctx: PolicyContext) -> list[str]:
    """HTTPS listeners negotiate TLS 1.2+ without CBC ciphers; HTTP listeners only redirect to HTTPS."""
    protocol = r.get("protocol")
    if protocol == "HTTPS":
        problems = []
        policy = r.get("sslPolicy")
        if policy not in ACCEPTED_TLS_POLICIES:
            problems.append(
                f"sslPolicy {policy!r} is not a TLS 1.2+ policy without CBC ciphers (e.g. {DEFAULT_TLS_POLICY})"
            )
        if not r.get("certificateArn"):
            problems.append("an HTTPS listener needs certificateArn")
        return problems
    if protocol == "HTTP":
        actions = [a for a in _as_list(r.get("defaultActions")) if isinstance(a, dict)]
        redirects = [a for a in actions if a.get("type") == "redirect"]
        if not actions or len(redirects) != len(actions):
            return [f"an HTTP listener may only redirect; default actions are {[a.get('type') for a in actions]}"]
        problems = []
        for action in redirects:
            target = action.get("redirect") or {}
            if target.get("protocol") != "HTTPS":
                problems.append(f"HTTP listener redirects to protocol {target.get('protocol')!r}, expected HTTPS")
            port = target.get("port")
            if port is not None and str(port) not in ("443", "#{port}"):
                problems.append(f"HTTP listener redirects to port {port!r}, expected 443")
        return problems
    if _literal(protocol):
        return [f"listener protocol {protocol!r}: the platform serves HTTPS (and HTTP only to redirect)"]
    return []


def check_alb_web_acl(r: PolicyInput, ctx: PolicyContext) -> list[str]:
    """An internet-facing Application Load Balancer has a WAF web ACL associated with it."""
    if r.get("internal") is True or r.get("loadBalancerType") not in (None, "application"):
        return []
    for association in ctx.of_type(*WEB_ACL_ASSOCIATION):
        if ctx.refers_to(association.get("resourceArn"), r):
            return []
    return [
        "an internet-facing Application Load Balancer needs a WAF web ACL association (aws.wafv2.WebAclAssociation)"
    ]


def _anywhere(cidrs: list[Any]) -> list[str]:
    """The CIDRs in `cidrs` that cover the whole internet (0.0.0.0/0, ::/0)."""
    found = []
    for cidr in cidrs:
        if not _literal(cidr):
            continue
        try:
            if ipaddress.ip_network(str(cidr), strict=False).prefixlen == 0:
                found.append(str(cidr))
        except ValueError:
            continue
    return found


def is_alb_group(group_name: str | None, stack: str) -> bool:
    """Whether a security group's logical name is the ALB's (`Namer`: `sg-<service>-alb-<env>`).

    Groups live in network and the load balancer in edge, so no one stack sees both; the name
    the network layer gives the ALB's group is the link both sides agree on.
    """
    return bool(group_name) and re.fullmatch(rf"sg-[a-z0-9-]+-alb-{re.escape(stack)}", group_name or "") is not None


def _open_ingress(
    *, cidrs: list[Any], protocol: Any, from_port: Any, to_port: Any, group: str | None, ctx: PolicyContext
) -> list[str]:
    wide = _anywhere(cidrs)
    if not wide:
        return []
    ports = f"{from_port}-{to_port}" if from_port != to_port else f"{from_port}"
    single_public_port = from_port == to_port and from_port in PUBLIC_PORTS and str(protocol) in ("tcp", "6")
    if single_public_port and is_alb_group(group, ctx.stack):
        return []
    where = f"group {group}" if group else "a group that is not the ALB's"
    return [f"ingress from {', '.join(wide)} on {protocol}/{ports} to {where}; only the ALB's 80/443 may be public"]


def check_public_ingress(r: PolicyInput, ctx: PolicyContext) -> list[str]:
    """Nothing is reachable from 0.0.0.0/0 or ::/0 except the ALB's group on 80 and 443."""
    if r.type in INGRESS_RULE:
        return _open_ingress(
            cidrs=[r.get("cidrIpv4"), r.get("cidrIpv6")],
            protocol=r.get("ipProtocol"),
            from_port=r.get("fromPort"),
            to_port=r.get("toPort"),
            group=referenced_name(r.get("securityGroupId")),
            ctx=ctx,
        )
    if r.type in LEGACY_SG_RULE:
        if r.get("type") != "ingress":
            return []
        return _open_ingress(
            cidrs=[*_as_list(r.get("cidrBlocks")), *_as_list(r.get("ipv6CidrBlocks"))],
            protocol=r.get("protocol"),
            from_port=r.get("fromPort"),
            to_port=r.get("toPort"),
            group=referenced_name(r.get("securityGroupId")),
            ctx=ctx,
        )
    problems = []
    for rule in _as_list(r.get("ingress")):
        if isinstance(rule, dict):
            problems += _open_ingress(
                cidrs=[*_as_list(rule.get("cidrBlocks")), *_as_list(rule.get("ipv6CidrBlocks"))],
                protocol=rule.get("protocol"),
                from_port=rule.get("fromPort"),
                to_port=rule.get("toPort"),
                group=r.name,
                ctx=ctx,
            )
    return problems


# --- database, containers, logs ------------------------------------------------------------------
def check_rds_availability(r: PolicyInput, ctx: PolicyContext) -> list[str]:
    """Multi-AZ, not publicly accessible, deletion protection on in prod."""
    problems = []
    if r.get("multiAz") is not True:
        problems.append(f"multiAz must be true, got {r.get('multiAz')!r}")
    if r.get("publiclyAccessible") not in (None, False):
        problems.append(f"publiclyAccessible must be false, got {r.get('publiclyAccessible')!r}")
    if is_protected(ctx.stack) and r.get("deletionProtection") is not True:
        problems.append(f"deletionProtection must be true in prod, got {r.get('deletionProtection')!r}")
    return problems


def check_task_definition(r: PolicyInput, _ctx: PolicyContext) -> list[str]:
    """Fargate task: awsvpc networking with 512 CPU units and 1024 MiB."""
    problems = []
    if r.get("networkMode") != "awsvpc":
        problems.append(f"networkMode must be 'awsvpc', got {r.get('networkMode')!r}")
    for key, want in (("cpu", FARGATE_CPU), ("memory", FARGATE_MEMORY)):
        if str(r.get(key)) != want:
            problems.append(f"{key} must be {want}, got {r.get(key)!r}")
    return problems


def check_ecs_service(r: PolicyInput, _ctx: PolicyContext) -> list[str]:
    """Tasks get no public IP; the deployment circuit breaker rolls back a failed deployment."""
    problems = []
    network = r.get("networkConfiguration")
    if not isinstance(network, dict):
        problems.append("networkConfiguration (awsvpc subnets and groups) is missing")
    elif network.get("assignPublicIp") not in (None, False):
        problems.append(f"assignPublicIp must be false, got {network.get('assignPublicIp')!r}")
    breaker = r.get("deploymentCircuitBreaker")
    if not (isinstance(breaker, dict) and breaker.get("enable") is True and breaker.get("rollback") is True):
        problems.append(f"deploymentCircuitBreaker must be enable=true, rollback=true; got {breaker!r}")
    return problems


def check_log_retention(r: PolicyInput, _ctx: PolicyContext) -> list[str]:
    """Log groups keep their logs exactly the platform's retention (`shared.guardrails`)."""
    got = r.get("retentionInDays")
    if got != LOG_RETENTION_DAYS:
        return [f"retentionInDays must be {LOG_RETENTION_DAYS}, got {got!r}"]
    return []


def check_alb_deletion_protection(r: PolicyInput, ctx: PolicyContext) -> list[str]:
    """Load balancers of a protected environment cannot be deleted by accident."""
    if is_protected(ctx.stack) and r.get("enableDeletionProtection") is not True:
        return [f"enableDeletionProtection must be true in {ctx.stack}, got {r.get('enableDeletionProtection')!r}"]
    return []


# --- alarms ----------------------------------------------------------------------------------------
def check_alarm_actions(r: PolicyInput, _ctx: PolicyContext) -> list[str]:
    """An alarm notifies someone when it fires and when it recovers; an alarm nobody hears is noise."""
    problems = []
    if r.get("actionsEnabled") is False:
        problems.append("actionsEnabled is false: the alarm notifies nobody")
    for prop in ("alarmActions", "okActions"):
        if not [a for a in _as_list(r.get(prop)) if a]:
            problems.append(f"{prop} is empty: expected the alarm topic")
    return problems


# --- IAM and KMS ----------------------------------------------------------------------------------
def check_iam_documents(r: PolicyInput, _ctx: PolicyContext) -> list[str]:
    """IAM documents: no `*` action; `*` resource only for actions with no resource-level permission."""
    problems = []
    key_policy = r.type in KMS_KEY
    for prop in IAM_DOCUMENTS.get(r.type, ()):
        problems += [f"{prop}: {p}" for p in document_violations(r.get(prop), key_policy=key_policy)]
    if r.type == "aws:iam/role:Role":
        for inline in _as_list(r.get("inlinePolicies")):
            if isinstance(inline, dict):
                label = f"inlinePolicies[{inline.get('name')}]"
                problems += [f"{label}: {p}" for p in document_violations(inline.get("policy"))]
    return problems


def check_kms_rotation(r: PolicyInput, _ctx: PolicyContext) -> list[str]:
    """Symmetric customer keys rotate yearly (AWS rotates only symmetric encryption keys)."""
    spec = r.get("customerMasterKeySpec") or r.get("keySpec") or "SYMMETRIC_DEFAULT"
    if spec != "SYMMETRIC_DEFAULT":
        return []
    if r.get("enableKeyRotation") is not True:
        return [f"enableKeyRotation must be true, got {r.get('enableKeyRotation')!r}"]
    return []


RULES: tuple[Rule, ...] = (
    Rule(
        "required-tags",
        "Every taggable resource carries Environment, ManagedBy, Project and Layer tags.",
        check_tags,
    ),
    Rule("environment-suffix", "Every resource's logical name ends with -<stack>.", check_name_suffix),
    Rule(
        "rds-encrypted-with-cmk",
        "RDS storage (and Performance Insights) is encrypted with a customer-managed KMS key.",
        check_rds_encryption,
        DB_INSTANCE,
    ),
    Rule(
        "log-groups-encrypted-with-cmk",
        "CloudWatch log groups are encrypted with a customer-managed KMS key.",
        check_log_group_encryption,
        LOG_GROUP,
    ),
    Rule(
        "s3-encrypted",
        "S3 buckets have default encryption: SSE-KMS with a customer key (SSE-S3 only for ALB access logs).",
        check_s3_encryption,
        BUCKET,
        scope="stack",
    ),
    Rule(
        "tls-listeners",
        "HTTPS listeners use a TLS 1.2+ security policy without CBC ciphers; HTTP listeners only redirect to HTTPS.",
        check_listener_tls,
        LISTENER,
    ),
    Rule(
        "alb-has-web-acl",
        "Every internet-facing Application Load Balancer has a WAF web ACL associated.",
        check_alb_web_acl,
        LOAD_BALANCER,
        scope="stack",
    ),
    Rule(
        "no-public-ingress",
        "No ingress from 0.0.0.0/0 or ::/0 except the ALB's security group on 80 and 443.",
        check_public_ingress,
        (*SECURITY_GROUP, *INGRESS_RULE, *LEGACY_SG_RULE),
        scope="stack",
    ),
    Rule(
        "rds-highly-available-private",
        "RDS is Multi-AZ, not publicly accessible, and deletion-protected in prod.",
        check_rds_availability,
        DB_INSTANCE,
    ),
    Rule(
        "ecs-task-size",
        "ECS task definitions use awsvpc networking with 512 CPU units and 1024 MiB.",
        check_task_definition,
        TASK_DEFINITION,
    ),
    Rule(
        "ecs-service-private-with-rollback",
        "ECS services assign no public IP and roll back failed deployments (circuit breaker).",
        check_ecs_service,
        ECS_SERVICE,
    ),
    Rule(
        "log-retention",
        f"Log groups keep logs exactly the platform's retention ({LOG_RETENTION_DAYS} days).",
        check_log_retention,
        LOG_GROUP,
    ),
    Rule(
        RULE_ALB_PROTECTION,
        "Load balancers are deletion-protected in protected environments (prod).",
        check_alb_deletion_protection,
        LOAD_BALANCER,
    ),
    Rule(
        "iam-least-privilege",
        "IAM documents have no '*' action and '*' resource only where AWS allows nothing else.",
        check_iam_documents,
        tuple(IAM_DOCUMENTS),
    ),
    Rule("kms-rotation", "Customer-managed KMS keys rotate.", check_kms_rotation, KMS_KEY),
    Rule(
        "alarms-notify",
        "Every CloudWatch metric alarm has alarm actions and OK actions (and actions enabled).",
        check_alarm_actions,
        METRIC_ALARM,
    ),
)


def rule(rule_id: str) -> Rule:
    """The rule with this id."""
    for r in RULES:
        if r.id == rule_id:
            return r
    raise KeyError(f"no policy rule {rule_id!r}; known: {', '.join(r.id for r in RULES)}")
