"""Which layers a change touches, in deploy order: the paths on stdin (one per line, `git diff --name-only`).

`projects/<layer>/...` touches that layer. `shared/` (the code every program imports) and
`pyproject.toml` (the pinned Pulumi and provider versions every program runs with) touch all.
Anything else (tests, docs, `ops/` tooling) deploys nothing. Prints the layers space-separated,
e.g. `network edge`; nothing when no layer changed.

With `--waves` it prints what the deploy workflow runs, as `$GITHUB_OUTPUT` lines: the touched
layers and every layer below them (a layer's exports may change, and each reader redeploys under
its own team's role), grouped in the graph's waves, one JSON list per wave (`wave1=["network"]`,
`wave2=["data", "edge"]`, ... as many as the graph has; an empty wave is `[]`), then `layers=...`.
Used by the workflows in `.github/workflows/`.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable

from shared.layers import LAYER_NAMES, deploy_order, downstream, waves

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


def deploy_waves(paths: Iterable[str]) -> list[list[str]]:
    """For each wave of the graph, the layers of it to deploy: the touched ones and all below them."""
    touched = set(changed_layers(paths))
    chosen = touched | {d for layer in touched for d in downstream(layer)}
    return [[layer for layer in wave if layer in chosen] for wave in waves()]


if __name__ == "__main__":
    if sys.argv[1:] == ["--waves"]:
        planned = deploy_waves(sys.stdin)
        for n, wave in enumerate(planned, 1):
            print(f"wave{n}={json.dumps(wave)}")
        print(f"layers={' '.join(layer for wave in planned for layer in wave)}")
    else:
        print(" ".join(changed_layers(sys.stdin)))
