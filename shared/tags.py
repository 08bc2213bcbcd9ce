"""The tags every taggable resource carries.

Tags are passed explicitly to each resource rather than through stack transforms or provider
`default_tags`: explicit tags show in previews and under the mock engine, so tests can prove
them.
"""

from __future__ import annotations

ENVIRONMENT_LABELS: dict[str, str] = {
    "prod": "production",
    "staging": "staging",
    "dev": "development",
}

REQUIRED_TAG_KEYS: tuple[str, ...] = ("Environment", "ManagedBy", "Project", "Layer")


def environment_label(env: str) -> str:
    """`production` for prod, `development` for dev; an ephemeral environment keeps its name."""
    return ENVIRONMENT_LABELS.get(env, env)


def standard_tags(*, env: str, project: str, layer: str) -> dict[str, str]:
    """The required tags for a resource of `layer` in `env`, in a stable key order."""
    return {
        "Environment": environment_label(env),
        "Layer": layer,
        "ManagedBy": "pulumi",
        "Project": project,
    }


def with_name(tags: dict[str, str], name: str) -> dict[str, str]:
    """Tags plus `Name`, for EC2 resources whose console name is the `Name` tag."""
    return {**tags, "Name": name}
