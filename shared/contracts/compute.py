"""What the compute layer exports (operations and integration tests)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import pulumi

from shared.contracts import Contract, output


@dataclass(frozen=True)
class ComputeContract(Contract):
    LAYER: ClassVar[str] = "compute"

    cluster_name: pulumi.Input[str] = output("Name of the ECS cluster.")
    cluster_arn: pulumi.Input[str] = output("ARN of the ECS cluster.")
    service_name: pulumi.Input[str] = output("Name of the ECS service.")
    task_definition_arn: pulumi.Input[str] = output("ARN of the current task definition revision.")
    log_group_name: pulumi.Input[str] = output("CloudWatch log group of the containers.")
    log_group_arn: pulumi.Input[str] = output("ARN of that log group.")
