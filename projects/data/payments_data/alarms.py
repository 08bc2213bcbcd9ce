"""The data layer's alarms: what the database tells a payments on-call.

One entry per alarm; the signals come from `shared.metrics`, the thresholds from stack config.
RDS publishes its metrics every minute while the instance runs, so silence means the instance
is stopped, failing over for longer than the window, or gone. Free storage treats silence as
breaching, so a silent database pages once; the other alarms treat it as not breaching, so it
pages once rather than five times. The CPU credit alarm exists only for burstable classes
(db.t*), the only ones that publish CPUCreditBalance.
"""

from __future__ import annotations

from payments_data.settings import DataSettings
from shared import metrics
from shared.alarms import AlarmDefinition

GIB = 1024**3
MIB = 1024**2


def data_alarms(settings: DataSettings) -> tuple[AlarmDefinition, ...]:
    """The database's alarms with this stack's thresholds (credits only for db.t* classes)."""
    alarms = (
        AlarmDefinition(
            key="db-cpu-high",
            signal=metrics.RDS_CPU,
            comparison="GreaterThanThreshold",
            threshold=settings.alarm_cpu_percent,
            treat_missing_data="notBreaching",  # a silent instance pages through free storage
            description=(
                "Database CPU is high: payment queries slow down. Check Performance Insights for the top "
                "statements, then consider a larger instance class."
            ),
        ),
        AlarmDefinition(
            key="db-free-storage-low",
            signal=metrics.RDS_FREE_STORAGE,
            comparison="LessThanThreshold",
            threshold=settings.alarm_free_storage_gib * GIB,  # FreeStorageSpace is in bytes
            treat_missing_data="breaching",  # RDS reports every minute: silence means the instance is down
            description=(
                "Database storage is nearly full (or the instance stopped reporting): storage autoscaling "
                "may be at maxAllocatedStorage. Raise it, or find what grows."
            ),
        ),
        AlarmDefinition(
            key="db-connections-high",
            signal=metrics.RDS_CONNECTIONS,
            comparison="GreaterThanThreshold",
            threshold=settings.alarm_connections,
            treat_missing_data="notBreaching",  # a silent instance pages through free storage
            description=(
                "Database connections approach max_connections: new payment requests will be refused. "
                "Check the application's pool size times the running task count."
            ),
        ),
        AlarmDefinition(
            key="db-freeable-memory-low",
            signal=metrics.RDS_FREEABLE_MEMORY,
            comparison="LessThanThreshold",
            threshold=settings.alarm_freeable_memory_mib * MIB,  # FreeableMemory is in bytes
            treat_missing_data="notBreaching",  # a silent instance pages through free storage
            description=(
                "The database is short of memory: it will swap and slow down. Check connections and "
                "work_mem, then consider a larger instance class."
            ),
        ),
    )
    if not metrics.is_burstable(settings.instance_class):
        return alarms
    return (
        *alarms,
        AlarmDefinition(
            key="db-cpu-credits-low",
            signal=metrics.RDS_CPU_CREDITS,
            comparison="LessThanThreshold",
            threshold=settings.alarm_cpu_credit_balance,
            treat_missing_data="notBreaching",  # published every 5 minutes; silence pages through free storage
            description=(
                "The burstable instance is running out of CPU credits: it will be held to its baseline "
                "(or, in unlimited mode, billed for surplus credits). Consider a non-burstable class."
            ),
        ),
    )
