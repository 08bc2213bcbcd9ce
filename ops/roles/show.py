"""`invoke plan --policy`: a layer's deploy role as bootstrap would make it, from the offline plan, as JSON."""

from __future__ import annotations

import json
from typing import Any

from ops.environment.environment import Environment
from ops.plan.mock_engine import OfflineCloud
from ops.plan.platform import PlatformPlan
from ops.roles.derive import AccountScope
from ops.roles.roles import StateBackend, layer_role


def offline_scope(environment: Environment, plan_cloud: OfflineCloud | None = None) -> AccountScope:
    """The environment's account as far as the repository knows it: its first allowed account id, else the
    offline plan's stand-in account."""
    from ops.environment.account import AccountConfigError, environment_account

    cloud = plan_cloud or OfflineCloud()
    try:
        account = environment_account(environment)
        account_id = account.allowed_account_ids[0] if account.allowed_account_ids else cloud.account_id
        return AccountScope(environment.name, account.service, account_id, account.region, environment=environment)
    except AccountConfigError:
        return AccountScope(
            environment.name, environment.service, cloud.account_id, cloud.region, environment=environment
        )


def layer_policy(plan: PlatformPlan, layer: str, environment: Environment, repository: str) -> dict[str, Any]:
    """The layer's deploy role: name, trust, and every statement its policies hold."""
    scope = offline_scope(environment)
    bucket = f"pulumi-state-{scope.service}-{scope.env}-{scope.account}"
    alias = f"alias/pulumi-{scope.service}-{scope.env}"
    key = f"arn:{scope.partition}:kms:{scope.region}:{scope.account}:key/<the key of {alias}>"
    role = layer_role(plan, layer, scope, StateBackend(bucket, key), repository)
    return {
        "role": role.name,
        "account": scope.account,
        "trust": json.loads(role.trust),
        "policies": [json.loads(d) for d in role.documents],
    }
