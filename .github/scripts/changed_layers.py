"""Which layers a change touches, in deploy order: the paths on stdin (one per line, `git diff --name-only`).

`projects/<layer>/...` touches that layer. `shared/` (the code every program imports) and
`pyproject.toml` (the pinned Pulumi and provider versions every program runs with) touch all.
Anything else (tests, docs, `ops/` tooling) deploys nothing. Prints the layers space-separated,
e.g. `network edge`; nothing when no layer changed. Used by the workflows in `.github/workflows/`.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable

from shared.layers import LAYER_NAMES, deploy_order

EVERY_LAYER_PREFIXES = ("shared/", "pyproject.toml")


def changed_layers(paths: Iterable[str]) -> list[str]:
    """The layers the changed `paths` (repository-relative) touch, in the graph's deploy order."""
    touched: set[str] = set()
    for path in (p.strip() for p in paths):
        if path.startswith(EVERY_LAYER_PREFIXES):
            return deploy_order()
        parts = path.split("/")
        if len(parts) > 2 and parts[0] == "projects" and parts[1] in LAYER_NAMES:
            touched.add(parts[1])
    return deploy_order(touched) if touched else []


if __name__ == "__main__":
    print(" ".join(changed_layers(sys.stdin)))
