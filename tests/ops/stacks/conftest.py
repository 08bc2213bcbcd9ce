"""A throwaway projects tree, so the orchestration tests do not depend on the layers being written."""

from __future__ import annotations

from pathlib import Path

import pytest

from shared.layers import LAYER_NAMES


@pytest.fixture
def projects(tmp_path: Path) -> Path:
    """Four layers (a program and dev/prod stack files each), independent of the real ones.

    Every layer names the real projects' default service, so a test may swap in a real project."""
    root = tmp_path / "projects"
    for layer in LAYER_NAMES:
        d = root / layer
        d.mkdir(parents=True)
        (d / "__main__.py").write_text("# program\n")
        (d / "Pulumi.yaml").write_text(f"name: {layer}\nruntime: python\n")
        for env, size in (("dev", "small"), ("prod", "large")):
            (d / f"Pulumi.{env}.yaml").write_text(
                f"config:\n  aws:region: ap-northeast-2\n  {layer}:service: payments\n  {layer}:size: {size}\n"
                f"  {layer}:zones: [a, c]\n"
            )
    return root
