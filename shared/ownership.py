"""Who owns what: each layer's team and the people who may deploy it besides CI.

A layer declares its `Ownership` in its `LIFECYCLE`; the platform team owns everything else
(`shared/`, `ops/`, `policy/`, the workflows). `invoke docs` writes `.github/CODEOWNERS` from these,
`invoke bootstrap` trusts each layer's deploy role for the layer's GitHub environment and its
principals, and preflight names the owning team when someone else's credentials try to deploy it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

# The team that owns the generic tooling and everything no layer owns.
PLATFORM_TEAM = "@payments/platform"
# What only the platform team changes: the code every layer runs with, the tooling, the policy
# pack, the pipelines that hold the deploy roles, and the ownership file itself.
PLATFORM_PATHS: tuple[str, ...] = ("/shared/", "/ops/", "/policy/", "/.github/", "/tasks.py", "/pyproject.toml")

# A GitHub team (`@org/team`) or user (`@user`), as CODEOWNERS names owners.
_GITHUB_OWNER = re.compile(r"@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:/[A-Za-z0-9._-]+)?")
# A principal that may assume a deploy role: an IAM role or user ARN, or `role/<path/name>` /
# `user/<name>` in the environment's own account (filled in by `invoke bootstrap`).
_PRINCIPAL = re.compile(r"(?:arn:aws(?:-cn|-us-gov)?:iam::\d{12}:)?(?:role|user)/(?:[\w+=,.@-]+/)*[\w+=,.@-]{1,64}")


class OwnershipError(ValueError):
    """An ownership declaration that cannot be used; the message names the value and what is expected."""


@dataclass(frozen=True)
class Ownership:
    """A layer's owning team and, per environment, who besides its CI job may assume its deploy role."""

    # The owning GitHub team, e.g. `@payments/network`: CODEOWNERS and refusals name it.
    team: str
    # Environment -> IAM principals trusted to assume the layer's deploy role there (an empty or
    # missing entry: only the layer's GitHub environment, through OIDC).
    principals: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not _GITHUB_OWNER.fullmatch(self.team):
            raise OwnershipError(f"team {self.team!r} is invalid: expected a GitHub team such as @org/team")
        for env, names in self.principals.items():
            for name in names:
                if not _PRINCIPAL.fullmatch(name):
                    raise OwnershipError(
                        f"principal {name!r} of {env} is invalid: expected an IAM role or user ARN, "
                        "or role/<name> in the environment's account"
                    )

    def principals_in(self, env: str, account_id: str, partition: str = "aws") -> tuple[str, ...]:
        """The environment's principals as ARNs, `role/<name>` placed in `account_id`."""
        return tuple(
            name if name.startswith("arn:") else f"arn:{partition}:iam::{account_id}:{name}"
            for name in self.principals.get(env, ())
        )
