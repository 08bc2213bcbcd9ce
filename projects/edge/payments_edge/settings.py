"""The edge layer's settings: every key declared in `projects/edge/Pulumi.yaml`."""

from __future__ import annotations

import re
from collections.abc import Iterator

from pydantic import Field, field_validator

from payments_edge.waf import RULE_NAMES
from shared.alarms import AlarmWindowSettings
from shared.guardrails import RULE_ALB_PROTECTION
from shared.naming import Namer, NameTooLongError
from shared.settings import InvalidSetting, cross_check, log_retention
from shared.tls import ACCEPTED_TLS_POLICIES

# The accepted HTTPS listener policies live in `shared.tls`, shared with the policy pack; the name
# is kept here for the modules that read it from the edge settings.
ALLOWED_TLS_POLICIES: tuple[str, ...] = ACCEPTED_TLS_POLICIES

# What AWS WAF accepts as the limit of a rate-based rule (requests per evaluation window).
WAF_RATE_LIMIT_RANGE: tuple[int, int] = (10, 2_000_000_000)

_LABEL = re.compile(r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")
_HOSTED_ZONE_ID = re.compile(r"^Z[0-9A-Z]{4,32}$")
_DELEGATION_SET_ID = re.compile(r"^N[0-9A-Z]{4,32}$")
_ACM_ARN = re.compile(
    r"^arn:aws:acm:(?P<region>[a-z]{2}(-[a-z]+)+-\d):\d{12}:certificate/[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}$"
)
_MATCHER_PART = re.compile(r"^(\d{3})(?:-(\d{3}))?$")


def fqdn(value: str) -> str:
    """A lowercase fully qualified domain name a public zone, ACM and an A record accept."""
    expected = "expected a lowercase fully qualified domain name such as api.payments.example.com"
    labels = value.split(".")
    if (
        len(value) > 253
        or len(labels) < 2
        or not all(_LABEL.match(label) for label in labels)
        or not labels[-1].isalpha()
    ):
        raise ValueError(expected)
    return value


class EdgeSettings(AlarmWindowSettings):
    domain_name: str
    hosted_zone_id: str
    delegation_set_id: str = ""
    certificate_arn: str
    certificate_validation_timeout_minutes: int
    tls_policy: str
    health_check_path: str
    health_check_matcher: str
    deregistration_delay_seconds: int
    idle_timeout_seconds: int
    access_log_expiration_days: int
    alb_deletion_protection: bool
    teardown: bool
    # Explicit aliases: the generated camelCase would read "5Xx".
    alarm_elb5xx_rate_percent: int = Field(alias="alarmElb5xxRatePercent")
    alarm_target5xx_rate_percent: int = Field(alias="alarmTarget5xxRatePercent")
    alarm_unhealthy_hosts: int
    alarm_p99_latency_ms: int
    alarm_waf_blocked_requests: int
    waf_rate_limit: int
    waf_count_only: bool
    waf_count_rules: tuple[str, ...]
    waf_block_anonymous_ips: bool
    waf_log_retention_days: int

    @field_validator("domain_name")
    @classmethod
    def _domain(cls, v: str) -> str:
        return fqdn(v)

    @field_validator("hosted_zone_id")
    @classmethod
    def _zone_id(cls, v: str) -> str:
        if v and not _HOSTED_ZONE_ID.match(v):
            raise ValueError("expected empty (create a zone) or a Route53 hosted zone ID such as Z0123456789ABCDEFGHIJ")
        return v

    @field_validator("delegation_set_id")
    @classmethod
    def _delegation_set_id(cls, v: str) -> str:
        if v and not _DELEGATION_SET_ID.match(v):
            raise ValueError(
                "expected empty or a Route53 reusable delegation set ID such as N0123456789ABCDEFGHIJ "
                "(`invoke dns --env <env> --reserve` creates one)"
            )
        return v

    @field_validator("certificate_arn")
    @classmethod
    def _certificate_arn(cls, v: str) -> str:
        if v and not _ACM_ARN.match(v):
            raise ValueError(
                "expected empty (request a certificate) or an ACM certificate ARN such as "
                "arn:aws:acm:ap-northeast-2:123456789012:certificate/<uuid>"
            )
        return v

    @field_validator("certificate_validation_timeout_minutes")
    @classmethod
    def _validation_timeout(cls, v: int) -> int:
        if not 5 <= v <= 180:
            raise ValueError("expected 5-180 minutes")
        return v

    @field_validator("tls_policy")
    @classmethod
    def _tls_policy(cls, v: str) -> str:
        if v not in ALLOWED_TLS_POLICIES:
            raise ValueError(
                f"expected a TLS 1.2+ ELB policy without CBC ciphers: one of {', '.join(ALLOWED_TLS_POLICIES)}"
            )
        return v

    @field_validator("health_check_path")
    @classmethod
    def _health_path(cls, v: str) -> str:
        if not v.startswith("/") or len(v) > 1024 or any(c.isspace() for c in v):
            raise ValueError("expected an HTTP path starting with / (no spaces, at most 1024 characters), e.g. /health")
        return v

    @field_validator("health_check_matcher")
    @classmethod
    def _matcher(cls, v: str) -> str:
        expected = "expected HTTP codes 200-499 as 200, 200,204 or 200-299"
        for part in v.split(","):
            m = _MATCHER_PART.match(part)
            if not m:
                raise ValueError(expected)
            low, high = int(m[1]), int(m[2] or m[1])
            if not 200 <= low <= high <= 499:
                raise ValueError(expected)
        return v

    @field_validator("deregistration_delay_seconds")
    @classmethod
    def _deregistration(cls, v: int) -> int:
        if not 0 <= v <= 300:
            raise ValueError("expected 0-300 seconds (a short drain keeps deployments fast)")
        return v

    @field_validator("idle_timeout_seconds")
    @classmethod
    def _idle(cls, v: int) -> int:
        if not 1 <= v <= 4000:
            raise ValueError("expected 1-4000 seconds")
        return v

    @field_validator("access_log_expiration_days")
    @classmethod
    def _log_expiry(cls, v: int) -> int:
        if not 1 <= v <= 3650:
            raise ValueError("expected 1-3650 days")
        return v

    @field_validator("waf_rate_limit")
    @classmethod
    def _rate_limit(cls, v: int) -> int:
        low, high = WAF_RATE_LIMIT_RANGE
        if not low <= v <= high:
            raise ValueError(f"expected {low}-{high} requests per client IP in 5 minutes (the range AWS WAF accepts)")
        return v

    @field_validator("waf_count_rules")
    @classmethod
    def _count_rules(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        unknown = [name for name in v if name not in RULE_NAMES]
        if unknown or len(set(v)) != len(v):
            raise ValueError(f"expected distinct names of the web ACL's rules: {', '.join(RULE_NAMES)}")
        return tuple(sorted(v))

    @field_validator("waf_log_retention_days")
    @classmethod
    def _waf_log_retention(cls, v: int) -> int:
        return log_retention(v)

    @field_validator("alarm_elb5xx_rate_percent", "alarm_target5xx_rate_percent")
    @classmethod
    def _percent(cls, v: int) -> int:
        if not 1 <= v <= 100:
            raise ValueError("expected a share of requests between 1 and 100 (percent)")
        return v

    @field_validator("alarm_unhealthy_hosts")
    @classmethod
    def _hosts(cls, v: int) -> int:
        if not 1 <= v <= 1000:
            raise ValueError("expected 1-1000 unhealthy targets")
        return v

    @field_validator("alarm_waf_blocked_requests")
    @classmethod
    def _waf_blocked(cls, v: int) -> int:
        if not 1 <= v <= 1_000_000:
            raise ValueError("expected 1-1000000 blocked requests in one alarm period")
        return v

    @field_validator("alarm_p99_latency_ms")
    @classmethod
    def _latency(cls, v: int) -> int:
        if not 10 <= v <= 60_000:
            raise ValueError("expected 10-60000 milliseconds")
        return v

    @cross_check("certificate_arn", "region")
    def _certificate_in_this_region(self) -> Iterator[InvalidSetting]:
        m = _ACM_ARN.match(self.certificate_arn)
        if m and m["region"] != self.region:
            yield InvalidSetting(
                "certificateArn",
                self.certificate_arn,
                f"expected a certificate in {self.region}: an ALB can only use ACM certificates of its own region",
            )

    @cross_check("delegation_set_id", "hosted_zone_id")
    def _delegation_set_for_a_new_zone_only(self) -> Iterator[InvalidSetting]:
        if self.delegation_set_id and self.hosted_zone_id:
            yield InvalidSetting(
                "delegationSetId",
                self.delegation_set_id,
                "expected empty with hostedZoneId: an existing zone already has its name servers",
            )

    @cross_check("service", "env")
    def _names_fit(self) -> Iterator[InvalidSetting]:
        # The auto-named ALB and target group must fit AWS's 32 characters with Pulumi's suffix.
        try:
            self.alb_name(Namer(self.service, self.env))
            self.target_group_name(Namer(self.service, self.env))
        except NameTooLongError as e:
            yield InvalidSetting("service", self.service, f"expected a shorter service name: {e}")

    @cross_check("env", "alb_deletion_protection", "teardown")
    def _alb_protected_when_protected(self) -> Iterator[InvalidSetting]:
        # Teardown lifts protection with `teardown: true` beside it (shared/layers.py), for one update.
        if self.protected and not self.alb_deletion_protection and not self.teardown:
            yield InvalidSetting(
                "albDeletionProtection",
                self.alb_deletion_protection,
                f"expected true in {self.env}, a protected environment (policy rule {RULE_ALB_PROTECTION}); "
                "teardown lifts it by itself",
            )

    @property
    def creates_zone(self) -> bool:
        """Whether this stack owns the hosted zone (no existing zone id configured)."""
        return not self.hosted_zone_id

    @property
    def creates_certificate(self) -> bool:
        """Whether this stack requests the certificate (no existing certificate ARN configured)."""
        return not self.certificate_arn

    @staticmethod
    def alb_name(n: Namer) -> str:
        """Logical name of the load balancer; Pulumi derives the physical name from it."""
        return n("alb", autonamed=True)

    @staticmethod
    def target_group_name(n: Namer) -> str:
        """Logical name of the target group; Pulumi derives the physical name from it."""
        return n("tg", "app", autonamed=True)
