"""Reading a project's declared config and a stack's config file, as the Pulumi CLI would.

The CLI hands a program its config as strings: project defaults from `Pulumi.yaml` first, then
the stack file's values, lists and objects as JSON. `stack_config` reproduces exactly that, so
the offline plan and preflight validate the same values `pulumi up` would use.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from shared.layers import layer_names
from shared.plan_values import SECRET_MASK

REPO_ROOT = Path(__file__).resolve().parents[2]
PROJECTS_DIR = REPO_ROOT / "projects"


class StackConfigError(ValueError):
    """A project or stack file that is missing or malformed."""


@dataclass(frozen=True)
class StackConfig:
    """The config a program would receive; a secret (which cannot be decrypted here) shows as the mask."""

    namespace: str  # the project's name, which prefixes its own keys
    values: dict[str, str]

    @property
    def service(self) -> str:
        """The layer's `service` setting (every layer has one)."""
        return self.values.get(f"{self.namespace}:service", "")


def project_dir(layer: str, projects_dir: Path = PROJECTS_DIR) -> Path:
    """The Pulumi project folder of `layer`."""
    return projects_dir / layer


def environments(projects_dir: Path = PROJECTS_DIR) -> tuple[str, ...]:
    """Environments with a stack file in every layer, sorted."""
    sets = [
        {p.name[len("Pulumi.") : -len(".yaml")] for p in project_dir(name, projects_dir).glob("Pulumi.*.yaml")}
        for name in layer_names()
    ]
    return tuple(sorted(set.intersection(*sets)))


class _UniqueKeyLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """A YAML loader that refuses a key given twice in one mapping (plain YAML keeps the last silently).

    On libyaml's parser when PyYAML was built with it (the wheels are): a task reads a dozen of
    these files, and the pure-Python parser is ten times slower."""


def _mapping_without_duplicates(loader: _UniqueKeyLoader, node: yaml.MappingNode, deep: bool = False) -> Any:
    seen: dict[Any, int] = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise StackConfigError(
                f"{key} is given twice (lines {seen[key] + 1} and {key_node.start_mark.line + 1}): keep one"
            )
        seen[key] = key_node.start_mark.line
    return loader.construct_mapping(node, deep=deep)


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping_without_duplicates)


def _load_yaml(path: Path) -> dict[str, Any]:
    try:
        data = yaml.load(path.read_text(), Loader=_UniqueKeyLoader) or {}
    except StackConfigError as e:
        raise StackConfigError(f"{_shown(path)}: {e}") from None
    except FileNotFoundError:
        raise StackConfigError(f"{path} does not exist") from None
    except yaml.YAMLError as e:
        raise StackConfigError(f"{path} is not valid YAML: {e}") from None
    if not isinstance(data, dict):
        raise StackConfigError(f"{path} must hold a YAML mapping")
    return data


def _shown(path: Path) -> str:
    """A path as the user knows it: relative to the repository when inside it."""
    if path.parent.parent.name == "projects":
        return f"projects/{path.parent.name}/{path.name}"
    try:
        return str(path.relative_to(REPO_ROOT))
    except ValueError:
        return str(path)


# The only provider keys the programs read (as `StackSettings.region`).
AWS_KEYS: tuple[str, ...] = ("region",)


def foreign_key_problems(layer: str, namespace: str, keys: Iterable[str], where: str) -> list[str]:
    """One line per key of a stack file that no program would read: another project's, a misspelt
    namespace's, or an `aws:` key the programs ignore. Keys of the project's own namespace are the
    settings model's to judge (it names unknown ones with a did-you-mean)."""
    problems = []
    for full in keys:
        ns, _, key = full.rpartition(":") if ":" in full else (namespace, ":", full)
        if ns == namespace:
            continue
        if ns == "aws":
            if key not in AWS_KEYS:
                hint = difflib.get_close_matches(key, AWS_KEYS, n=1)
                guess = f" (did you mean aws:{hint[0]}?)" if hint else f"; the programs read only {', '.join(AWS_KEYS)}"
                problems.append(f"{where}: {full} is not read by any program{guess}")
            continue
        if ns in layer_names():
            problems.append(f"{where}: {full} belongs to the {ns} project: move it to projects/{ns}/{Path(where).name}")
            continue
        hint = difflib.get_close_matches(ns, [namespace, "aws"], n=1, cutoff=0.5)
        guess = f" (did you mean {hint[0]}:{key}?)" if hint else f"; expected {namespace}:<key> or aws:region"
        problems.append(f"{where}: {full} is in namespace {ns!r}, which no project reads{guess}")
    return problems


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
    stack_values = _load_yaml(stack_path).get("config") or {}
    problems = foreign_key_problems(layer, name, stack_values, _shown(stack_path))
    if problems:
        raise StackConfigError("\n".join(problems))
    for key, value in sorted(stack_values.items()):
        full = key if ":" in key else f"{name}:{key}"
        if isinstance(value, dict) and set(value) == {"secure"}:
            values[full] = SECRET_MASK
        else:
            values[full] = as_config_string(value)
    return StackConfig(namespace=name, values=values)


def service_of(env: str, projects_dir: Path = PROJECTS_DIR) -> str:
    """The environment's `service` setting (every layer has it), or the project default without stack files."""
    first = layer_names()[0]
    try:
        return stack_config(first, env, projects_dir).service
    except StackConfigError:
        decl = (project_file(first, projects_dir).get("config") or {}).get("service") or {}
        return str(decl.get("default", "")) if isinstance(decl, dict) else ""
