"""The architecture a diagram shows, read from the offline plan: subnets, workloads and the traffic edges
the security-group rules allow.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from ops.plan.mock_engine import PlannedResource
from ops.plan.platform import PlatformPlan
from shared.layers import layer_names, lifecycle

INTERNET = "internet"


ANYWHERE = frozenset({"0.0.0.0/0", "::/0"})


_REF = re.compile(r"\(known after apply: ([^.()]+)\.[^()]*\)")


INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"


EGRESS = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"


def layer_colors() -> dict[str, tuple[str, str]]:
    """Fill and stroke colour of each layer's boxes, as the layers declare them, in graph order."""
    return {layer: lifecycle(layer).diagram_colors for layer in layer_names()}


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
    vpc_layer: str = ""  # the layer that owns the VPC (drawn as the frame around the subnets)


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

    for vpc_layer, vpc in of_type("aws:ec2/vpc:Vpc")[:1]:
        arch.vpc, arch.vpc_cidr, arch.vpc_layer = vpc.name, str(vpc.inputs.get("cidrBlock", "")), vpc_layer
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

    # A web ACL in front of a load balancer (its association names both): drawn in the ALB's box.
    firewalls = {
        _ref(assoc.inputs.get("resourceArn")): _ref(assoc.inputs.get("webAclArn"))
        for _, assoc in of_type("aws:wafv2/webAclAssociation:WebAclAssociation")
    }
    for layer, lb in of_type("aws:lb/loadBalancer:LoadBalancer"):
        scheme = "internal" if lb.inputs.get("internal") else "internet-facing"
        waf = firewalls.get(lb.name)
        place(
            "Application Load Balancer",
            layer,
            lb,
            refs(lb.inputs.get("securityGroups")),
            refs(lb.inputs.get("subnets")),
            f"{scheme}, behind WAF {waf}" if waf else scheme,
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
