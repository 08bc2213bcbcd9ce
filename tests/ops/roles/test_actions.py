"""The one table of IAM rights against the Service Authorization Reference: real names, `*` only where needed."""

from __future__ import annotations

import pytest

from ops.roles.actions import CALLS, LOOKUPS, SOURCES, TABLE, Rights
from tests.ops.roles.sar import privilege, resource_types


def _scoped(rights: Rights) -> set[str]:
    return {*rights.create, *rights.change, *rights.read, *(a for actions, _, _ in rights.by_input for a in actions)}


def _unscoped(rights: Rights) -> set[str]:
    return {*rights.create_any, *rights.change_any, *rights.read_any}


ALL_ACTIONS = sorted(
    {a for r in TABLE.values() for a in _scoped(r) | _unscoped(r)}
    | {a for actions, _ in CALLS.values() for a in actions}
    | {a for grants in LOOKUPS.values() for actions, _ in grants for a in actions}
)


@pytest.mark.parametrize("action", ALL_ACTIONS)
def test_every_action_is_one_the_service_authorization_reference_lists(action):
    assert privilege(action) is not None, f"{action} is not in the Service Authorization Reference"


@pytest.mark.parametrize("token", sorted(TABLE))
def test_actions_on_star_are_only_those_with_no_resource_type(token):
    rights = TABLE[token]
    wrongly_star = {a for a in _unscoped(rights) if resource_types(a)}
    assert wrongly_star == set(), f"{token}: these can be scoped to a resource, so must not be on '*'"
    never_scopable = {a for a in _scoped(rights) if not resource_types(a)}
    assert never_scopable == set(), f"{token}: these have no resource type, so a scoped grant never applies"


def test_every_service_of_the_table_names_its_reference_page():
    services = {a.split(":")[0] for a in ALL_ACTIONS}
    assert services <= set(SOURCES)
    assert all(url.startswith("https://docs.aws.amazon.com/service-authorization/") for url in SOURCES.values())


@pytest.mark.parametrize("env", ["prod", "dev"])
def test_every_resource_type_and_data_source_the_plans_use_has_rights(platform_plan, env):
    plan = platform_plan(env)
    planned = {r.type for _, r in plan.all_resources()}
    assert planned - set(TABLE) == set()
    called = {token for lp in plan.layers for token, _ in lp.calls}
    assert called - set(CALLS) == set()


@pytest.mark.parametrize("token", sorted(LOOKUPS))
def test_a_lookup_takes_star_only_for_actions_with_no_resource_type(token):
    for actions, arns in LOOKUPS[token]:
        for action in actions:
            assert (arns == ("*",)) == (not resource_types(action)), f"{token}: {action} on {arns}"
