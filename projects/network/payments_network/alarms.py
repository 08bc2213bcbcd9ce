"""The network layer's alarms: whether the audit archive is still receiving what it must keep for a year.

One entry per alarm; the signals come from `shared.metrics`, the threshold from stack config. Both
treat missing data as not breaching, each for its own reason (the README's alarm table says so):
Firehose publishes data freshness only while it holds records, and S3 publishes failed
replications only when an operation was attempted. A stream that receives nothing at all is what
`invoke verify`'s audit checks catch (its subscriptions, its last delivery).
"""

from __future__ import annotations

from payments_network.settings import NetworkSettings
from shared import metrics
from shared.alarms import AlarmDefinition


def network_alarms(settings: NetworkSettings) -> tuple[AlarmDefinition, ...]:
    """The audit archive's alarms with this stack's threshold."""
    return (
        AlarmDefinition(
            key="archive-delivery-late",
            signal=metrics.ARCHIVE_FRESHNESS,
            comparison="GreaterThanThreshold",
            threshold=settings.alarm_archive_freshness_seconds,
            treat_missing_data="notBreaching",  # nothing waiting in the stream, so nothing late
            description=(
                "Audit logs wait in the archive's Firehose stream instead of reaching S3: the delivery bucket, "
                "the archive key or the stream's role refuses it. Read the stream's error log group "
                "(log-<service>-auditarchive-errors-<env>); Firehose gives up on a record after 24 hours."
            ),
        ),
        AlarmDefinition(
            key="archive-replication-failed",
            signal=metrics.ARCHIVE_REPLICATION_FAILED,
            comparison="GreaterThanThreshold",
            threshold=0,
            treat_missing_data="notBreaching",  # no data point: nothing failed to replicate in that period
            description=(
                "Delivered audit logs failed to replicate into the Object-Locked archive bucket, and S3 does not "
                "retry them: fix the replication role or key, then replicate the failed objects with S3 Batch "
                "Replication before the delivery bucket expires them (7 days)."
            ),
        ),
    )
