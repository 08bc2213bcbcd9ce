"""The one place CrossGuard's view of a resource becomes the rules' view.

`pulumi_policy` hands a Python pack `args.props` as the engine's property map: for pulumi-aws
resources the keys are the engine's (camelCase) names, not the Python SDK's snake_case; values
unknown during preview are sentinel strings behind a proxy that raises on access. This module:

- unwraps the proxy without tripping it;
- keys every object by camelCase (a snake_case key, should a provider send one, is converted;
  the keys of `tags` maps are user data and kept as they are);
- drops engine bookkeeping such as `__defaults`;
- replaces each unknown with the mock engine's marker `(known after apply: <resource>.<path>)`,
  naming the resource the value comes from when the engine says so (a stack validation's
  property dependencies), so rules treat unknowns identically offline and in the pack.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from pulumi_policy.proxy import _DictProxy, _ListProxy
from pulumi_policy.proxy import _is_unknown as _is_engine_unknown
from pulumi_policy.secret import Secret

from payments_policy.model import PolicyInput, unknown

USER_KEYED = frozenset({"tags", "tagsAll"})
_SNAKE = re.compile(r"_([a-z0-9])")


def camel(key: str) -> str:
    """`kms_key_id` -> `kmsKeyId`; camelCase keys come back unchanged."""
    return _SNAKE.sub(lambda m: m.group(1).upper(), key) if "_" in key.strip("_") else key


def _raw(value: Any) -> Any:
    """The target of a pulumi_policy proxy (reading through `__target` never raises)."""
    if isinstance(value, (_DictProxy, _ListProxy)):
        return value["__target"]
    return value


def _plain(value: Any, owner: str, path: str, *, user_keys: bool = False) -> Any:
    value = _raw(value)
    if isinstance(value, Secret):
        value = _raw(value.value)
    if _is_engine_unknown(value):
        return unknown(owner, path)
    if isinstance(value, Mapping):
        out = {}
        for key in value:
            if key.startswith("__"):
                continue
            name = key if user_keys else camel(key)
            out[name] = _plain(
                value[key], owner, f"{path}.{name}" if path else name, user_keys=not user_keys and name in USER_KEYED
            )
        return out
    if isinstance(value, (list, tuple)):
        return [_plain(v, owner, f"{path}[{i}]") for i, v in enumerate(value)]
    return value


def normalize_props(
    props: Mapping[str, Any], name: str, references: Mapping[str, Sequence[str]] | None = None
) -> dict[str, Any]:
    """`args.props` as the rules read them (see the module docstring).

    `references` maps a top-level property to the logical names of the resources it was
    computed from (CrossGuard's property dependencies). An id or ARN computed from exactly one
    resource becomes `(known after apply: <that resource>.id)`, the form the mock engine gives
    it, so a rule can tell which resource it points at, in preview (unknown) and update alike.
    """
    out: dict[str, Any] = _plain(props, name, "")
    for key, deps in (references or {}).items():
        prop = camel(key)
        value = out.get(prop)
        if len(deps) != 1:
            continue
        if isinstance(value, (dict, list)):
            # An object computed from one resource (a load balancer's `accessLogs` from its bucket):
            # each value still unknown inside it comes from that resource.
            out[prop] = _from(value, name, deps[0])
        elif isinstance(value, str) and (value == unknown(name, prop) or prop.endswith(("Id", "Arn"))):
            out[prop] = unknown(deps[0], "id")
    return out


def _from(value: Any, owner: str, source: str) -> Any:
    """`value` with every unknown of `owner` re-marked as coming from `source` (its last path segment kept)."""
    if isinstance(value, dict):
        return {k: _from(v, owner, source) for k, v in value.items()}
    if isinstance(value, list):
        return [_from(v, owner, source) for v in value]
    if isinstance(value, str) and value.startswith(unknown(owner, "")[:-1]):
        leaf = value[len(unknown(owner, "")) - 1 : -1].rsplit(".", 1)[-1]
        return unknown(source, re.sub(r"\[\d+\]$", "", leaf))
    return value


def policy_input(
    resource_type: str, name: str, props: Mapping[str, Any], references: Mapping[str, Sequence[str]] | None = None
) -> PolicyInput:
    """A `PolicyInput` from what CrossGuard passes (type, logical name, engine props)."""
    return PolicyInput(resource_type, name, normalize_props(props, name, references))


def stack_of(urn: str) -> str:
    """The stack name in a URN `urn:pulumi:<stack>::<project>::<type>::<name>`."""
    return urn.split("::", 1)[0].rsplit(":", 1)[-1]
