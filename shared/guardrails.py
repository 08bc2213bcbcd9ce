"""The platform's fixed requirements that a stack's config could break: one definition each.

The settings refuse a config that breaks one (naming the key) and the policy pack enforces the same
value on the planned resources (naming the resource), so the two can never disagree: a value the
settings accept passes the pack, and the pack stays the second line of defence for anything built
outside the settings. Rules that only hold in protected environments ask
`shared.environments.is_protected`.
"""

from __future__ import annotations

# Every log group keeps its events exactly this many days (flow logs, database logs, container logs):
# long enough to investigate an incident, short enough that CloudWatch is not the audit archive.
LOG_RETENTION_DAYS = 7

# The payment API's Fargate task size, CPU units and MiB; capacity grows by task count, not task size.
TASK_CPU = 512
TASK_MEMORY_MIB = 1024

# Policy rule ids, so a settings message can say which rule a refused value would have broken.
RULE_LOG_RETENTION = "log-retention"
RULE_TASK_SIZE = "ecs-task-size"
RULE_RDS = "rds-highly-available-private"
RULE_ALB_PROTECTION = "alb-deletion-protected"
