"""Names and trust of the deploy roles: one per layer and environment, one read-only role for drift.

A layer's CI job runs in the GitHub environment `<env>-<layer>` (e.g. `prod-network`), whose OIDC
token's subject is `repo:<owner>/<repo>:environment:<env>-<layer>`; the role trusts exactly that
subject with the audience `sts.amazonaws.com` (GitHub's "Configuring OpenID Connect in Amazon Web
Services" and IAM's "Create a role for OpenID Connect federation"), and the principals the layer's
`Ownership` names for the environment.
"""

from __future__ import annotations

import re
from typing import Any

from shared.iam import policy_document

GITHUB_OIDC_HOST = "token.actions.githubusercontent.com"
GITHUB_OIDC_AUDIENCE = "sts.amazonaws.com"
# GitHub's `owner/repo`: owners are letters, digits and hyphens; names add dots and underscores.
REPOSITORY = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})/[A-Za-z0-9._-]{1,100}")
DRIFT = "drift"


def github_environment(env: str, layer: str) -> str:
    """The GitHub environment a layer's deploy job runs in, e.g. `prod-network`."""
    return f"{env}-{layer}"


def deploy_role_name(service: str, layer: str, env: str) -> str:
    """The layer's deploy role in the environment, e.g. `payments-network-deploy-prod` (IAM allows 64)."""
    return f"{service}-{layer}-deploy-{env}"


def drift_role_name(service: str, env: str) -> str:
    """The read-only role of the drift check, e.g. `payments-drift-prod`."""
    return f"{service}-{DRIFT}-{env}"


def role_arn(partition: str, account: str, name: str) -> str:
    """The ARN of role `name` in `account`."""
    return f"arn:{partition}:iam::{account}:role/{name}"


def oidc_provider_arn(partition: str, account: str) -> str:
    """The account's GitHub OIDC identity provider."""
    return f"arn:{partition}:iam::{account}:oidc-provider/{GITHUB_OIDC_HOST}"


def trust_policy(
    *, partition: str, account: str, repository: str, environment: str, principals: tuple[str, ...]
) -> str:
    """Who may assume a role: GitHub Actions jobs of `repository` in `environment`, and `principals`."""
    statements: list[dict[str, Any]] = [
        {
            "Sid": "GitHubEnvironment",
            "Effect": "Allow",
            "Principal": {"Federated": oidc_provider_arn(partition, account)},
            "Action": "sts:AssumeRoleWithWebIdentity",
            "Condition": {
                "StringEquals": {
                    f"{GITHUB_OIDC_HOST}:aud": GITHUB_OIDC_AUDIENCE,
                    f"{GITHUB_OIDC_HOST}:sub": f"repo:{repository}:environment:{environment}",
                }
            },
        }
    ]
    if principals:
        statements.append(
            {
                "Sid": "OwningTeam",
                "Effect": "Allow",
                "Principal": {"AWS": sorted(principals) if len(principals) > 1 else principals[0]},
                "Action": "sts:AssumeRole",
            }
        )
    return policy_document(*statements)
