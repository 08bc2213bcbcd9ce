"""`TaskRoles`: the task execution role (ECS agent) and the task role (the application), separately.

The execution role is what ECS uses to start a task: pull the image from one repository, create
log streams in one log group, read one secret (and decrypt it through Secrets Manager when the
secret has a customer key). The task role is the application's own identity and holds nothing
unless stack config grants named actions on named ARNs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws

from payments_compute.ecr_image import EcrImage
from payments_compute.settings import TaskRoleStatement
from shared.iam import policy_document, service_trust_policy
from shared.naming import Namer

ECR_PULL_ACTIONS: tuple[str, ...] = (
    "ecr:BatchCheckLayerAvailability",
    "ecr:BatchGetImage",
    "ecr:GetDownloadUrlForLayer",
)
LOG_WRITE_ACTIONS: tuple[str, ...] = ("logs:CreateLogStream", "logs:PutLogEvents")


def log_group_arn(*, partition: str, region: str, account_id: str, log_group_name: str) -> str:
    """The ARN of a log group (without the `:*` some APIs append)."""
    return f"arn:{partition}:logs:{region}:{account_id}:log-group:{log_group_name}"


def ecs_tasks_trust_policy(*, partition: str, region: str, account_id: str) -> str:
    """Only ECS tasks of this account, started in this region, may assume the role.

    `aws:SourceAccount` and `aws:SourceArn` stop the confused-deputy case where ECS acts for
    another account; ECS sets the source ARN to the task's ARN, hence the `:*` after the account.
    """
    return service_trust_policy(
        sid="EcsTasksOfThisAccount",
        service="ecs-tasks.amazonaws.com",
        account_id=account_id,
        source_arn=f"arn:{partition}:ecs:{region}:{account_id}:*",
    )


def execution_policy(
    *,
    repository_arn: str,
    log_group_arn: str,
    secret_arn: str,
    secret_kms_key_arn: str,
    region: str,
) -> str:
    """What the ECS agent needs to start the task, each on its one resource.

    `ecr:GetAuthorizationToken` is the only action here AWS does not scope to a resource, so it
    is the only statement with `"Resource": "*"`. The key statement exists only when the secret
    is encrypted with a customer key, and only through Secrets Manager in this region.
    """
    statements: list[dict[str, Any]] = [
        {
            "Sid": "AuthenticateToEcr",
            "Effect": "Allow",
            "Action": "ecr:GetAuthorizationToken",
            "Resource": "*",
        },
        {
            "Sid": "PullFromOneRepository",
            "Effect": "Allow",
            "Action": list(ECR_PULL_ACTIONS),
            "Resource": repository_arn,
        },
        {
            "Sid": "WriteToOneLogGroup",
            "Effect": "Allow",
            "Action": list(LOG_WRITE_ACTIONS),
            "Resource": [log_group_arn, f"{log_group_arn}:log-stream:*"],
        },
        {
            "Sid": "ReadOneDatabaseSecret",
            "Effect": "Allow",
            "Action": "secretsmanager:GetSecretValue",
            "Resource": secret_arn,
        },
    ]
    if secret_kms_key_arn:
        statements.append(
            {
                "Sid": "DecryptTheSecretThroughSecretsManager",
                "Effect": "Allow",
                "Action": "kms:Decrypt",
                "Resource": secret_kms_key_arn,
                "Condition": {"StringEquals": {"kms:ViaService": f"secretsmanager.{region}.amazonaws.com"}},
            }
        )
    return policy_document(*statements)


def task_role_policy(statements: Sequence[TaskRoleStatement]) -> str:
    """The application's granted permissions, exactly as configured (validated: no wildcards)."""
    return policy_document(
        *(
            {"Sid": s.sid, "Effect": "Allow", "Action": list(s.actions), "Resource": list(s.resources)}
            for s in statements
        )
    )


@dataclass(frozen=True)
class TaskRolesArgs:
    namer: Namer
    image: EcrImage
    log_group_name: pulumi.Input[str]
    db_secret_arn: pulumi.Input[str]
    db_secret_kms_key_arn: pulumi.Input[str]
    task_role_statements: tuple[TaskRoleStatement, ...]
    tags: dict[str, str]
    account_id: pulumi.Input[str]
    partition: pulumi.Input[str]
    region: str


class TaskRoles(pulumi.ComponentResource):
    """The execution role and the (separate, by default empty) task role of the service."""

    execution_role: aws.iam.Role
    execution_policy: aws.iam.RolePolicy
    task_role: aws.iam.Role

    def __init__(self, name: str, args: TaskRolesArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("payments:compute:TaskRoles", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        n, region = args.namer, args.region
        trust = pulumi.Output.all(args.partition, args.account_id).apply(
            lambda pa: ecs_tasks_trust_policy(partition=pa[0], region=region, account_id=pa[1])
        )

        self.execution_role = aws.iam.Role(
            n("role", "exec"),
            name=n("role", "exec"),
            description="ECS task execution: pull the image, write container logs, read the DB secret",
            assume_role_policy=trust,
            tags=args.tags,
            opts=child,
        )
        self.execution_policy = aws.iam.RolePolicy(
            n("policy", "exec"),
            name=n("policy", "exec"),
            role=self.execution_role.id,
            policy=pulumi.Output.all(
                args.partition, args.account_id, args.db_secret_arn, args.db_secret_kms_key_arn, args.log_group_name
            ).apply(
                lambda v: execution_policy(
                    repository_arn=args.image.repository_arn(v[0]),
                    log_group_arn=log_group_arn(partition=v[0], region=region, account_id=v[1], log_group_name=v[4]),
                    secret_arn=v[2],
                    secret_kms_key_arn=v[3] or "",
                    region=region,
                )
            ),
            opts=child,
        )
        self.task_role = aws.iam.Role(
            n("role", "task"),
            name=n("role", "task"),
            description="The payment API's own AWS identity: no permissions unless stack config grants them",
            assume_role_policy=trust,
            tags=args.tags,
            opts=child,
        )
        if args.task_role_statements:
            aws.iam.RolePolicy(
                n("policy", "task"),
                name=n("policy", "task"),
                role=self.task_role.id,
                policy=task_role_policy(args.task_role_statements),
                opts=child,
            )
        self.register_outputs({"execution_role_arn": self.execution_role.arn, "task_role_arn": self.task_role.arn})
