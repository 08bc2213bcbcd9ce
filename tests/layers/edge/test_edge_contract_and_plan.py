"""Edge exports, tags and names everywhere, determinism, and its place in the offline plan."""

import json

import pytest

from shared.aws_schema import is_taggable
from shared.contracts.edge import EdgeContract
from shared.plan_values import computed, is_computed
from shared.tags import REQUIRED_TAG_KEYS

KINDS = (
    "alarm",
    "logpolicy",
    "logsub",
    "alb",
    "tg",
    "listener",
    "cert",
    "certvalidation",
    "zone",
    "dns",
    "s3",
    "s3ownership",
    "s3publicaccess",
    "s3encryption",
    "s3lifecycle",
    "s3policy",
    "s3versioning",
    "waf",
    "wafassoc",
    "waflogging",
    "kms",
    "log",
)


def test_exports_are_exactly_the_edge_contract(prod_plan):
    assert tuple(prod_plan.exports) == EdgeContract.names()
    assert prod_plan.secret_exports == ()
    assert prod_plan.exports["service_url"] == "https://api.payments.example.com"
    assert prod_plan.exports["alb_arn"] == computed("alb-payments-prod", "arn")
    assert prod_plan.exports["alb_dns_name"] == computed("alb-payments-prod", "dnsName")
    assert prod_plan.exports["alb_zone_id"] == computed("alb-payments-prod", "zoneId")
    assert prod_plan.exports["target_group_arn"] == computed("tg-payments-app-prod", "arn")
    assert prod_plan.exports["https_listener_arn"] == computed("listener-payments-https-prod", "arn")
    assert prod_plan.exports["certificate_arn"] == computed("cert-payments-prod", "arn")


def test_dev_service_url_uses_the_dev_domain(dev_plan):
    assert dev_plan.exports["service_url"] == "https://api.dev.payments.example.com"


@pytest.mark.parametrize("env", ["prod", "dev"])
def test_every_taggable_resource_carries_the_required_tags(run_layer, env):
    plan = run_layer("edge", env)
    tagged = [r for r in plan.custom_resources() if is_taggable(r.type)]
    assert {r.type for r in tagged} >= {
        "aws:lb/loadBalancer:LoadBalancer",
        "aws:lb/targetGroup:TargetGroup",
        "aws:lb/listener:Listener",
        "aws:acm/certificate:Certificate",
        "aws:route53/zone:Zone",
        "aws:s3/bucket:Bucket",
    }
    label = {"prod": "production", "dev": "development"}[env]
    for r in tagged:
        tags = r.inputs.get("tags", {})
        assert set(REQUIRED_TAG_KEYS) <= set(tags), r.name
        assert (tags["Environment"], tags["ManagedBy"], tags["Project"], tags["Layer"]) == (
            label,
            "pulumi",
            "payments",
            "edge",
        ), r.name


@pytest.mark.parametrize("env", ["prod", "dev"])
def test_every_resource_name_is_type_service_purpose_env(run_layer, env):
    for r in run_layer("edge", env).custom_resources():
        # A KMS alias is named after its key: `alias-kms-<service>-<purpose>-<env>`.
        kind, service, *_ = r.name.removeprefix("alias-" if r.type == "aws:kms/alias:Alias" else "").split("-")
        assert r.name.endswith(f"-{env}"), r.name
        assert (kind, service) in {(k, "payments") for k in KINDS}, r.name


def test_the_program_is_deterministic(run_layer):
    def snapshot(plan):
        # registration order is async; what must not change is each resource's inputs
        return sorted((r.type, r.name, json.dumps(r.inputs, sort_keys=True)) for r in plan.resources)

    assert snapshot(run_layer("edge", "prod")) == snapshot(run_layer("edge", "prod", fresh=True))


def test_the_provider_pins_the_configured_region(prod_plan):
    (provider,) = [r for r in prod_plan.resources if r.type == "pulumi:providers:aws"]
    assert provider.inputs["region"] == "ap-northeast-2"


def test_edge_reads_only_the_network_stack(prod_plan):
    refs = [r.inputs["name"] for r in prod_plan.by_type("pulumi:pulumi:StackReference")]
    assert refs == ["organization/network/prod"]


@pytest.mark.parametrize("env", ["prod", "dev"])
def test_offline_plan_runs_network_then_edge_wired_together(platform_plan, env):
    plan = platform_plan(env)
    names = [lp.layer for lp in plan.layers]
    assert names.index("network") < names.index("edge")
    network, edge = plan.layer("network"), plan.layer("edge")
    assert (network.status, edge.status) == ("planned", "planned"), edge.error
    alb = edge.one("aws:lb/loadBalancer:LoadBalancer").inputs
    # the ALB sits in the network layer's real public subnets, behind its ALB group
    assert alb["subnets"] == network.exports["public_subnet_ids"]
    assert alb["subnets"] == [computed(f"subnet-payments-public-ap-northeast-2{az}-{env}", "id") for az in "ac"]
    assert alb["securityGroups"] == [network.exports["alb_security_group_id"]]
    assert edge.one("aws:lb/targetGroup:TargetGroup").inputs["vpcId"] == network.exports["vpc_id"]
    assert set(edge.exports) == set(EdgeContract.names())
    assert is_computed(edge.exports["target_group_arn"])
