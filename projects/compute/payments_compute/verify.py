"""What `invoke verify` checks of the compute layer on the live platform (read-only)."""

from __future__ import annotations

from shared.lifecycle import CheckFailed, VerifyContext


def check_ecs_service(p: VerifyContext) -> str:
    """The service is active and runs its desired count, which is at least the floor (3 in prod)."""
    e = p.exports
    response = p.aws.client("ecs").describe_services(cluster=e["cluster_name"], services=[e["service_name"]])
    if not response["services"]:
        reasons = ", ".join(f.get("reason", "?") for f in response.get("failures", []))
        raise CheckFailed(
            f"service {e['service_name']} not found in cluster {e['cluster_name']} ({reasons or 'no answer'})"
        )
    service = response["services"][0]
    running, desired = service["runningCount"], service["desiredCount"]
    counts = f"running {running} of desired {desired} (minimum {p.expect.min_tasks})"
    seen = f"{e['service_name']}: {service['status']}, {counts}"
    if service["status"] != "ACTIVE" or running != desired or desired < p.expect.min_tasks:
        raise CheckFailed(seen)
    return seen


def check_task_definition(p: VerifyContext) -> str:
    """The task definition the service runs: 512 CPU units, 1024 MiB, awsvpc, Fargate."""
    e = p.exports
    service = p.aws.client("ecs").describe_services(cluster=e["cluster_name"], services=[e["service_name"]])["services"]
    arn = service[0]["taskDefinition"] if service else e["task_definition_arn"]
    td = p.aws.client("ecs").describe_task_definition(taskDefinition=arn)["taskDefinition"]
    compat = sorted(td.get("requiresCompatibilities", []))
    seen = (
        f"{arn.rsplit('/', 1)[-1]}: cpu {td.get('cpu')}, memory {td.get('memory')}, "
        f"{td.get('networkMode')}, {'/'.join(compat) or 'no compatibilities'}"
    )
    wrong = []
    if str(td.get("cpu")) != p.expect.cpu:
        wrong.append(f"cpu {p.expect.cpu}")
    if str(td.get("memory")) != p.expect.memory:
        wrong.append(f"memory {p.expect.memory}")
    if td.get("networkMode") != "awsvpc":
        wrong.append("network mode awsvpc")
    if "FARGATE" not in compat:
        wrong.append("FARGATE compatibility")
    if wrong:
        raise CheckFailed(f"{seen}; expected {', '.join(wrong)}")
    return seen


def check_log_group(p: VerifyContext) -> str:
    """The containers' log group keeps 7 days and is KMS-encrypted."""
    name = p.exports["log_group_name"]
    groups = p.aws.client("logs").describe_log_groups(logGroupNamePrefix=name)["logGroups"]
    group = next((g for g in groups if g["logGroupName"] == name), None)
    if group is None:
        raise CheckFailed(f"log group {name} not found")
    retention = group.get("retentionInDays")
    encryption = "KMS-encrypted" if group.get("kmsKeyId") else "no KMS key"
    seen = f"{name}: retention {retention or 'never expire'} days, {encryption}"
    if retention != p.expect.log_retention_days or not group.get("kmsKeyId"):
        raise CheckFailed(f"{seen}; expected retention {p.expect.log_retention_days} days with a KMS key")
    return seen
