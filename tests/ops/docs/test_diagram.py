"""The architecture picture is the plan: its edges are the security-group rules' edges, and the
committed docs are exactly what `invoke diagram --env prod` generates now."""

from __future__ import annotations

import dataclasses

from ops.docs.diagram import diagram_paths, to_markdown
from ops.docs.diagram_model import INTERNET, Edge, architecture, node_id, traffic_edges
from ops.docs.mermaid import mermaid_edges, to_mermaid
from ops.docs.svg import svg_edges, to_svg
from ops.plan.mock_engine import PlannedResource

EXPECTED_PROD_EDGES = {
    Edge(INTERNET, "sg-payments-alb-prod", "tcp", "443"),
    Edge(INTERNET, "sg-payments-alb-prod", "tcp", "80"),
    Edge("sg-payments-alb-prod", "sg-payments-app-prod", "tcp", "3000"),
    Edge("sg-payments-app-prod", "sg-payments-db-prod", "tcp", "5432"),
    Edge("sg-payments-app-prod", INTERNET, "tcp", "443"),
}


def test_traffic_edges_of_prod_are_the_request_path_with_its_ports(platform_plan):
    edges = traffic_edges(platform_plan("prod"))
    assert set(edges) == EXPECTED_PROD_EDGES
    # ALB -> app is allowed on both sides: the ALB's egress and the app's ingress rule.
    assert edges[Edge("sg-payments-alb-prod", "sg-payments-app-prod", "tcp", "3000")] == [
        "sgr-payments-alb-out-app-prod",
        "sgr-payments-app-in-alb-prod",
    ]


def test_mermaid_arrows_equal_the_plan_edges(platform_plan):
    plan = platform_plan("prod")
    expected = {(node_id(e.source), node_id(e.target), e.label) for e in traffic_edges(plan)}
    assert mermaid_edges(to_mermaid(architecture(plan))) == expected


def test_svg_arrows_equal_the_plan_edges(platform_plan):
    plan = platform_plan("prod")
    assert svg_edges(to_svg(architecture(plan))) == set(traffic_edges(plan))


def test_architecture_shows_two_azs_their_subnets_gateways_and_workload_tiers(platform_plan):
    arch = architecture(platform_plan("prod"))
    assert arch.vpc_cidr == "10.10.0.0/16"
    assert arch.azs == ["ap-northeast-2a", "ap-northeast-2c"]
    assert {(s.az, s.tier, s.cidr, s.default_route) for s in arch.subnets} == {
        ("ap-northeast-2a", "public", "10.10.0.0/24", "igw-payments-prod"),
        ("ap-northeast-2c", "public", "10.10.1.0/24", "igw-payments-prod"),
        ("ap-northeast-2a", "private", "10.10.16.0/20", "nat-payments-ap-northeast-2a-prod"),
        ("ap-northeast-2c", "private", "10.10.32.0/20", "nat-payments-ap-northeast-2c-prod"),
    }
    assert arch.nats == {
        "ap-northeast-2a": "nat-payments-ap-northeast-2a-prod",
        "ap-northeast-2c": "nat-payments-ap-northeast-2c-prod",
    }
    assert {g: (w.name, w.layer, w.tier) for g, w in arch.workloads.items()} == {
        "sg-payments-alb-prod": ("alb-payments-prod", "edge", "public"),
        "sg-payments-app-prod": ("ecs-payments-api-prod", "compute", "private"),
        "sg-payments-db-prod": ("rds-payments-prod", "data", "private"),
    }


def test_dev_has_one_nat_gateway_for_both_private_subnets(platform_plan):
    arch = architecture(platform_plan("dev"))
    assert len(arch.nats) == 1
    assert len({s.default_route for s in arch.subnets if s.tier == "private"}) == 1


def test_a_new_security_group_rule_appears_in_both_renderings(platform_plan):
    plan = platform_plan("prod")
    extra = PlannedResource(
        "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
        "sgr-payments-db-in-vpn-prod",
        {
            "securityGroupId": "(known after apply: sg-payments-db-prod.id)",
            "cidrIpv4": "10.99.0.0/16",
            "ipProtocol": "tcp",
            "fromPort": 5432,
            "toPort": 5432,
        },
        True,
    )
    network = plan.layer("network")
    changed = dataclasses.replace(
        plan, layers=[dataclasses.replace(network, resources=[*network.resources, extra]), *plan.layers[1:]]
    )
    new = Edge("10.99.0.0/16", "sg-payments-db-prod", "tcp", "5432")
    arch = architecture(changed)
    assert new in svg_edges(to_svg(arch))
    assert (node_id(new.source), node_id(new.target), "tcp 5432") in mermaid_edges(to_mermaid(arch))


def test_committed_docs_match_a_fresh_generation(platform_plan):
    markdown, svg = diagram_paths("prod")
    arch = architecture(platform_plan("prod"))
    assert svg.read_text() == to_svg(arch), "run `invoke diagram --env prod` and commit the result"
    assert markdown.read_text() == to_markdown(arch, svg.name), "run `invoke diagram --env prod` and commit the result"
    assert f"![architecture of prod]({svg.name})" in markdown.read_text()
    assert "```mermaid\nflowchart TB\n" in markdown.read_text()


def test_the_load_balancer_box_shows_the_web_acl_in_front_of_it(platform_plan):
    arch = architecture(platform_plan("prod"))
    [alb] = [w for w in arch.workloads.values() if w.kind == "Application Load Balancer"]
    assert alb.detail == "internet-facing, behind WAF waf-payments-prod"
    assert "behind WAF waf-payments-prod" in to_svg(arch) and "behind WAF waf-payments-prod" in to_mermaid(arch)
