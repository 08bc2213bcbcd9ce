"""`invoke diagram`: the Markdown page and SVG of an environment's architecture, written from its plan."""

from __future__ import annotations

from pathlib import Path

from ops.docs.diagram_model import Architecture, architecture, node_label
from ops.docs.mermaid import to_mermaid
from ops.docs.svg import to_svg
from ops.environment.stack_files import REPO_ROOT
from ops.plan.platform import PlatformPlan

DOCS_DIR = REPO_ROOT / "docs"


def diagram_paths(env: str) -> tuple[Path, Path]:
    """Where the docs page and the image of `env` live (prod is the one the README shows)."""
    stem = "architecture-diagram" if env == "prod" else f"architecture-diagram-{env}"
    return DOCS_DIR / f"{stem}.md", DOCS_DIR / f"{stem}.svg"


def to_markdown(arch: Architecture, svg_name: str) -> str:
    """The docs page: the rendered image, the Mermaid source, and the traffic table."""
    rows = "\n".join(
        f"| {node_label(arch, e.source)} | {node_label(arch, e.target)} | {e.protocol} | {e.ports} | "
        f"{', '.join(f'`{r}`' for r in arch.edge_rules[e])} |"
        for e in arch.edges
    )
    return (
        f"# Architecture of the payments platform ({arch.env})\n\n"
        f"Generated from the offline plan by `invoke diagram --env {arch.env}`; do not edit by hand "
        "(a test regenerates it and compares).\n"
        "Layers are colour-coded: network (blue), edge (orange), compute (green), data (purple).\n\n"
        f"![architecture of {arch.env}]({svg_name})\n\n"
        "## Mermaid\n\n"
        f"```mermaid\n{to_mermaid(arch)}```\n\n"
        "## Traffic allowed by the security groups\n\n"
        "| from | to | protocol | ports | rules |\n|---|---|---|---|---|\n"
        f"{rows}\n"
    )


def write_diagram(plan: PlatformPlan, markdown: Path, svg: Path) -> Architecture:
    """Write the docs page and its SVG for `plan`; return what was drawn."""
    arch = architecture(plan)
    markdown.parent.mkdir(parents=True, exist_ok=True)
    svg.write_text(to_svg(arch))
    markdown.write_text(to_markdown(arch, svg.name))
    return arch
