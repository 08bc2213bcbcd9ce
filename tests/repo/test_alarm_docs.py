"""The READMEs list every alarm the plan creates, so the docs cannot fall behind the code."""

from __future__ import annotations

import pytest

from ops.environment.stack_files import PROJECTS_DIR, REPO_ROOT


@pytest.mark.parametrize("layer", ["edge", "compute", "data"])
def test_each_layer_readme_and_the_readme_list_the_layers_alarms(platform_plan, layer):
    keys = [
        r.name.removeprefix("alarm-payments-").removesuffix("-prod")
        for r in platform_plan("prod").layer(layer).by_type("aws:cloudwatch/metricAlarm:MetricAlarm")
    ]
    assert keys
    layer_readme = (PROJECTS_DIR / layer / "README.md").read_text()
    readme = (REPO_ROOT / "README.md").read_text()
    for key in keys:
        assert f"`alarm-<service>-{key}-<env>`" in layer_readme, (layer, key)
        assert f"`{key}`" in readme, key
