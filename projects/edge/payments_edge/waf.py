"""`WebFirewall`: the AWS WAF web ACL in front of the load balancer, and its redacted, encrypted logs.

Rules, in evaluation order (the first terminating match decides):

| priority | rule | what it stops |
|---|---|---|
| 0 | `RateLimitPerIp` | one client IP sending more than `edge:wafRateLimit` requests in 5 minutes |
| 1 | `AWSManagedRulesAmazonIpReputationList` | IPs Amazon threat intelligence reports as bots, scanners, DDoS sources |
| 2 | `AWSManagedRulesAnonymousIpList` | VPNs, Tor, proxies, hosting providers (counts: see below) |
| 3 | `BodyOverInspectionLimit` | request bodies over 8 KB, the most WAF can inspect behind an ALB |
| 4 | `AWSManagedRulesCommonRuleSet` | OWASP-style attacks (XSS, path traversal, bad user agents, ...) |
| 5 | `AWSManagedRulesKnownBadInputsRuleSet` | known exploit payloads (Log4Shell, Java deserialization, ...) |
| 6 | `AWSManagedRulesSQLiRuleSet` | SQL injection in query, URI, cookies and body |

The anonymous IP list counts by default: its `HostingProviderIPList` rule matches every address of
a cloud provider, and a payment API's clients (merchants' servers) often call from one, so blocking
is a decision an operator makes after reading what it would block (its labels are in the logs).

Behind an Application Load Balancer WAF receives only the first 8 KB (8,192 bytes) of a body, a
limit that cannot be raised; anything after it is never inspected. The payment API takes small
JSON documents, so a larger body is refused before any body-inspecting rule runs:
`BodyOverInspectionLimit` matches a body over 8 KB and, with `oversize_handling="MATCH"`, any
body WAF could not read whole. The CommonRuleSet's `SizeRestrictions_BODY` checks the same 8 KB;
it is set to count so that one rule, this one, decides (and can be switched to count alone),
while the managed rule's metric and label still show.

Every rule can be switched to count for a safe rollout (`edge:wafCountRules`), or the whole ACL
(`edge:wafCountOnly`): a managed group then gets `override_action` count, an own rule the
`action` count. Requests no rule blocks are allowed.

The ACL logs every request to `aws-waf-logs-<service>-<env>` (AWS requires the prefix), a
CloudWatch log group with its own KMS key, with the `authorization` and `cookie` headers
replaced by `REDACTED`: bearer tokens and session cookies never reach a log. WAF delivers those
logs as a vended log through `delivery.logs.amazonaws.com`, which may write to the group only if
a CloudWatch Logs resource policy allows it; WAF writes one itself only when the identity enabling
logging may call `logs:PutResourcePolicy` (AWS WAF Developer Guide, "Sending web ACL traffic logs
to an Amazon CloudWatch Logs log group"; CloudWatch Logs User Guide, "Logs sent to CloudWatch
Logs"). The policy is therefore declared here (`waf_log_delivery_policy`), scoped to this group's
streams and this account, and the logging configuration waits for it.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from shared.encrypted_log_group import EncryptedLogGroup, EncryptedLogGroupArgs
from shared.iam import policy_document
from shared.naming import Namer

# The most of a request body AWS WAF inspects when the web ACL protects an Application Load Balancer.
ALB_BODY_INSPECTION_LIMIT_BYTES = 8192
RATE_LIMIT_WINDOW_SECONDS = 300
RATE_LIMIT_RULE = "RateLimitPerIp"
BODY_SIZE_RULE = "BodyOverInspectionLimit"
ANONYMOUS_IP_LIST = "AWSManagedRulesAnonymousIpList"
# AWS managed rule groups (vendor "AWS") of the ACL.
MANAGED_RULE_GROUPS: tuple[str, ...] = (
    "AWSManagedRulesAmazonIpReputationList",
    ANONYMOUS_IP_LIST,
    "AWSManagedRulesCommonRuleSet",
    "AWSManagedRulesKnownBadInputsRuleSet",
    "AWSManagedRulesSQLiRuleSet",
)
# Every rule of the ACL in evaluation order: its priority is its index.
RULE_NAMES: tuple[str, ...] = (
    RATE_LIMIT_RULE,
    "AWSManagedRulesAmazonIpReputationList",
    ANONYMOUS_IP_LIST,
    BODY_SIZE_RULE,
    "AWSManagedRulesCommonRuleSet",
    "AWSManagedRulesKnownBadInputsRuleSet",
    "AWSManagedRulesSQLiRuleSet",
)
# Managed rules set to count because a rule of ours makes the same decision (see module docstring).
COUNTED_MANAGED_RULES: dict[str, tuple[str, ...]] = {"AWSManagedRulesCommonRuleSet": ("SizeRestrictions_BODY",)}
REDACTED_HEADERS: tuple[str, ...] = ("authorization", "cookie")
LOG_GROUP_PREFIX = "aws-waf-logs-"  # AWS WAF logs only to log groups whose name starts with this


def log_group_name(service: str, env: str) -> str:
    """`aws-waf-logs-<service>-<env>`: the prefix WAF demands, then the environment suffix."""
    return f"{LOG_GROUP_PREFIX}{service}-{env}"


def waf_log_delivery_policy(*, partition: str, region: str, account_id: str, log_group: str) -> str:
    """The CloudWatch Logs resource policy that lets WAF's log delivery write into `log_group` only.

    The statement is the one CloudWatch Logs documents for vended logs ("Logs sent to CloudWatch
    Logs"): `delivery.logs.amazonaws.com` may create streams and put events, for this account's
    deliveries only (`aws:SourceAccount`, `aws:SourceArn`), here narrowed to this group's streams.
    """
    return policy_document(
        {
            "Sid": "WafLogDeliveryWritesTheWafLogGroup",
            "Effect": "Allow",
            "Principal": {"Service": "delivery.logs.amazonaws.com"},
            "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
            "Resource": f"arn:{partition}:logs:{region}:{account_id}:log-group:{log_group}:log-stream:*",
            "Condition": {
                "StringEquals": {"aws:SourceAccount": account_id},
                "ArnLike": {"aws:SourceArn": f"arn:{partition}:logs:{region}:{account_id}:*"},
            },
        }
    )


def counted_rules(*, count_only: bool, count_rules: tuple[str, ...], block_anonymous_ips: bool) -> frozenset[str]:
    """The rules that only count: all of them, or those named, plus the anonymous IP list unless it blocks."""
    if count_only:
        return frozenset(RULE_NAMES)
    return frozenset(count_rules) | (frozenset() if block_anonymous_ips else frozenset({ANONYMOUS_IP_LIST}))


def _visibility(metric_name: str) -> aws.wafv2.WebAclRuleVisibilityConfigArgs:
    return aws.wafv2.WebAclRuleVisibilityConfigArgs(
        cloudwatch_metrics_enabled=True, metric_name=metric_name, sampled_requests_enabled=True
    )


def _own_rule_action(counted: bool) -> aws.wafv2.WebAclRuleActionArgs:
    if counted:
        return aws.wafv2.WebAclRuleActionArgs(count=aws.wafv2.WebAclRuleActionCountArgs())
    return aws.wafv2.WebAclRuleActionArgs(block=aws.wafv2.WebAclRuleActionBlockArgs())


def rate_limit_rule(limit: int, *, counted: bool) -> aws.wafv2.WebAclRuleArgs:
    """At most `limit` requests per client IP in any 5 minutes; the excess is blocked."""
    return aws.wafv2.WebAclRuleArgs(
        name=RATE_LIMIT_RULE,
        priority=RULE_NAMES.index(RATE_LIMIT_RULE),
        action=_own_rule_action(counted),
        statement=aws.wafv2.WebAclRuleStatementArgs(
            rate_based_statement=aws.wafv2.WebAclRuleStatementRateBasedStatementArgs(
                aggregate_key_type="IP", limit=limit, evaluation_window_sec=RATE_LIMIT_WINDOW_SECONDS
            )
        ),
        visibility_config=_visibility(RATE_LIMIT_RULE),
    )


def body_size_rule(*, counted: bool) -> aws.wafv2.WebAclRuleArgs:
    """A body over the ALB inspection limit, or one WAF could not read whole, matches (and is blocked)."""
    return aws.wafv2.WebAclRuleArgs(
        name=BODY_SIZE_RULE,
        priority=RULE_NAMES.index(BODY_SIZE_RULE),
        action=_own_rule_action(counted),
        statement=aws.wafv2.WebAclRuleStatementArgs(
            size_constraint_statement=aws.wafv2.WebAclRuleStatementSizeConstraintStatementArgs(
                comparison_operator="GT",
                size=ALB_BODY_INSPECTION_LIMIT_BYTES,
                field_to_match=aws.wafv2.WebAclRuleStatementSizeConstraintStatementFieldToMatchArgs(
                    body=aws.wafv2.WebAclRuleStatementSizeConstraintStatementFieldToMatchBodyArgs(
                        oversize_handling="MATCH"
                    )
                ),
                text_transformations=[
                    aws.wafv2.WebAclRuleStatementSizeConstraintStatementTextTransformationArgs(priority=0, type="NONE")
                ],
            )
        ),
        visibility_config=_visibility(BODY_SIZE_RULE),
    )


def managed_rule(group: str, *, counted: bool) -> aws.wafv2.WebAclRuleArgs:
    """An AWS managed rule group, its own actions kept (`none`) or overridden to count."""
    override = (
        aws.wafv2.WebAclRuleOverrideActionArgs(count=aws.wafv2.WebAclRuleOverrideActionCountArgs())
        if counted
        else aws.wafv2.WebAclRuleOverrideActionArgs(none=aws.wafv2.WebAclRuleOverrideActionNoneArgs())
    )
    count = aws.wafv2.WebAclRuleStatementManagedRuleGroupStatementRuleActionOverrideActionToUseArgs(
        count=aws.wafv2.WebAclRuleStatementManagedRuleGroupStatementRuleActionOverrideActionToUseCountArgs()
    )
    counted_rules = [
        aws.wafv2.WebAclRuleStatementManagedRuleGroupStatementRuleActionOverrideArgs(name=rule, action_to_use=count)
        for rule in COUNTED_MANAGED_RULES.get(group, ())
    ]
    return aws.wafv2.WebAclRuleArgs(
        name=group,
        priority=RULE_NAMES.index(group),
        override_action=override,
        statement=aws.wafv2.WebAclRuleStatementArgs(
            managed_rule_group_statement=aws.wafv2.WebAclRuleStatementManagedRuleGroupStatementArgs(
                vendor_name="AWS", name=group, rule_action_overrides=counted_rules or None
            )
        ),
        visibility_config=_visibility(group),
    )


def web_acl_rules(*, rate_limit: int, counted: frozenset[str]) -> list[aws.wafv2.WebAclRuleArgs]:
    """Every rule of the ACL in priority order; rules named in `counted` only count."""
    rules = {
        RATE_LIMIT_RULE: rate_limit_rule(rate_limit, counted=RATE_LIMIT_RULE in counted),
        BODY_SIZE_RULE: body_size_rule(counted=BODY_SIZE_RULE in counted),
        **{group: managed_rule(group, counted=group in counted) for group in MANAGED_RULE_GROUPS},
    }
    return [rules[name] for name in RULE_NAMES]


@dataclass(frozen=True)
class WebFirewallArgs:
    namer: Namer
    load_balancer_arn: pulumi.Input[str]
    rate_limit: int
    count_rules: tuple[str, ...]  # rule names that only count (see RULE_NAMES)
    count_only: bool  # every rule only counts
    block_anonymous_ips: bool  # the anonymous IP list blocks instead of counting (see module docstring)
    log_retention_days: int
    tags: dict[str, str]
    account_id: pulumi.Input[str]
    partition: pulumi.Input[str]
    region: str


class WebFirewall(pulumi.ComponentResource):
    """A REGIONAL web ACL associated with the load balancer, logging to an encrypted log group.

    `web_acl_name` and `metric_name` are known before deployment, for alarms on the ACL's
    CloudWatch metrics (namespace `AWS/WAFV2`, dimensions `WebACL`, `Region`, `Rule`);
    `log_group` is where its request logs land, for subscriptions.
    """

    web_acl: aws.wafv2.WebAcl
    web_acl_name: str
    metric_name: str
    log_group: aws.cloudwatch.LogGroup

    def __init__(self, name: str, args: WebFirewallArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("payments:edge:WebFirewall", name, None, opts)
        n = args.namer
        child = pulumi.ResourceOptions(parent=self)
        self.web_acl_name = self.metric_name = n("waf")
        counted = counted_rules(
            count_only=args.count_only, count_rules=args.count_rules, block_anonymous_ips=args.block_anonymous_ips
        )
        self.web_acl = aws.wafv2.WebAcl(
            n("waf"),
            name=self.web_acl_name,
            description="Payments API: rate limit, IP reputation, anonymous IPs, body size, AWS managed rules",
            scope="REGIONAL",
            default_action=aws.wafv2.WebAclDefaultActionArgs(allow=aws.wafv2.WebAclDefaultActionAllowArgs()),
            rules=web_acl_rules(rate_limit=args.rate_limit, counted=counted),
            visibility_config=aws.wafv2.WebAclVisibilityConfigArgs(
                cloudwatch_metrics_enabled=True, metric_name=self.metric_name, sampled_requests_enabled=True
            ),
            tags=args.tags,
            opts=child,
        )
        aws.wafv2.WebAclAssociation(
            n("wafassoc", "alb"),
            resource_arn=args.load_balancer_arn,
            web_acl_arn=self.web_acl.arn,
            opts=child,
        )
        logs = EncryptedLogGroup(
            n("logs", "waf"),
            EncryptedLogGroupArgs(
                namer=n,
                purpose="waf",
                retention_in_days=args.log_retention_days,
                tags=args.tags,
                account_id=args.account_id,
                partition=args.partition,
                region=args.region,
                log_group_name=log_group_name(n.service, n.env),
            ),
            child,
        )
        self.log_group = logs.log_group
        group_name = log_group_name(n.service, n.env)
        delivery_policy = aws.cloudwatch.LogResourcePolicy(
            n("logpolicy", "waf"),
            policy_name=n("logpolicy", "waf"),
            policy_document=pulumi.Output.all(args.partition, args.account_id).apply(
                lambda v: waf_log_delivery_policy(
                    partition=v[0], region=args.region, account_id=v[1], log_group=group_name
                )
            ),
            opts=child,
        )
        aws.wafv2.WebAclLoggingConfiguration(
            n("waflogging"),
            resource_arn=self.web_acl.arn,
            log_destination_configs=[self.log_group.arn],
            redacted_fields=[
                aws.wafv2.WebAclLoggingConfigurationRedactedFieldArgs(
                    single_header=aws.wafv2.WebAclLoggingConfigurationRedactedFieldSingleHeaderArgs(name=header)
                )
                for header in REDACTED_HEADERS
            ],
            # WAF checks at once that its log delivery may write into the group.
            opts=pulumi.ResourceOptions(parent=self, depends_on=[delivery_policy]),
        )
        self.register_outputs({"web_acl_arn": self.web_acl.arn, "log_group_name": self.log_group.name})
