"""The architecture as a Mermaid flowchart, and the edges a Mermaid text draws (for the tests)."""

from __future__ import annotations

import re

from ops.docs.diagram_model import INTERNET, Architecture, layer_colors, node_id, node_label


def to_mermaid(arch: Architecture) -> str:
    """The diagram as a Mermaid flowchart: layers, VPC, AZs, subnets, gateways, traffic edges."""
    q = lambda text: text.replace('"', "'")  # noqa: E731 - Mermaid labels are double-quoted
    lines = ["flowchart TB"]
    traffic_nodes = sorted({k for e in arch.edges for k in (e.source, e.target)})
    if INTERNET in traffic_nodes:
        lines.append(f'  {INTERNET}(("{node_label(arch, INTERNET)}"))')
    for key in traffic_nodes:
        if key != INTERNET and key not in arch.workloads and key not in arch.groups:
            lines.append(f'  {node_id(key)}(("{q(key)}"))')
    lines.append('  subgraph layer_network["network layer"]')
    lines.append(f'    subgraph vpc["VPC {arch.vpc} {arch.vpc_cidr}"]')
    if arch.igw:
        lines.append(f'      {node_id(arch.igw)}["Internet gateway<br/>{arch.igw}"]')
    for az in arch.azs:
        lines.append(f'      subgraph {node_id("az-" + az)}["AZ {az}"]')
        for s in (s for s in arch.subnets if s.az == az):
            lines.append(f'        {node_id(s.name)}["{s.tier} subnet {s.cidr}<br/>{s.name}"]')
        if az in arch.nats:
            lines.append(f'        {node_id(arch.nats[az])}["NAT gateway<br/>{arch.nats[az]}"]')
        lines.append("      end")
    lines.append("    end")
    for group in arch.groups:
        if group not in arch.workloads:
            lines.append(f'    {node_id(group)}["{node_label(arch, group)}"]')
    lines.append("  end")
    for layer in arch.layers:
        members = [w for w in arch.workloads.values() if w.layer == layer]
        if not members or layer == arch.vpc_layer:
            continue
        lines.append(f'  subgraph layer_{layer}["{layer} layer"]')
        for w in sorted(members, key=lambda w: w.group):
            detail = f"<br/>{q(w.detail)}" if w.detail else ""
            lines.append(f'    {node_id(w.group)}["{w.kind}<br/>{w.name}{detail}<br/>({w.group})"]')
        lines.append("  end")
    lines.append("  %% traffic allowed by security-group rules (from the plan's ingress/egress rule resources)")
    for e in arch.edges:
        lines.append(f'  {node_id(e.source)} -->|"{e.label}"| {node_id(e.target)}')
    lines.append("  %% placement of workloads in subnets, and each subnet's default route")
    for w in sorted(arch.workloads.values(), key=lambda w: w.group):
        for s in arch.subnets:
            if w.tier == s.tier:
                lines.append(f"  {node_id(w.group)} -.- {node_id(s.name)}")
    for s in arch.subnets:
        if s.default_route:
            lines.append(f'  {node_id(s.name)} -.->|"0.0.0.0/0"| {node_id(s.default_route)}')
    for layer, (fill, stroke) in layer_colors().items():
        ids = sorted(node_id(w.group) for w in arch.workloads.values() if w.layer == layer)
        if ids:
            lines.append(f"  classDef {layer} fill:{fill},stroke:{stroke}")
            lines.append(f"  class {','.join(ids)} {layer}")
    return "\n".join(lines) + "\n"


def mermaid_edges(mermaid: str) -> set[tuple[str, str, str]]:
    """(source id, target id, label) of every traffic arrow in a Mermaid text."""
    return {(src, dst, label) for src, label, dst in re.findall(r'^\s*(\S+) -->\|"([^"]*)"\| (\S+)$', mermaid, re.M)}
