"""What the tooling needs to know about the compute layer beyond its place in the graph."""

from __future__ import annotations

from payments_compute.preflight import check_image_of, check_tmp_volume_of, image_grants, tmp_volume_grants
from payments_compute.settings import ComputeSettings
from payments_compute.verify import check_ecs_service, check_log_group, check_task_definition
from payments_data.lifecycle import DB_SECRET_CHECK
from shared.contracts.compute import ComputeContract
from shared.lifecycle import LayerLifecycle, PreflightCheck, VerifyCheck
from shared.ownership import Ownership

LIFECYCLE = LayerLifecycle(
    contract=ComputeContract,
    settings=ComputeSettings,
    # prod is deployed by its GitHub environment only; in dev the team's engineers may assume the role too.
    owner=Ownership(team="@payments/api", principals={"dev": ("role/payments-api-engineers",)}),
    # The tasks read the database secret, so a compute deploy needs it as much as data's does.
    preflight=(
        PreflightCheck("image", check_image_of, grants=image_grants),
        PreflightCheck("image-tmp-volume", check_tmp_volume_of, when="deploy-only", grants=tmp_volume_grants),
        DB_SECRET_CHECK,
    ),
    verify=(
        VerifyCheck(
            "ecs-service",
            "ECS service runs its desired count",
            check_ecs_service,
            needs=("cluster_name", "service_name"),
        ),
        VerifyCheck(
            "task-definition",
            "task definition 512 CPU / 1024 MiB / awsvpc / Fargate",
            check_task_definition,
            needs=("cluster_name", "service_name", "task_definition_arn"),
        ),
        VerifyCheck(
            "log-group", "container logs kept 7 days, KMS-encrypted", check_log_group, needs=("log_group_name",)
        ),
    ),
    diagram_colors=("#e4f4e4", "#2e7d32"),
)
