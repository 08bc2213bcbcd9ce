"""The roles `invoke bootstrap` keeps in line: each layer's deploy role and the drift role, as documents.

A role's rights are its derived statements (`ops.roles.derive`) and its state backend statements
(`ops.roles.state`), packed into customer managed policies of at most 6,144 characters each (IAM's
quota for a managed policy, white space not counted; a role may have 10 attached: "IAM and AWS STS
quotas" in the IAM user guide). Deploy roles allow 7,200-second sessions: the deploy job's 120 minutes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from ops.plan.platform import PlatformPlan
from ops.roles.derive import AccountScope, Statement, deploy_statements, read_statements, upstream_projects
from ops.roles.names import (
    deploy_role_name,
    drift_role_name,
    github_environment,
    trust_policy,
)
from ops.roles.state import drift_state_statements, layer_state_statements
from shared.iam import POLICY_VERSION
from shared.layers import layer_names, lifecycle

MANAGED_POLICY_CHARS = 6144
MANAGED_POLICIES_PER_ROLE = 10
DEPLOY_SESSION_SECONDS = 7200  # deploy.yml's job runs up to 120 minutes
DRIFT_SESSION_SECONDS = 3600  # IAM's default: drift.yml's job runs up to 30 minutes


@dataclass(frozen=True)
class StateBackend:
    """Where the environment's stacks live: the bucket and the KMS key of `invoke bootstrap`."""

    bucket: str
    key_arn: str


@dataclass(frozen=True)
class RoleSpec:
    """One role as it must exist: its name, trust, session length, and its policies' documents."""

    name: str
    description: str
    trust: str
    max_session_seconds: int
    documents: tuple[str, ...]
    layer: str = ""  # the layer it deploys; empty for the drift role

    def statements(self) -> list[Statement]:
        """Every statement of its policies."""
        return [s for d in self.documents for s in json.loads(d)["Statement"]]


def _size(statement: Statement) -> int:
    return len(json.dumps(statement, separators=(",", ":")))


def pack(statements: list[Statement], limit: int = MANAGED_POLICY_CHARS) -> tuple[str, ...]:
    """Statements in documents of at most `limit` characters (compact JSON), in order."""
    envelope = len(json.dumps({"Version": POLICY_VERSION, "Statement": []}, separators=(",", ":")))
    documents: list[list[Statement]] = [[]]
    used = envelope
    for statement in statements:
        size = _size(statement) + 1
        if size + envelope > limit:
            raise ValueError(f"statement {statement.get('Sid')} alone is {size} characters, over IAM's {limit}")
        if used + size > limit and documents[-1]:
            documents.append([])
            used = envelope
        documents[-1].append(statement)
        used += size
    return tuple(
        json.dumps({"Version": POLICY_VERSION, "Statement": d}, sort_keys=True, separators=(",", ":"))
        for d in documents
        if d
    )


def layer_role(plan: PlatformPlan, layer: str, scope: AccountScope, backend: StateBackend, repository: str) -> RoleSpec:
    """The layer's deploy role in the environment: its plan's rights, its state, trusted by its team."""
    statements = deploy_statements(plan, layer, scope)
    statements += layer_state_statements(
        partition=scope.partition,
        bucket=backend.bucket,
        key_arn=backend.key_arn,
        project=layer,
        stack=scope.env,
        reads=upstream_projects(plan, layer),
    )
    owner = lifecycle(layer).owner
    documents = pack(statements)
    name = deploy_role_name(scope.service, layer, scope.env)
    if len(documents) > MANAGED_POLICIES_PER_ROLE:
        raise ValueError(f"{name} needs {len(documents)} policies, over IAM's {MANAGED_POLICIES_PER_ROLE} a role")
    return RoleSpec(
        name=name,
        description=f"Deploys {layer} of {scope.service} {scope.env} (owner {owner.team}); made by invoke bootstrap",
        trust=trust_policy(
            partition=scope.partition,
            account=scope.account,
            repository=repository,
            environment=github_environment(scope.env, layer),
            principals=owner.principals_in(scope.env, scope.account, scope.partition),
        ),
        max_session_seconds=DEPLOY_SESSION_SECONDS,
        documents=documents,
        layer=layer,
    )


def drift_role(plan: PlatformPlan, scope: AccountScope, backend: StateBackend, repository: str) -> RoleSpec:
    """The environment's read-only role for `invoke drift`: every layer's reads, its state, its lock."""
    layers = [lp.layer for lp in plan.layers if lp.layer in layer_names()]
    statements = read_statements(plan, layers, scope)
    statements += drift_state_statements(
        partition=scope.partition, bucket=backend.bucket, key_arn=backend.key_arn, projects=layers, stack=scope.env
    )
    return RoleSpec(
        name=drift_role_name(scope.service, scope.env),
        description=f"Reads {scope.service} {scope.env} for the drift check; made by invoke bootstrap",
        trust=trust_policy(
            partition=scope.partition,
            account=scope.account,
            repository=repository,
            environment=github_environment(scope.env, "drift"),
            principals=(),
        ),
        max_session_seconds=DRIFT_SESSION_SECONDS,
        documents=pack(statements),
    )


def environment_roles(
    plan: PlatformPlan, scope: AccountScope, backend: StateBackend, repository: str
) -> list[RoleSpec]:
    """Every role of the environment: one per layer, in graph order, then the drift role."""
    return [
        *(layer_role(plan, lp.layer, scope, backend, repository) for lp in plan.layers),
        drift_role(plan, scope, backend, repository),
    ]
