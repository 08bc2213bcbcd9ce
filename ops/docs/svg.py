"""The architecture as a hand-laid SVG picture, and the edges an SVG draws (for the tests)."""

from __future__ import annotations

import html
from dataclasses import dataclass

from ops.docs.diagram_model import INTERNET, Architecture, Edge, layer_colors, node_label


@dataclass(frozen=True)
class Box:
    x: float
    y: float
    w: float
    h: float


def _esc(text: str) -> str:
    return html.escape(text, quote=True)


def to_svg(arch: Architecture) -> str:
    """The diagram as a standalone SVG: AZ columns, subnet rows, workloads as bars, traffic arrows."""
    width, left, right = 1360, 40, 1180  # arrows that skip a row run in the margin right of `right`
    out: list[str] = []
    n_az = max(len(arch.azs), 1)
    col_gap = 24
    col_w = (right - left - 40 - col_gap * (n_az - 1)) / n_az
    col_x = {az: left + 20 + i * (col_w + col_gap) for i, az in enumerate(arch.azs)}
    private = sorted((w for w in arch.workloads.values() if w.tier == "private"), key=lambda w: w.group)
    public = sorted((w for w in arch.workloads.values() if w.tier == "public"), key=lambda w: w.group)
    outside = sorted((w for w in arch.workloads.values() if w.tier is None), key=lambda w: w.group)

    boxes: dict[str, Box] = {}
    order: list[str] = []
    if any(INTERNET in (e.source, e.target) for e in arch.edges):
        boxes[INTERNET] = Box(left + 20, 56, right - left - 40, 40)
        order.append(INTERNET)
    vpc_top, pub_top = 130, 190
    pub_h = 56 + 56 * len(public) + 52
    priv_top = pub_top + pub_h + 30
    priv_h = 56 + 80 * max(len(private), 1)
    vpc_bottom = priv_top + priv_h + 20
    for i, w in enumerate(public):
        boxes[w.group] = Box(left + 30, pub_top + 54 + 56 * i, right - left - 60, 40)
        order.append(w.group)
    for i, w in enumerate(private):
        boxes[w.group] = Box(left + 30, priv_top + 54 + 80 * i, right - left - 60, 40)
        order.append(w.group)
    y = vpc_bottom + 30
    for key in [w.group for w in outside] + sorted({k for e in arch.edges for k in (e.source, e.target)} - set(boxes)):
        boxes[key] = Box(left + 30, y, right - left - 60, 40)
        order.append(key)
        y += 56
    legend_y = y + 20
    height = legend_y + 60

    out.append(
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="Helvetica, Arial, sans-serif" font-size="13">'
    )
    out.append(
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" '
        'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#333"/></marker></defs>'
    )
    out.append(f'<rect width="{width}" height="{height}" fill="#ffffff"/>')
    out.append(
        f'<text x="{left}" y="30" font-size="17" font-weight="bold">payments platform, {_esc(arch.env)}: '
        "generated from the offline plan by invoke diagram</text>"
    )
    fill, stroke = layer_colors().get(arch.vpc_layer, ("#f5f5f5", "#666"))
    out.append(
        f'<rect x="{left}" y="{vpc_top}" width="{right - left}" height="{vpc_bottom - vpc_top}" rx="10" '
        f'fill="{fill}" stroke="{stroke}" stroke-width="2"/>'
    )
    out.append(
        f'<text x="{left + 12}" y="{vpc_top + 22}" font-weight="bold">'
        f"{_esc(arch.vpc_layer)} layer: VPC {_esc(arch.vpc)} "
        f"{_esc(arch.vpc_cidr)}</text>"
    )
    if arch.igw:  # in the label band of the last AZ column, which no arrow crosses
        igw_x = col_x[arch.azs[-1]] + 10 if arch.azs else right - 270
        out.append(
            f'<rect x="{igw_x}" y="{vpc_top + 8}" width="250" height="26" rx="4" fill="#fff" stroke="{stroke}"/>'
            f'<text x="{igw_x + 8}" y="{vpc_top + 26}">Internet gateway {_esc(arch.igw)}</text>'
        )
    nat_boxes: list[Box] = []
    for az in arch.azs:
        x = col_x[az]
        out.append(
            f'<rect x="{x}" y="{pub_top - 26}" width="{col_w}" height="{vpc_bottom - pub_top + 16}" rx="8" '
            f'fill="none" stroke="{stroke}" stroke-dasharray="6 4"/>'
            f'<text x="{x + 8}" y="{pub_top - 10}" font-style="italic">AZ {_esc(az)}</text>'
        )
        for s in (s for s in arch.subnets if s.az == az):
            top, h = (pub_top, pub_h) if s.tier == "public" else (priv_top, priv_h)
            route = f"0.0.0.0/0 → {s.default_route}" if s.default_route else "no default route"
            out.append(
                f'<rect x="{x + 8}" y="{top}" width="{col_w - 16}" height="{h}" rx="6" fill="#ffffff" '
                f'fill-opacity="0.7" stroke="#7a9cc6"/>'
                f'<text x="{x + 16}" y="{top + 18}" font-size="12">{s.tier} subnet {_esc(s.cidr)}</text>'
                f'<text x="{x + 16}" y="{top + 31}" font-size="10" fill="#555">{_esc(s.name)}</text>'
                f'<text x="{x + 16}" y="{top + 43}" font-size="10" fill="#555">{_esc(route)}</text>'
            )
        if az in arch.nats:
            nat = Box(x + 16, pub_top + pub_h - 46, 250, 34)
            nat_boxes.append(nat)
            out.append(
                f'<rect x="{nat.x}" y="{nat.y}" width="{nat.w}" height="{nat.h}" rx="4" fill="#fff" stroke="{stroke}"/>'
                f'<text x="{nat.x + 8}" y="{nat.y + 21}" font-size="11">NAT {_esc(arch.nats[az])}</text>'
            )

    for key in order:
        b = boxes[key]
        held = arch.workloads.get(key)
        fill, stroke = layer_colors().get(held.layer, ("#f5f5f5", "#666")) if held else ("#f5f5f5", "#666")
        text = node_label(arch, key) + (f" ({held.layer} layer · {held.detail} · {held.group})" if held else "")
        out.append(
            f'<g class="node" data-node="{_esc(key)}"><rect x="{b.x}" y="{b.y}" width="{b.w}" height="{b.h}" rx="6" '
            f'fill="{fill}" stroke="{stroke}" stroke-width="2"/>'
            f'<text x="{b.x + 12}" y="{b.y + 25}">{_esc(text)}</text></g>'
        )

    # Arrows between neighbouring rows run straight down lanes clear of the labels, NAT and
    # internet gateway boxes (the left part of each AZ column); the rest run in the right margin.
    blocked = [(col_x[az] - 10, col_x[az] + 290) for az in arch.azs] + [(n.x - 14, n.x + n.w + 14) for n in nat_boxes]
    straight = [e for e in arch.edges if abs(order.index(e.source) - order.index(e.target)) == 1]
    allowed = [float(x) for x in range(int(left + 40), int(right - 40), 5) if not any(a <= x <= b for a, b in blocked)]
    lanes = [allowed[(i + 1) * len(allowed) // (len(straight) + 1)] for i in range(len(straight))] if allowed else []
    margin = right + 20
    for e in arch.edges:
        src, dst = boxes[e.source], boxes[e.target]
        attrs = (
            f'class="traffic" data-source="{_esc(e.source)}" data-target="{_esc(e.target)}" '
            f'data-protocol="{_esc(e.protocol)}" data-ports="{_esc(e.ports)}"'
        )
        if e in straight:
            x = lanes[straight.index(e)]
            down = dst.y > src.y
            y1, y2 = (src.y + src.h, dst.y) if down else (src.y, dst.y + dst.h)
            path, lx, ly = f"M{x},{y1} L{x},{y2}", x + 6, (y1 + y2) / 2 + 4
        else:
            y1, y2 = src.y + src.h / 2, dst.y + dst.h / 2
            x1 = src.x + src.w
            path = f"M{x1},{y1} L{margin},{y1} L{margin},{y2} L{dst.x + dst.w},{y2}"
            lx, ly = margin + 6, (y1 + y2) / 2
            margin += 60
        out.append(
            f'<g {attrs}><path d="{path}" fill="none" stroke="#333" stroke-width="1.8" marker-end="url(#arrow)"/>'
            f'<text x="{lx}" y="{ly}" font-size="12" font-weight="bold" fill="#b00020">{_esc(e.label)}</text></g>'
        )

    x = left
    out.append(f'<text x="{x}" y="{legend_y}" font-size="12">layers:</text>')
    x += 56
    for layer, (fill, stroke) in layer_colors().items():
        out.append(
            f'<rect x="{x}" y="{legend_y - 12}" width="16" height="16" fill="{fill}" stroke="{stroke}"/>'
            f'<text x="{x + 22}" y="{legend_y + 1}" font-size="12">{layer}</text>'
        )
        x += 110
    out.append(
        f'<text x="{left}" y="{legend_y + 26}" font-size="11" fill="#555">arrows: traffic allowed by the '
        "security-group rules of the plan (protocol and port); bars: workloads placed in the subnets they span"
        "</text>"
    )
    out.append("</svg>")
    return "\n".join(out) + "\n"


def svg_edges(svg: str) -> set[Edge]:
    """The traffic edges an SVG produced by `to_svg` draws."""
    import xml.etree.ElementTree as ET

    root = ET.fromstring(svg)
    return {
        Edge(g.get("data-source", ""), g.get("data-target", ""), g.get("data-protocol", ""), g.get("data-ports", ""))
        for g in root.iter("{http://www.w3.org/2000/svg}g")
        if g.get("class") == "traffic"
    }
