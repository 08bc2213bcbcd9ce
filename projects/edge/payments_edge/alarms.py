"""The edge layer's alarms: what the load balancer tells a payments on-call.

One entry per alarm; the signals come from `shared.metrics`, the thresholds from stack config.
How missing data counts is chosen per alarm: ELB publishes a metric only while requests flow,
so for every edge alarm a missing point means "no traffic in that minute", never "broken".
A service with no tasks at all is caught by the compute layer's running-task alarm.
"""

from __future__ import annotations

from payments_edge.settings import EdgeSettings
from shared import metrics
from shared.alarms import AlarmDefinition


def edge_alarms(settings: EdgeSettings) -> tuple[AlarmDefinition, ...]:
    """The load balancer's alarms with this stack's thresholds."""
    return (
        AlarmDefinition(
            key="elb-5xx-rate",
            signal=metrics.ALB_ELB_5XX_RATE,
            comparison="GreaterThanThreshold",
            threshold=settings.alarm_elb5xx_rate_percent,
            treat_missing_data="notBreaching",  # no 5xx answered in that minute
            description=(
                "The load balancer itself answers 5xx (no healthy target, target timeouts or resets): "
                "payments are failing before they reach the API. Check target health and the ECS service."
            ),
        ),
        AlarmDefinition(
            key="target-5xx-rate",
            signal=metrics.ALB_TARGET_5XX_RATE,
            comparison="GreaterThanThreshold",
            threshold=settings.alarm_target5xx_rate_percent,
            treat_missing_data="notBreaching",  # no requests in that minute
            description=(
                "The payment API answers 5xx: check the application's logs and its database. "
                "A recent deployment is rolled back by the circuit breaker only if tasks fail health checks."
            ),
        ),
        AlarmDefinition(
            key="unhealthy-hosts",
            signal=metrics.ALB_UNHEALTHY_HOSTS,
            comparison="GreaterThanOrEqualToThreshold",
            threshold=settings.alarm_unhealthy_hosts,
            treat_missing_data="notBreaching",  # not published without traffic; no tasks pages in compute
            description=(
                "Targets fail the load balancer's health check: capacity is reduced. "
                "Check the tasks' logs and the health check path."
            ),
        ),
        AlarmDefinition(
            key="target-p99-latency",
            signal=metrics.ALB_TARGET_P99,
            comparison="GreaterThanThreshold",
            threshold=settings.alarm_p99_latency_ms / 1000,  # TargetResponseTime is in seconds
            treat_missing_data="notBreaching",  # no requests, no latency
            description=(
                "The slowest 1% of payment requests exceed the latency objective: check the service's "
                "CPU and memory, the database's CPU and connections, and downstream providers."
            ),
        ),
        AlarmDefinition(
            key="waf-blocked-spike",
            signal=metrics.WAF_BLOCKED_REQUESTS,
            comparison="GreaterThanThreshold",
            threshold=settings.alarm_waf_blocked_requests,
            treat_missing_data="notBreaching",  # WAF publishes nothing while it blocks nothing
            description=(
                "The web ACL blocks far more requests than usual: an attack in progress, or a rule "
                "blocking real clients. Read the WAF log group's terminatingRuleId before switching the "
                "rule to count (edge:wafCountRules)."
            ),
        ),
    )
