"""Every layer is a normal Pulumi project whose declared config equals its settings model."""

import pytest
import yaml

from ops.environment.stack_files import PROJECTS_DIR, project_file, stack_config
from shared.environments import PROTECTED_ENVS
from shared.layers import LAYER_NAMES, lifecycle
from shared.settings import ConfigError, parse_settings

PULUMI_TYPES = {"string", "integer", "boolean", "array"}


@pytest.mark.parametrize("layer", LAYER_NAMES)
def test_pulumi_yaml_declares_exactly_the_settings_keys(layer):
    declared = project_file(layer)["config"]
    assert set(declared) == set(lifecycle(layer).settings.config_keys())


@pytest.mark.parametrize("layer", LAYER_NAMES)
def test_every_key_has_type_description_and_default(layer):
    for key, decl in project_file(layer)["config"].items():
        assert decl.get("type") in PULUMI_TYPES, key
        assert len(decl.get("description", "")) > 10, key
        assert "default" in decl, key


@pytest.mark.parametrize("layer", LAYER_NAMES)
def test_project_runs_in_the_readme_virtualenv(layer):
    project = project_file(layer)
    assert project["name"] == layer
    assert project["runtime"] == {"name": "python", "options": {"toolchain": "pip", "virtualenv": "../../.venv"}}
    assert (PROJECTS_DIR / layer / project["runtime"]["options"]["virtualenv"]).resolve() == (
        PROJECTS_DIR.parent / ".venv"
    ).resolve()


@pytest.mark.parametrize("layer", LAYER_NAMES)
@pytest.mark.parametrize("env", ["prod", "dev"])
def test_stack_files_pin_the_region_and_parse(layer, env):
    raw = yaml.safe_load((PROJECTS_DIR / layer / f"Pulumi.{env}.yaml").read_text())
    assert raw["config"]["aws:region"] == "ap-northeast-2"
    settings = parse_settings(lifecycle(layer).settings, stack_config(layer, env).values, namespace=layer, env=env)
    assert settings.env == env


@pytest.mark.parametrize("layer", LAYER_NAMES)
def test_stack_files_only_use_declared_keys(layer):
    declared = set(project_file(layer)["config"])
    for env in ("prod", "dev"):
        raw = yaml.safe_load((PROJECTS_DIR / layer / f"Pulumi.{env}.yaml").read_text())
        for key in raw["config"]:
            ns, _, name = key.partition(":")
            assert ns == "aws" or (ns == layer and name in declared), key


FLIPPED = [name for name in LAYER_NAMES if lifecycle(name).teardown.config]


@pytest.mark.parametrize("layer", FLIPPED)
@pytest.mark.parametrize("env", PROTECTED_ENVS)
def test_the_teardown_flip_is_accepted_in_a_protected_env_and_only_with_its_marker(layer, env):
    committed = stack_config(layer, env).values
    flips = {f"{layer}:{key}": value for key, value in lifecycle(layer).teardown.config}
    lifted = parse_settings(lifecycle(layer).settings, {**committed, **flips}, namespace=layer, env=env)
    assert lifted.teardown is True  # what the targeted update before destroy runs with
    protection_only = {k: v for k, v in flips.items() if k != f"{layer}:teardown"}
    with pytest.raises(ConfigError, match=rf"^{layer}:\w*[dD]eletionProtection = False is invalid: expected true"):
        parse_settings(lifecycle(layer).settings, {**committed, **protection_only}, namespace=layer, env=env)


@pytest.mark.parametrize("layer", FLIPPED)
def test_no_stack_file_sets_the_teardown_marker(layer):
    for path in sorted((PROJECTS_DIR / layer).glob("Pulumi.*.yaml")):
        assert f"{layer}:teardown" not in (yaml.safe_load(path.read_text()) or {}).get("config", {}), path
