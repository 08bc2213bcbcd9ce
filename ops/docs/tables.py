"""Docs tables generated from code, so they cannot drift.

Each `projects/<layer>/README.md` holds a config table (from its `Pulumi.yaml`) and an exports
table (from its contract) between markers; `docs/architecture.md` holds the contracts table;
`.github/CODEOWNERS` is written whole from the layers' owners (`ops.docs.codeowners`).
`invoke docs` rewrites them; a test fails when a committed file differs from a fresh render.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from ops.docs.codeowners import CODEOWNERS, codeowners
from ops.environment.stack_files import PROJECTS_DIR, REPO_ROOT, project_file
from shared.layers import get_layer, layer_names, lifecycle

ARCHITECTURE = REPO_ROOT / "docs" / "architecture.md"


def _cell(value: object) -> str:
    return str(value).replace("|", "\\|").replace("\n", " ")


def config_table(layer: str) -> str:
    """Markdown table of the layer's declared config keys."""
    rows = ["| key | type | default | description |", "|---|---|---|---|"]
    for key, decl in project_file(layer)["config"].items():
        default = decl.get("default")
        shown = "`" + _cell(default if isinstance(default, str) and default else json.dumps(default)) + "`"
        rows.append(f"| `{layer}:{key}` | {decl['type']} | {shown} | {_cell(decl.get('description', ''))} |")
    return "\n".join(rows)


def exports_table(layer: str) -> str:
    """Markdown table of the layer's contract outputs."""
    contract = lifecycle(layer).contract
    consumers = [n for n in layer_names() if layer in get_layer(n).depends_on]
    rows = ["| output | description |", "|---|---|"]
    rows += [f"| `{name}` | {_cell(doc)} |" for name, doc in contract.docs().items()]
    note = f"Read by: {', '.join(consumers)}." if consumers else "Read by: operators and integration tests."
    return "\n".join(rows) + f"\n\n{note}"


def contracts_table() -> str:
    """Markdown table of every layer's exports and who reads them."""
    rows = ["| layer | output | available to | description |", "|---|---|---|---|"]
    for layer in layer_names():
        readers = ", ".join(n for n in layer_names() if layer in get_layer(n).depends_on) or "operators, tests"
        for name, doc in lifecycle(layer).contract.docs().items():
            rows.append(f"| {layer} | `{name}` | {readers} | {_cell(doc)} |")
    return "\n".join(rows)


def _replace_block(text: str, tag: str, body: str) -> str:
    start, end = f"<!-- generated:{tag} -->", f"<!-- /generated:{tag} -->"
    pattern = re.compile(re.escape(start) + r".*?" + re.escape(end), re.S)
    block = f"{start}\n{body}\n{end}"
    if not pattern.search(text):
        raise LookupError(f"missing the {start} ... {end} markers")
    return pattern.sub(lambda _: block, text)


def rendered() -> dict[Path, str]:
    """Path -> the content it should have."""
    out: dict[Path, str] = {}
    for layer in layer_names():
        path = PROJECTS_DIR / layer / "README.md"
        text = path.read_text()
        text = _replace_block(text, "config", config_table(layer))
        out[path] = _replace_block(text, "exports", exports_table(layer))
    out[ARCHITECTURE] = _replace_block(ARCHITECTURE.read_text(), "contracts", contracts_table())
    out[CODEOWNERS] = codeowners()
    return out


def write_all() -> list[Path]:
    """Rewrite every generated block; return the files that changed."""
    changed = []
    for path, text in rendered().items():
        if not path.exists() or path.read_text() != text:
            path.write_text(text)
            changed.append(path)
    return changed
