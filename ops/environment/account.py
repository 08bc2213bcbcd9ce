"""Where an environment is deployed: its service name, region, the accounts it may use and the role to assume.

Every layer's stack config carries these (`service`, `aws:region`, `allowedAccountIds`,
`assumeRoleArn`, the settings every layer has), and an environment lives in one account and one
region, so the layers must agree. `agreed_account` is that rule over settings already parsed
(preflight); `environment_account` reads just these keys from every layer, for the tools
that need no layer's full settings (`invoke bootstrap`, `invoke dns`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ops.environment.environment import REGION_KEY, Environment
from shared.settings import ConfigError, StackSettings, parse_settings

# The settings that say where an environment lives, as `StackSettings` names them.
ACCOUNT_FIELDS: tuple[str, ...] = ("service", "region", "allowed_account_ids", "assume_role_arn")


class AccountConfigError(ValueError):
    """The stack config does not say one account and region; one line per problem."""


@dataclass(frozen=True)
class EnvironmentAccount:
    """The account facts of one environment, the same in every layer."""

    env: str
    service: str
    region: str
    allowed_account_ids: tuple[str, ...] = ()
    assume_role_arn: str = ""


def _key(layer: str, field: str) -> str:
    if field == "region":
        return f"{REGION_KEY} of {layer}"
    return f"{layer}:{StackSettings.model_fields[field].alias or field}"


def _show(value: Any) -> str:
    return json.dumps(list(value)) if isinstance(value, tuple) else repr(value)


def agreed_account(env: str, settings: Mapping[str, StackSettings]) -> EnvironmentAccount:
    """The account facts every layer's `settings` state alike, or `AccountConfigError` naming each key that differs."""
    if not settings:
        raise AccountConfigError(f"no layer of {env} has stack config to read its account and region from")
    problems = []
    for field in ACCOUNT_FIELDS:
        values = {layer: getattr(s, field) for layer, s in settings.items()}
        if len(set(values.values())) > 1:
            given = ", ".join(f"{_key(layer, field)} = {_show(v)}" for layer, v in values.items())
            problems.append(
                f"{given}: expected the same value in every layer of {env} (an environment lives in one account "
                "and region)"
            )
    if problems:
        raise AccountConfigError("\n".join(problems))
    first = next(iter(settings.values()))
    return EnvironmentAccount(env, first.service, first.region, first.allowed_account_ids, first.assume_role_arn)


def environment_account(environment: Environment) -> EnvironmentAccount:
    """The account facts of the loaded `environment`, from every layer, checked as its program would check them.

    Only these keys are read, so a mistake elsewhere in a layer's config does not stand in the way.
    Raises `AccountConfigError`: each bad or missing value, or each key the layers disagree on.
    """
    env = environment.name
    parsed: dict[str, StackSettings] = {}
    problems: list[str] = []
    for layer in environment.layers:
        try:
            values = environment.values(layer)
            wanted = {REGION_KEY, *(f"{layer}:{key}" for key in StackSettings.config_keys())}
            own = {k: v for k, v in values.items() if k in wanted}
            parsed[layer] = parse_settings(StackSettings, own, namespace=layer, env=env)
        except ConfigError as e:
            problems += [f"config of {layer}/{env}: {line}" for line in str(e).splitlines()]
    if problems:
        raise AccountConfigError("\n".join(problems))
    return agreed_account(env, parsed)
