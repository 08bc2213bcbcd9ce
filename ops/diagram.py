"""The architecture diagram, drawn from the offline plan (never by hand).

`architecture(plan)` reads the planned resources: the VPC, its AZs and subnets (public when
their route table sends 0.0.0.0/0 to an internet gateway), NAT and internet gateways, the
workloads that hold a security group (load balancer, ECS service, database) and the traffic the
security-group rules allow. References between resources are the mock engine's
`(known after apply: <resource>.<prop>)` values, so every line of the picture traces back to an
input of the plan. Two renderings: Mermaid (renders on code hosting) and a standalone SVG.
"""

from __future__ import annotations

import html
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ops.mock_engine import PlannedResource
from ops.plan import PlatformPlan

DOCS_DIR = Path(__file__).resolve().parent.parent / "docs"
INTERNET = "internet"
ANYWHERE = frozenset({"0.0.0.0/0", "::/0"})
_REF = re.compile(r"\(known after apply: ([^.()]+)\.[^()]*\)")

INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
EGRESS = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"
LAYER_COLORS: dict[str, tuple[str, str]] = {  # fill, stroke
    "network": ("#e3eefb", "#3b6ea8"),
    "edge": ("#fff1dc", "#c77700"),
    "compute": ("#e4f4e4", "#2e7d32"),
    "data": ("#f1e4f5", "#7b3f98"),
}


def refs(value: Any) -> list[str]:
    """Logical names of the resources a value was computed from, in order."""
    if isinstance(value, str):
        return _REF.findall(value)
    if isinstance(value, list):
        return [name for v in value for name in refs(v)]
    return []


def _ref(value: Any) -> str | None:
    found = refs(value)
    return found[0] if found else None


@dataclass(frozen=True, order=True)
class Edge:
    """Traffic one or more security-group rules allow: source -> target on protocol/ports."""

    source: str  # a security group's logical name, "internet", or a CIDR
    target: str
    protocol: str
    ports: str

    @property
    def label(self) -> str:
        """`tcp 443`, `tcp 1024-65535`, `all`."""
        return "all" if self.protocol == "all" else f"{self.protocol} {self.ports}"


@dataclass(frozen=True)
class Subnet:
    name: str
    az: str
    cidr: str
    tier: str  # "public" or "private"
    default_route: str | None  # the gateway 0.0.0.0/0 goes to


@dataclass(frozen=True)
class Workload:
    """A resource holding a security group: it is the group's node in the picture."""

    kind: str  # "Application Load Balancer", "ECS service", "RDS database"
    name: str
    layer: str
    group: str
    tier: str | None  # tier of the subnets it is placed in
    detail: str = ""


@dataclass
class Architecture:
    """What the picture shows, all read from one plan."""

    env: str
    vpc: str = ""
    vpc_cidr: str = ""
    azs: list[str] = field(default_factory=list)
    subnets: list[Subnet] = field(default_factory=list)
    nats: dict[str, str] = field(default_factory=dict)  # AZ -> NAT gateway
    igw: str | None = None
    groups: list[str] = field(default_factory=list)
    workloads: dict[str, Workload] = field(default_factory=dict)  # group -> workload
    edges: list[Edge] = field(default_factory=list)
    edge_rules: dict[Edge, list[str]] = field(default_factory=dict)
    layers: list[str] = field(default_factory=list)


def _ports(rule: dict[str, Any]) -> tuple[str, str]:
    protocol = str(rule.get("ipProtocol", "")).lower()
    if protocol in ("-1", "all"):
        return "all", "all"
    low, high = rule.get("fromPort"), rule.get("toPort")
    return protocol, str(low) if low == high else f"{low}-{high}"


def _peer(rule: dict[str, Any]) -> str:
    group = _ref(rule.get("referencedSecurityGroupId"))
    if group:
        return group
    cidr = rule.get("cidrIpv4") or rule.get("cidrIpv6") or rule.get("prefixListId") or "?"
    return INTERNET if cidr in ANYWHERE else str(cidr)


def traffic_edges(plan: PlatformPlan) -> dict[Edge, list[str]]:
    """Every traffic edge the security-group rules of the plan allow, with the rules behind it.

    An ingress rule on group G from peer P is P -> G; an egress rule on G to P is G -> P. The
    ALB -> app hop is allowed on both sides (egress on ALB, ingress on app): one edge, two rules.
    """
    found: dict[Edge, list[str]] = defaultdict(list)
    for _, r in plan.all_resources():
        if r.type not in (INGRESS, EGRESS):
            continue
        group = _ref(r.inputs.get("securityGroupId")) or "?"
        protocol, ports = _ports(r.inputs)
        peer = _peer(r.inputs)
        source, target = (peer, group) if r.type == INGRESS else (group, peer)
        found[Edge(source, target, protocol, ports)].append(r.name)
    return {edge: sorted(names) for edge, names in sorted(found.items())}


def architecture(plan: PlatformPlan) -> Architecture:
    """Read the picture's content from the plan."""
    arch = Architecture(env=plan.env, layers=[lp.layer for lp in plan.layers if lp.status == "planned"])
    by_name: dict[str, tuple[str, PlannedResource]] = {r.name: (layer, r) for layer, r in plan.all_resources()}

    def of_type(token: str) -> list[tuple[str, PlannedResource]]:
        return sorted(((lay, r) for lay, r in plan.all_resources() if r.type == token), key=lambda p: p[1].name)

    for _, vpc in of_type("aws:ec2/vpc:Vpc")[:1]:
        arch.vpc, arch.vpc_cidr = vpc.name, str(vpc.inputs.get("cidrBlock", ""))
    igws = of_type("aws:ec2/internetGateway:InternetGateway")
    arch.igw = igws[0][1].name if igws else None

    # Default route of each route table, then of each subnet through its association.
    table_route: dict[str, str] = {}
    for _, rt in of_type("aws:ec2/route:Route"):
        if rt.inputs.get("destinationCidrBlock") in ANYWHERE:
            target = _ref(rt.inputs.get("gatewayId")) or _ref(rt.inputs.get("natGatewayId"))
            table = _ref(rt.inputs.get("routeTableId"))
            if table and target:
                table_route[table] = target
    subnet_route: dict[str, str] = {}
    for _, assoc in of_type("aws:ec2/routeTableAssociation:RouteTableAssociation"):
        subnet, table = _ref(assoc.inputs.get("subnetId")), _ref(assoc.inputs.get("routeTableId"))
        if subnet and table in table_route:
            subnet_route[subnet] = table_route[table]
    igw_names = {r.name for _, r in igws}
    for _, sub in of_type("aws:ec2/subnet:Subnet"):
        route = subnet_route.get(sub.name)
        tier = "public" if route in igw_names else "private"
        zone, cidr = str(sub.inputs.get("availabilityZone")), str(sub.inputs.get("cidrBlock"))
        arch.subnets.append(Subnet(sub.name, zone, cidr, tier, route))
    arch.subnets.sort(key=lambda s: (s.az, s.tier != "public", s.name))
    arch.azs = sorted({s.az for s in arch.subnets})
    subnet_az = {s.name: s.az for s in arch.subnets}
    subnet_tier = {s.name: s.tier for s in arch.subnets}
    for _, nat in of_type("aws:ec2/natGateway:NatGateway"):
        az = subnet_az.get(_ref(nat.inputs.get("subnetId")) or "")
        if az:
            arch.nats[az] = nat.name

    arch.groups = [r.name for _, r in of_type("aws:ec2/securityGroup:SecurityGroup")]

    def tier_of(subnets: list[str]) -> str | None:
        tiers = {subnet_tier.get(s) for s in subnets} - {None}
        return tiers.pop() if len(tiers) == 1 else None

    def place(kind: str, layer: str, r: PlannedResource, groups: list[str], subnets: list[str], detail: str) -> None:
        for group in groups:
            arch.workloads.setdefault(group, Workload(kind, r.name, layer, group, tier_of(subnets), detail))

    for layer, lb in of_type("aws:lb/loadBalancer:LoadBalancer"):
        scheme = "internal" if lb.inputs.get("internal") else "internet-facing"
        place(
            "Application Load Balancer",
            layer,
            lb,
            refs(lb.inputs.get("securityGroups")),
            refs(lb.inputs.get("subnets")),
            scheme,
        )
    for layer, svc in of_type("aws:ecs/service:Service"):
        net = svc.inputs.get("networkConfiguration") or {}
        task = by_name.get(_ref(svc.inputs.get("taskDefinition")) or "", ("", None))[1]
        size = f"{task.inputs.get('cpu')} CPU / {task.inputs.get('memory')} MiB" if task else ""
        place(
            "ECS Fargate service",
            layer,
            svc,
            refs(net.get("securityGroups")),
            refs(net.get("subnets")),
            f"{svc.inputs.get('desiredCount')} tasks, {size}".strip(", "),
        )
    subnet_groups = {r.inputs.get("name") or r.name: r for _, r in of_type("aws:rds/subnetGroup:SubnetGroup")}
    for layer, db in of_type("aws:rds/instance:Instance"):
        group = subnet_groups.get(db.inputs.get("dbSubnetGroupName"))
        subnets = refs(group.inputs.get("subnetIds")) if group else []
        detail = f"{db.inputs.get('engine')} {db.inputs.get('engineVersion')}, {db.inputs.get('instanceClass')}"
        detail += ", Multi-AZ" if db.inputs.get("multiAz") else ", single-AZ"
        place("RDS database", layer, db, refs(db.inputs.get("vpcSecurityGroupIds")), subnets, detail)

    rules = traffic_edges(plan)
    arch.edges, arch.edge_rules = list(rules), rules
    return arch


# --- Mermaid --------------------------------------------------------------------------------------
def node_id(key: str) -> str:
    """A Mermaid node id for a node key (group name, subnet, "internet", CIDR)."""
    return INTERNET if key == INTERNET else "n_" + re.sub(r"[^A-Za-z0-9]", "_", key)


def node_label(arch: Architecture, key: str) -> str:
    """What a traffic node is called in both renderings."""
    if key == INTERNET:
        return "Internet (0.0.0.0/0)"
    w = arch.workloads.get(key)
    if w:
        return f"{w.kind}: {w.name}"
    return f"security group {key}" if key in arch.groups else key


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
        if not members or layer == "network":
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
    for layer, (fill, stroke) in LAYER_COLORS.items():
        ids = sorted(node_id(w.group) for w in arch.workloads.values() if w.layer == layer)
        if ids:
            lines.append(f"  classDef {layer} fill:{fill},stroke:{stroke}")
            lines.append(f"  class {','.join(ids)} {layer}")
    return "\n".join(lines) + "\n"


def mermaid_edges(mermaid: str) -> set[tuple[str, str, str]]:
    """(source id, target id, label) of every traffic arrow in a Mermaid text."""
    return {(src, dst, label) for src, label, dst in re.findall(r'^\s*(\S+) -->\|"([^"]*)"\| (\S+)$', mermaid, re.M)}


# --- SVG -----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Box:
    x: float
    y: float
    w: float
    h: float

    @property
    def cx(self) -> float:
        return self.x + self.w / 2


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
    fill, stroke = LAYER_COLORS["network"]
    out.append(
        f'<rect x="{left}" y="{vpc_top}" width="{right - left}" height="{vpc_bottom - vpc_top}" rx="10" '
        f'fill="{fill}" stroke="{stroke}" stroke-width="2"/>'
    )
    out.append(
        f'<text x="{left + 12}" y="{vpc_top + 22}" font-weight="bold">network layer: VPC {_esc(arch.vpc)} '
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
        fill, stroke = LAYER_COLORS.get(held.layer, ("#f5f5f5", "#666")) if held else ("#f5f5f5", "#666")
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
    for layer, (fill, stroke) in LAYER_COLORS.items():
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


# --- the docs page ---------------------------------------------------------------------------------
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
