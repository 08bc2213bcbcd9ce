"""Ephemeral environments: a copy of an environment's stack files under a new name, and their removal.

A CI job copies dev's config (`invoke deploy-all --env pr42 --from dev --set ...`), deploys, verifies and
tears down; a marker file outside the stack files says the environment is ephemeral, so teardown may
remove its stacks and files and never anything else's.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import yaml

from ops.environment.stack_files import (
    PROJECTS_DIR,
    StackConfigError,
    as_config_string,
    project_dir,
    project_file,
)
from shared.environments import PROTECTED_ENVS
from shared.layers import layer_names, lifecycle
from shared.naming import ENV_PATTERN
from shared.settings import ConfigError, parse_settings

EPHEMERAL_MARKER = "# Ephemeral environment:"


EPHEMERAL_DIR = ".ephemeral"  # under projects/: one marker file per ephemeral environment


class EphemeralEnvError(ValueError):
    """An ephemeral environment cannot be created or removed as asked."""


def _stack_file(layer: str, env: str, projects_dir: Path) -> Path:
    return project_dir(layer, projects_dir) / f"Pulumi.{env}.yaml"


def _marker(env: str, projects_dir: Path) -> Path:
    # Kept outside the stack files: Pulumi rewrites those (encryption salt, config set) and may drop comments.
    return projects_dir / EPHEMERAL_DIR / f"{env}.yaml"


def _config_of(path: Path) -> dict[str, Any]:
    return dict((yaml.safe_load(path.read_text()) or {}).get("config") or {})


def is_ephemeral(env: str, projects_dir: Path = PROJECTS_DIR) -> bool:
    """Whether `env` was created by `create_ephemeral` (so teardown may remove its stacks and files)."""
    return _marker(env, projects_dir).is_file()


# The only `aws:` key the programs read (as `StackSettings.region`); other provider keys stay out of --set.
_AWS_KEYS: tuple[str, ...] = ("region",)


_OVERRIDE = re.compile(r"^(?P<ns>[A-Za-z0-9_-]+):(?P<key>[A-Za-z][A-Za-z0-9_]*)=(?P<value>.*)$", re.DOTALL)


def parse_overrides(items: Iterable[str]) -> dict[str, Any]:
    """`["edge:domainName=pr42.ci.example.com", ...]` -> `{"edge:domainName": "pr42.ci.example.com"}`.

    Values are YAML as in a stack file (`true` is a boolean, `[a, b]` or `["a","b"]` a list, `5`
    an integer); an empty value is the empty string. The same key given twice must agree.
    """
    parsed: dict[str, Any] = {}
    for item in items:
        m = _OVERRIDE.match(item)
        if not m:
            raise EphemeralEnvError(
                f"--set {item!r} is malformed: expected LAYER:KEY=VALUE, e.g. edge:domainName=pr42.ci.example.com"
            )
        try:
            value = yaml.safe_load(m["value"]) if m["value"].strip() else ""
        except yaml.YAMLError:
            raise EphemeralEnvError(f"--set {item!r}: the value is not valid YAML") from None
        full = f"{m['ns']}:{m['key']}"
        if full in parsed and parsed[full] != value:
            raise EphemeralEnvError(f"--set {full} is given twice with different values: give it once")
        parsed[full] = value
    return parsed


def _declared(layer: str, projects_dir: Path) -> dict[str, Any]:
    """The `config` declarations of the layer's `Pulumi.yaml`."""
    try:
        return dict(project_file(layer, projects_dir).get("config") or {})
    except StackConfigError as e:
        raise EphemeralEnvError(str(e)) from None


def _check_override_keys(overrides: Mapping[str, Any], projects_dir: Path) -> None:
    """Every override names a layer (or `aws`) and a key that layer's `Pulumi.yaml` declares."""
    for full in overrides:
        ns, _, key = full.partition(":")
        if ns == "aws":
            known: tuple[str, ...] = _AWS_KEYS
        elif ns in layer_names():
            known = tuple(_declared(ns, projects_dir))
        else:
            raise EphemeralEnvError(
                f"--set {full}: {ns!r} is not a layer: expected one of {', '.join([*layer_names(), 'aws'])}"
            )
        if key not in known:
            hint = difflib.get_close_matches(key, known, n=1)
            raise EphemeralEnvError(
                f"--set {full}: {ns} has no setting {key!r}"
                + (f" (did you mean {ns}:{hint[0]}?)" if hint else f"; known: {', '.join(known) or 'none'}")
            )


def _layer_overrides(layer: str, overrides: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in overrides.items() if k.partition(":")[0] in (layer, "aws")}


def _merged_values(layer: str, config: Mapping[str, Any], projects_dir: Path) -> dict[str, str]:
    """What the CLI would hand the program: project defaults, then the stack's config, as strings."""
    values = {
        f"{layer}:{key}": as_config_string(decl["default"])
        for key, decl in _declared(layer, projects_dir).items()
        if isinstance(decl, dict) and "default" in decl
    }
    values.update({(k if ":" in k else f"{layer}:{k}"): as_config_string(v) for k, v in config.items()})
    return values


def _validate(layer: str, env: str, config: Mapping[str, Any], projects_dir: Path) -> None:
    """The layer's settings model accepts the new stack's config, or one line per bad key."""
    try:
        parse_settings(lifecycle(layer).settings, _merged_values(layer, config, projects_dir), namespace=layer, env=env)
    except ConfigError as e:
        raise EphemeralEnvError(f"cannot create {env!r}: " + "; ".join(str(e).splitlines())) from None


def create_ephemeral(
    env: str, source: str, projects_dir: Path = PROJECTS_DIR, *, overrides: Mapping[str, Any] | None = None
) -> list[Path]:
    """Write `Pulumi.<env>.yaml` in every layer with `source`'s settings; return the files.

    Only the `config` map is copied: encryption salts and keys belong to the source stack, and
    secret values cannot move with them, so a source with secret config is refused; keys a layer
    declares `not_copied` (the source's own zone, say) stay behind. `overrides`
    (`{"<layer|aws>:<key>": value}`, see `parse_overrides`) are applied on top; each must be a
    key the layer declares, and every layer they touch must pass its settings model, all before
    any file is written. Unless the source has no domain, `edge:domainName` must be overridden:
    a copy of it would make a second zone and certificate for the source's domain. Running it
    again with the same source and overrides keeps the files (and what Pulumi added to them), so
    a CI job can retry.
    """
    if not ENV_PATTERN.match(env):
        raise EphemeralEnvError(
            f"environment name {env!r} is invalid: expected 2-10 lowercase letters or digits starting with a letter"
        )
    if env in PROTECTED_ENVS:
        raise EphemeralEnvError(f"{env!r} cannot be an ephemeral environment: choose another name, e.g. pr42")
    overrides = dict(overrides or {})
    _check_override_keys(overrides, projects_dir)
    ours = is_ephemeral(env, projects_dir)
    plans: list[tuple[Path, dict[str, Any]]] = []
    for layer in layer_names():
        src = _stack_file(layer, source, projects_dir)
        if not src.is_file():
            raise EphemeralEnvError(f"cannot copy {source!r}: projects/{layer} has no Pulumi.{source}.yaml")
        config = _config_of(src)
        for key in lifecycle(layer).not_copied:
            config.pop(key, None)
            config.pop(f"{layer}:{key}", None)
        secret = sorted(k for k, v in config.items() if isinstance(v, dict) and "secure" in v)
        if secret:
            raise EphemeralEnvError(
                f"cannot copy {source!r}: projects/{layer} holds secret config ({', '.join(secret)}) "
                f"that only {source}'s stack can decrypt; set it on the new stack with `pulumi config set --secret`"
            )
        hook = lifecycle(layer).ephemeral
        problem = hook and hook(
            env,
            source,
            _merged_values(layer, config, projects_dir),
            {k: as_config_string(v) for k, v in overrides.items()},
        )
        if problem:
            raise EphemeralEnvError(problem)
        mine = _layer_overrides(layer, overrides)
        for full, value in mine.items():
            config.pop(full.partition(":")[2], None)  # a bare key in the source file is the same setting
            config[full] = value
        if mine:
            _validate(layer, env, config, projects_dir)
        dst = _stack_file(layer, env, projects_dir)
        if dst.is_file() and not (ours and _config_of(dst) == config):
            raise EphemeralEnvError(
                f"environment {env!r} already exists (projects/{layer}/Pulumi.{env}.yaml)"
                + (" with other settings" if ours else "")
                + ": choose a new name, or deploy it without --from"
            )
        plans.append((dst, config))
    sets = "".join(f" --set {k}={as_config_string(v)}" for k, v in sorted(overrides.items()))
    for dst, config in plans:
        if not dst.is_file():
            dst.write_text(
                f"{EPHEMERAL_MARKER} copied from {source} by `invoke deploy-all --env {env} --from {source}{sets}`;\n"
                f"# `invoke destroy-all --env {env}` destroys its stacks and deletes this file.\n"
                + yaml.safe_dump({"config": config}, sort_keys=True, default_flow_style=None)
            )
    marker = _marker(env, projects_dir)
    marker.parent.mkdir(exist_ok=True)
    marker.write_text(yaml.safe_dump({"environment": env, "source": source}, sort_keys=True))
    return [dst for dst, _ in plans]


def remove_ephemeral(env: str, projects_dir: Path = PROJECTS_DIR) -> list[Path]:
    """Delete an ephemeral environment's stack files and marker (nothing for any other environment)."""
    if not is_ephemeral(env, projects_dir):
        return []
    removed = []
    for layer in layer_names():
        path = _stack_file(layer, env, projects_dir)
        if path.is_file():
            path.unlink()
            removed.append(path)
    _marker(env, projects_dir).unlink()
    return removed
