"""`FargateService`: the payment API's task definition and the ECS service behind the load balancer.

The container runs non-privileged, as a non-root user, with a read-only root filesystem (a task-scoped volume is the
one writable path, `/tmp`), logs through `awslogs` to the layer's log group, and gets the database
credentials as ECS `secrets`: ECS reads them from Secrets Manager when the task starts, so they
never appear in the task definition, the plan or `DescribeTasks`.

A deploy of this layer returns only when the rollout is over: the service waits for steady state,
and a rollout that ECS's circuit breaker rolled back, which is steady too, but on the old task
definition, fails the deploy (`confirm_rollout`).

A first deploy whose image never starts has nothing to roll back to: the circuit breaker marks the
deployment failed and ECS stops launching tasks ("A deployment in FAILED state doesn't launch any
new tasks", ECS API reference, Deployment.rolloutState; "The rollback method requires a previous
deployment in COMPLETED state", ECS Developer Guide, deployment failure detection). The service
then never reaches its desired count, and a waiter that only compares running with desired tasks
sits out its whole timeout: that was terraform-provider-aws's `wait_for_steady_state`
(hashicorp/terraform-provider-aws#19519, #20858, the first-deploy case in the former's comments).
The provider pulumi-aws 7 is built on instead follows a deployment it started through ECS's service
deployment API and stops waiting with the deployment's status reason as soon as ECS reports it
STOPPED or ROLLBACK_FAILED (`statusServiceWaitForStable`/`findDeploymentStatus` in
internal/service/ecs/service.go, introduced with `sigint_rollback`; see also #49077, #49243). That
path is taken only for the ECS deployment controller as DescribeServices reports it, so the
service names it explicitly (`DEPLOYMENT_CONTROLLER`). The deploying identity needs
`ecs:ListServiceDeployments` and `ecs:DescribeServiceDeployments` for that wait.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws

from shared.naming import Namer
from shared.ports import APP_PORT

TMP_VOLUME = "tmp"
TMP_PATH = "/tmp"
# The Fargate platform version the service runs on; LATEST follows AWS's current one.
PLATFORM_VERSION = "LATEST"
# Rolling deployments keep full capacity: start new tasks before stopping old ones.
DEPLOYMENT_MINIMUM_HEALTHY_PERCENT = 100
DEPLOYMENT_MAXIMUM_PERCENT = 200
# How long `pulumi up` waits for the service to become steady before it fails. A healthy rollout
# takes a few minutes (start, health checks, the target group's deregistration delay for the old
# tasks); a failing update takes at least three failed task launches (the circuit breaker's minimum
# threshold) and then the rollback's own rollout. A failing first deploy ends sooner, when ECS
# stops its deployment (module docstring). The provider's default is 20 minutes.
ROLLOUT_TIMEOUT = "30m"
# Rolling updates by ECS itself: the controller whose deployments the provider's wait follows and
# the circuit breaker stops (module docstring).
DEPLOYMENT_CONTROLLER = "ECS"


class RolloutRolledBack(pulumi.RunError):
    """The service is steady, but on the previous task definition: ECS rolled the deployment back."""


def confirm_rollout(*, requested: str, running: str, service: str, cluster: str) -> str:
    """Return `running` when it is the task definition this deploy registered; raise otherwise.

    After `wait_for_steady_state` the provider reads the service back: its task definition is the
    one its tasks run, which after a circuit-breaker rollback is the old one.
    """
    if running != requested:
        raise RolloutRolledBack(
            f"ECS rolled back the deployment of {service}: it runs {running}, not the new {requested}; "
            f"the reason is in `aws ecs describe-services --cluster {cluster} --services {service}"
            " --query 'services[0].deployments'` (rolloutStateReason) and in the stopped tasks' stoppedReason"
        )
    return running


@dataclass(frozen=True)
class DatabaseConnection:
    """Where and how the application reaches PostgreSQL (credentials are not here)."""

    address: str
    port: int
    name: str
    ssl_mode: str
    secret_arn: str


def container_definitions(
    *,
    container_name: str,
    image: str,
    readonly_root_filesystem: bool,
    run_as_user: str,
    log_group_name: str,
    log_stream_prefix: str,
    region: str,
    db: DatabaseConnection,
) -> str:
    """The task's one container as the JSON `RegisterTaskDefinition` takes.

    The username and password are `secrets` whose `valueFrom` names a JSON key of the secret
    (`<secret arn>:<json key>::`, current version); everything else is plain environment.
    """
    environment = {
        "DB_HOST": db.address,
        "DB_NAME": db.name,
        "DB_PORT": str(db.port),
        "DB_SSLMODE": db.ssl_mode,
        "PORT": str(APP_PORT),
    }
    secrets = {"DB_PASSWORD": "password", "DB_USERNAME": "username"}
    container: dict[str, Any] = {
        "name": container_name,
        "image": image,
        "essential": True,
        "portMappings": [{"containerPort": APP_PORT, "hostPort": APP_PORT, "protocol": "tcp", "name": "http"}],
        "environment": [{"name": k, "value": v} for k, v in sorted(environment.items())],
        "secrets": [{"name": k, "valueFrom": f"{db.secret_arn}:{key}::"} for k, key in sorted(secrets.items())],
        "logConfiguration": {
            "logDriver": "awslogs",
            "options": {
                "awslogs-group": log_group_name,
                "awslogs-region": region,
                "awslogs-stream-prefix": log_stream_prefix,
            },
        },
        "privileged": False,
        "user": run_as_user,  # `uid:gid`, never root (validated in settings)
        "readonlyRootFilesystem": readonly_root_filesystem,
        # A Node.js server on an unprivileged port needs no Linux capabilities; an init process
        # reaps zombies and forwards SIGTERM so deployments drain cleanly.
        "linuxParameters": {"capabilities": {"drop": ["ALL"]}, "initProcessEnabled": True},
        "mountPoints": [{"sourceVolume": TMP_VOLUME, "containerPath": TMP_PATH, "readOnly": False}],
    }
    return json.dumps([container], sort_keys=True)


@dataclass(frozen=True)
class FargateServiceArgs:
    namer: Namer
    cluster_arn: pulumi.Input[str]
    container_name: str
    image: str
    cpu: int
    memory: int
    cpu_architecture: str
    readonly_root_filesystem: bool
    run_as_user: str
    log_group_name: pulumi.Input[str]
    execution_role_arn: pulumi.Input[str]
    task_role_arn: pulumi.Input[str]
    db_address: pulumi.Input[str]
    db_port: pulumi.Input[int]
    db_name: pulumi.Input[str]
    db_ssl_mode: str
    db_secret_arn: pulumi.Input[str]
    desired_count: int
    health_check_grace_period_seconds: int
    private_subnet_ids: pulumi.Input[list[str]]
    app_security_group_id: pulumi.Input[str]
    target_group_arn: pulumi.Input[str]
    tags: dict[str, str]
    region: str
    depends_on: tuple[pulumi.Resource, ...] = ()


class FargateService(pulumi.ComponentResource):
    """Task definition + service: N tasks in the private subnets behind the edge target group."""

    task_definition: aws.ecs.TaskDefinition
    service: aws.ecs.Service

    def __init__(self, name: str, args: FargateServiceArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("payments:compute:FargateService", name, None, opts)
        n = args.namer
        self.task_definition = aws.ecs.TaskDefinition(
            n("task", "api"),
            family=n("task", "api"),
            cpu=str(args.cpu),
            memory=str(args.memory),
            network_mode="awsvpc",
            requires_compatibilities=["FARGATE"],
            runtime_platform=aws.ecs.TaskDefinitionRuntimePlatformArgs(
                operating_system_family="LINUX", cpu_architecture=args.cpu_architecture
            ),
            execution_role_arn=args.execution_role_arn,
            task_role_arn=args.task_role_arn,
            volumes=[aws.ecs.TaskDefinitionVolumeArgs(name=TMP_VOLUME)],
            container_definitions=pulumi.Output.all(
                args.db_address, args.db_port, args.db_name, args.db_secret_arn, args.log_group_name
            ).apply(
                lambda v: container_definitions(
                    container_name=args.container_name,
                    image=args.image,
                    readonly_root_filesystem=args.readonly_root_filesystem,
                    run_as_user=args.run_as_user,
                    log_group_name=v[4],
                    log_stream_prefix=args.container_name,
                    region=args.region,
                    db=DatabaseConnection(
                        address=v[0], port=int(v[1]), name=v[2], ssl_mode=args.db_ssl_mode, secret_arn=v[3]
                    ),
                )
            ),
            tags=args.tags,
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.service = aws.ecs.Service(
            n("ecs", "api"),
            name=n("ecs", "api"),
            cluster=args.cluster_arn,
            task_definition=self.task_definition.arn,
            desired_count=args.desired_count,
            launch_type="FARGATE",
            platform_version=PLATFORM_VERSION,
            network_configuration=aws.ecs.ServiceNetworkConfigurationArgs(
                subnets=args.private_subnet_ids,
                security_groups=[args.app_security_group_id],
                assign_public_ip=False,
            ),
            load_balancers=[
                aws.ecs.ServiceLoadBalancerArgs(
                    target_group_arn=args.target_group_arn,
                    container_name=args.container_name,
                    container_port=APP_PORT,
                )
            ],
            health_check_grace_period_seconds=args.health_check_grace_period_seconds,
            deployment_controller=aws.ecs.ServiceDeploymentControllerArgs(type=DEPLOYMENT_CONTROLLER),
            deployment_circuit_breaker=aws.ecs.ServiceDeploymentCircuitBreakerArgs(enable=True, rollback=True),
            deployment_minimum_healthy_percent=DEPLOYMENT_MINIMUM_HEALTHY_PERCENT,
            deployment_maximum_percent=DEPLOYMENT_MAXIMUM_PERCENT,
            # `up` returns when the rollout is over, fails as soon as ECS stops a failed deployment
            # (or after ROLLOUT_TIMEOUT), not when ECS has merely accepted it; see confirm_rollout
            # for the rolled-back case.
            wait_for_steady_state=True,
            propagate_tags="SERVICE",
            enable_ecs_managed_tags=True,
            enable_execute_command=False,  # no shell into payment tasks; the execution role has no SSM
            tags=args.tags,
            opts=pulumi.ResourceOptions(
                parent=self,
                depends_on=list(args.depends_on),
                # `desiredCount` sets the first deployment only. Afterwards Application Auto
                # Scaling owns it: without this, every `pulumi up` would reset a scaled-out
                # service back to the configured count in the middle of a load peak.
                ignore_changes=["desiredCount"],
                custom_timeouts=pulumi.CustomTimeouts(create=ROLLOUT_TIMEOUT, update=ROLLOUT_TIMEOUT),
            ),
        )
        running = pulumi.Output.all(
            self.task_definition.arn, self.service.task_definition, self.service.name, args.cluster_arn
        ).apply(lambda v: confirm_rollout(requested=v[0], running=v[1], service=v[2], cluster=v[3]))
        # Registered as an output so the engine awaits the check: a rollback fails the update.
        self.register_outputs(
            {
                "service_name": self.service.name,
                "task_definition_arn": self.task_definition.arn,
                "running_task_definition_arn": running,
            }
        )
