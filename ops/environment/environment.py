"""One environment, loaded once per run: every layer's stack file and merged config.

The tasks load it when they check `--env` and pass it down: the offline plan, preflight and the
drift check read the config from it, not from the files again.

`Environment.load("prod")` reads `projects/<layer>/Pulumi.prod.yaml` of every layer with the
project defaults beneath it (what `pulumi up` would hand each program), and reports every mistake
that spans files at once: a stack file missing in some projects, keys in the wrong file or a
misspelt namespace, a key given twice, layers that disagree on the service name. Whether the
environment is protected is asked of `shared.environments`, the one place that decides it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from ops.environment.stack_files import (
    PROJECTS_DIR,
    StackConfig,
    StackConfigError,
    environments,
    project_dir,
    stack_config,
)
from shared.environments import is_protected
from shared.layers import layer_names
from shared.naming import ENV_PATTERN
from shared.plan_values import SECRET_MASK

REGION_KEY = "aws:region"


class EnvironmentProblems(ValueError):
    """The environment cannot be loaded; one line per problem, all of them."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = tuple(problems)


@dataclass(frozen=True)
class Environment:
    """An environment's stack config in every layer."""

    name: str
    configs: Mapping[str, StackConfig]
    projects_dir: Path = PROJECTS_DIR

    @property
    def protected(self) -> bool:
        """Whether this is a protected environment (prod)."""
        return is_protected(self.name)

    @property
    def layers(self) -> tuple[str, ...]:
        """The layers, in registry order."""
        return tuple(self.configs)

    @property
    def region(self) -> str | None:
        """The environment's `aws:region`, from the first layer that sets it."""
        return next((r for c in self.configs.values() if (r := c.values.get(REGION_KEY))), None)

    @property
    def service(self) -> str:
        """The service every layer names (loading refuses layers that disagree)."""
        return next(iter(self.configs.values())).service

    def values(self, layer: str) -> dict[str, str]:
        """What the layer's program would receive as config (`<namespace>:<key>` -> string)."""
        return dict(self.configs[layer].values)

    def value(self, key: str) -> str | None:
        """One `<namespace>:<key>` value, None when unset, unknown or secret."""
        namespace = key.partition(":")[0]
        config = self.configs.get(namespace)
        value = config.values.get(key) if config else None
        return value if value and value != SECRET_MASK else None

    @classmethod
    def load(cls, name: str, projects_dir: Path = PROJECTS_DIR) -> Environment:
        """Read every layer's `Pulumi.<name>.yaml`, or raise `EnvironmentProblems` listing every problem."""
        if not ENV_PATTERN.match(name):
            expected = "expected 2-10 lowercase letters or digits starting with a letter"
            raise EnvironmentProblems([f"environment name {name!r} is invalid: {expected}"])
        present = [n for n in layer_names() if (project_dir(n, projects_dir) / f"Pulumi.{name}.yaml").is_file()]
        if not present:
            known = ", ".join(environments(projects_dir)) or "none"
            what = "an environment is a Pulumi.<env>.yaml in every project"
            raise EnvironmentProblems([f"unknown environment {name!r}: expected one of {known} ({what})"])
        problems = [
            f"projects/{n}/Pulumi.{name}.yaml is missing (the {name} environment has stack files in "
            f"{', '.join(present)}): create it, e.g. with `aws:region` and the layer's settings"
            for n in layer_names()
            if n not in present
        ]
        configs: dict[str, StackConfig] = {}
        for layer in present:
            try:
                configs[layer] = stack_config(layer, name, projects_dir)
            except StackConfigError as e:
                problems.extend(str(e).splitlines())
        problems.extend(_service_problems(configs))
        if problems:
            raise EnvironmentProblems(problems)
        return cls(name, configs, projects_dir)


def _service_problems(configs: Mapping[str, StackConfig]) -> list[str]:
    """Every layer of one environment must name the same service: names, tags and alarms build on it."""
    services = {layer: config.service for layer, config in configs.items()}
    if len(set(services.values())) <= 1:
        return []
    seen = ", ".join(f"{layer}:service = {value!r}" for layer, value in services.items())
    return [f"the layers name different services ({seen}): expected one service name in every layer"]
