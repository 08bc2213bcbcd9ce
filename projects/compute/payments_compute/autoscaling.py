"""`ServiceAutoscaling`: target tracking on the service's average CPU, between min and max tasks."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from shared.naming import Namer


@dataclass(frozen=True)
class ServiceAutoscalingArgs:
    namer: Namer
    cluster_name: pulumi.Input[str]
    service_name: pulumi.Input[str]
    min_capacity: int
    max_capacity: int
    cpu_target_percent: int
    scale_in_cooldown_seconds: int
    scale_out_cooldown_seconds: int
    tags: dict[str, str]


class ServiceAutoscaling(pulumi.ComponentResource):
    """A scalable target on the service's desired count and one CPU target-tracking policy.

    No `role_arn`: Application Auto Scaling uses its service-linked role for ECS, which AWS
    creates and scopes itself.
    """

    target: aws.appautoscaling.Target
    policy: aws.appautoscaling.Policy

    def __init__(self, name: str, args: ServiceAutoscalingArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("payments:compute:ServiceAutoscaling", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        n = args.namer
        self.target = aws.appautoscaling.Target(
            n("scaling", "api"),
            service_namespace="ecs",
            scalable_dimension="ecs:service:DesiredCount",
            resource_id=pulumi.Output.concat("service/", args.cluster_name, "/", args.service_name),
            min_capacity=args.min_capacity,
            max_capacity=args.max_capacity,
            tags=args.tags,
            opts=child,
        )
        self.policy = aws.appautoscaling.Policy(
            n("scaling", "api-cpu"),
            name=n("scaling", "api-cpu"),
            policy_type="TargetTrackingScaling",
            service_namespace=self.target.service_namespace,
            scalable_dimension=self.target.scalable_dimension,
            resource_id=self.target.resource_id,
            target_tracking_scaling_policy_configuration=aws.appautoscaling.PolicyTargetTrackingScalingPolicyConfigurationArgs(
                target_value=args.cpu_target_percent,
                scale_in_cooldown=args.scale_in_cooldown_seconds,
                scale_out_cooldown=args.scale_out_cooldown_seconds,
                predefined_metric_specification=aws.appautoscaling.PolicyTargetTrackingScalingPolicyConfigurationPredefinedMetricSpecificationArgs(
                    predefined_metric_type="ECSServiceAverageCPUUtilization",
                ),
            ),
            opts=child,
        )
        self.register_outputs({"resource_id": self.target.resource_id})
