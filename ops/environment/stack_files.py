"""Reading a project's declared config and a stack's config file, as the Pulumi CLI would.

The CLI hands a program its config as strings: project defaults from `Pulumi.yaml` first, then
the stack file's values, lists and objects as JSON. `stack_config` reproduces exactly that, so
the offline plan and preflight validate the same values `pulumi up` would use.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from shared.layers import layer_names

REPO_ROOT = Path(__file__).resolve().parents[2]
PROJECTS_DIR = REPO_ROOT / "projects"


class StackConfigError(ValueError):
    """A project or stack file that is missing or malformed."""


@dataclass(frozen=True)
class StackConfig:
    """The config a program would receive, and which keys hold (undecryptable) secrets."""

    values: dict[str, str]
    secret_keys: tuple[str, ...]


def project_dir(layer: str, projects_dir: Path = PROJECTS_DIR) -> Path:
    """The Pulumi project folder of `layer`."""
    return projects_dir / layer


def layer_exists(layer: str, projects_dir: Path = PROJECTS_DIR) -> bool:
    """Whether the layer's project has been built (has a program)."""
    return (project_dir(layer, projects_dir) / "__main__.py").is_file()


def environments(projects_dir: Path = PROJECTS_DIR) -> tuple[str, ...]:
    """Environments with a stack file in every existing layer, sorted."""
    sets = [
        {p.name[len("Pulumi.") : -len(".yaml")] for p in project_dir(name, projects_dir).glob("Pulumi.*.yaml")}
        for name in layer_names()
        if layer_exists(name, projects_dir)
    ]
    return tuple(sorted(set.intersection(*sets))) if sets else ()


def _load_yaml(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text()) or {}
    except FileNotFoundError:
        raise StackConfigError(f"{path} does not exist") from None
    except yaml.YAMLError as e:
        raise StackConfigError(f"{path} is not valid YAML: {e}") from None
    if not isinstance(data, dict):
        raise StackConfigError(f"{path} must hold a YAML mapping")
    return data


def project_file(layer: str, projects_dir: Path = PROJECTS_DIR) -> dict[str, Any]:
    """The parsed `Pulumi.yaml` of `layer`."""
    return _load_yaml(project_dir(layer, projects_dir) / "Pulumi.yaml")


def as_config_string(value: Any) -> str:
    """A YAML value as the CLI passes it to a program: strings as-is, the rest as JSON."""
    if isinstance(value, str):
        return value
    return json.dumps(value)


def stack_config(layer: str, env: str, projects_dir: Path = PROJECTS_DIR) -> StackConfig:
    """Project defaults overlaid with `Pulumi.<env>.yaml`, keyed `<namespace>:<key>`."""
    project = project_file(layer, projects_dir)
    name = project["name"]
    values: dict[str, str] = {}
    for key, decl in sorted((project.get("config") or {}).items()):
        if isinstance(decl, dict) and "default" in decl:
            values[f"{name}:{key}"] = as_config_string(decl["default"])
    stack_path = project_dir(layer, projects_dir) / f"Pulumi.{env}.yaml"
    if not stack_path.is_file():
        known = ", ".join(environments(projects_dir)) or "none"
        raise StackConfigError(
            f"unknown environment {env!r}: projects/{layer} has no Pulumi.{env}.yaml (known: {known})"
        )
    secrets: list[str] = []
    for key, value in sorted((_load_yaml(stack_path).get("config") or {}).items()):
        full = key if ":" in key else f"{name}:{key}"
        if isinstance(value, dict) and set(value) == {"secure"}:
            secrets.append(full)
            values[full] = "[secret]"
        else:
            values[full] = as_config_string(value)
    return StackConfig(values=values, secret_keys=tuple(secrets))


def service_of(env: str, projects_dir: Path = PROJECTS_DIR) -> str:
    """The environment's `service` setting (every layer has it), or the project default without stack files."""
    first = next((n for n in layer_names() if layer_exists(n, projects_dir)), None)
    if first is None:
        return ""
    try:
        values = stack_config(first, env, projects_dir).values
    except StackConfigError:
        decl = (project_file(first, projects_dir).get("config") or {}).get("service") or {}
        return str(decl.get("default", "")) if isinstance(decl, dict) else ""
    name = project_file(first, projects_dir)["name"]
    return values.get(f"{name}:service", "")
