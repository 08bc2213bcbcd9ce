"""The operations guide's table of owners says what the layers declare, and the README's picture names them."""

from __future__ import annotations

from pathlib import Path

from shared.layers import LAYER_NAMES, lifecycle

REPO = Path(__file__).resolve().parents[2]


def _owner_rows() -> dict[str, list[str]]:
    guide = (REPO / "docs" / "operations.md").read_text()
    section = guide.split("## How a team deploys its layer", 1)[1].split("\n## ", 1)[0]
    rows = [line.strip("| ").split(" | ") for line in section.splitlines() if line.startswith("| ")]
    return {row[0]: row for row in rows if row[0] in LAYER_NAMES}


def test_the_guides_owner_table_is_the_layers_declarations():
    rows = _owner_rows()
    assert list(rows) == list(LAYER_NAMES)
    for layer, (_, team, prod, dev) in rows.items():
        owner = lifecycle(layer).owner
        assert team == f"`{owner.team}`"
        assert prod == f"GitHub environment `prod-{layer}`" and not owner.principals.get("prod")
        assert dev == ", ".join(f"`{p}`" for p in owner.principals.get("dev", ())) or "—"


def test_the_readme_picture_names_each_layers_team():
    readme = (REPO / "README.md").read_text()
    picture = readme[readme.index("```\n                    ┌") :].split("\n```", 1)[0]
    for layer in LAYER_NAMES:
        assert f" {layer} · {lifecycle(layer).owner.team} " in picture
