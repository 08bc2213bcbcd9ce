"""The compute layer's alarms: what the ECS service tells a payments on-call.

One entry per alarm; the signals come from `shared.metrics`, the thresholds from stack config.
The running-task floor is the autoscaling minimum itself: fewer tasks than that means ECS cannot
keep the capacity the service was sized for (tasks crash, images fail to pull, AZ trouble).
Container Insights stops reporting a service that runs nothing, so silence counts as breaching
there; CPU and memory are only reported while tasks run, so their silence is left to that alarm.
"""

from __future__ import annotations

from payments_compute.settings import ComputeSettings
from shared import metrics
from shared.alarms import AlarmDefinition


def compute_alarms(settings: ComputeSettings) -> tuple[AlarmDefinition, ...]:
    """The service's alarms with this stack's thresholds."""
    return (
        AlarmDefinition(
            key="running-tasks-low",
            signal=metrics.ECS_RUNNING_TASKS,
            comparison="LessThanThreshold",
            threshold=settings.min_capacity,
            treat_missing_data="breaching",  # no data: the service runs nothing (or reports nothing)
            description=(
                f"Fewer payment API tasks run than the autoscaling minimum ({settings.min_capacity}): "
                "check the service's events (image pull, secrets, health checks) and stopped tasks' reasons."
            ),
        ),
        AlarmDefinition(
            key="service-cpu-high",
            signal=metrics.ECS_CPU,
            comparison="GreaterThanThreshold",
            threshold=settings.alarm_cpu_percent,
            treat_missing_data="notBreaching",  # no tasks, no CPU: the running-task alarm pages
            description=(
                "The service's CPU stays high although autoscaling targets "
                f"{settings.cpu_target_percent}%: it may be at maxCapacity ({settings.max_capacity}). "
                "Raise maxCapacity or the task size."
            ),
        ),
        AlarmDefinition(
            key="service-memory-high",
            signal=metrics.ECS_MEMORY,
            comparison="GreaterThanThreshold",
            threshold=settings.alarm_memory_percent,
            treat_missing_data="notBreaching",  # no tasks, no memory: the running-task alarm pages
            description=(
                "The service's memory is nearly exhausted: tasks will be killed out of memory. "
                "Check for a leak, or raise the task's memory."
            ),
        ),
    )
