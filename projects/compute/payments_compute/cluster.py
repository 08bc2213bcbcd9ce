"""`EcsCluster`: the ECS cluster the payment API's Fargate tasks run in."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from shared.naming import Namer


@dataclass(frozen=True)
class EcsClusterArgs:
    namer: Namer
    tags: dict[str, str]


class EcsCluster(pulumi.ComponentResource):
    """A cluster with Container Insights on (per-task CPU, memory and network metrics)."""

    cluster: aws.ecs.Cluster

    def __init__(self, name: str, args: EcsClusterArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("payments:compute:EcsCluster", name, None, opts)
        n = args.namer
        self.cluster = aws.ecs.Cluster(
            n("ecs"),
            name=n("ecs"),
            settings=[aws.ecs.ClusterSettingArgs(name="containerInsights", value="enabled")],
            tags=args.tags,
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.register_outputs({"cluster_arn": self.cluster.arn})
