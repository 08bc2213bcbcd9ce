"""The network layer under mocks: real values, not shapes."""

import ipaddress
import itertools
import json

import pytest

from shared.aws_schema import is_taggable
from shared.contracts.network import NetworkContract
from shared.plan_values import computed
from shared.tags import REQUIRED_TAG_KEYS

AZS = ("ap-northeast-2a", "ap-northeast-2c")
SUBNET = "aws:ec2/subnet:Subnet"
ROUTE = "aws:ec2/route:Route"
ASSOC = "aws:ec2/routeTableAssociation:RouteTableAssociation"
NAT = "aws:ec2/natGateway:NatGateway"
INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
EGRESS = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"
SG = "aws:ec2/securityGroup:SecurityGroup"


def ref(name: str, prop: str = "id") -> str:
    return computed(name, prop)


def test_one_public_and_one_private_subnet_per_az(prod_plan):
    subnets = prod_plan.by_type(SUBNET)
    tiers = sorted((s.inputs["availabilityZone"], s.inputs["tags"]["Tier"]) for s in subnets)
    assert tiers == [(az, tier) for az in AZS for tier in ("private", "public")]
    assert all(s.inputs["vpcId"] == ref("vpc-payments-prod") for s in subnets)
    assert all(s.inputs["mapPublicIpOnLaunch"] is False for s in subnets)


def test_subnets_lie_inside_the_vpc_and_do_not_overlap(prod_plan):
    vpc = ipaddress.IPv4Network(prod_plan.one("aws:ec2/vpc:Vpc").inputs["cidrBlock"])
    assert str(vpc) == "10.10.0.0/16"
    nets = [ipaddress.IPv4Network(s.inputs["cidrBlock"]) for s in prod_plan.by_type(SUBNET)]
    assert len(nets) == 4
    assert all(n.subnet_of(vpc) for n in nets)
    assert not any(a.overlaps(b) for a, b in itertools.combinations(nets, 2))


def _associations(plan):
    return {a.inputs["subnetId"]: a.inputs["routeTableId"] for a in plan.by_type(ASSOC)}


def test_public_subnets_route_to_the_internet_gateway(prod_plan):
    (route,) = [r for r in prod_plan.by_type(ROUTE) if "gatewayId" in r.inputs]
    assert route.inputs["destinationCidrBlock"] == "0.0.0.0/0"
    assert route.inputs["gatewayId"] == ref("igw-payments-prod")
    assoc = _associations(prod_plan)
    for az in AZS:
        assert assoc[ref(f"subnet-payments-public-{az}-prod")] == route.inputs["routeTableId"]


def test_prod_has_a_nat_per_az_and_each_private_subnet_uses_its_own_az(prod_plan):
    nats = {n.name: n for n in prod_plan.by_type(NAT)}
    assert sorted(nats) == [f"nat-payments-{az}-prod" for az in AZS]
    assoc = _associations(prod_plan)
    for az in AZS:
        nat = nats[f"nat-payments-{az}-prod"]
        assert nat.inputs["subnetId"] == ref(f"subnet-payments-public-{az}-prod")
        assert nat.inputs["allocationId"] == ref(f"eip-payments-nat-{az}-prod")
        route = prod_plan.named(f"route-payments-private-nat-{az}-prod")
        assert route.inputs["destinationCidrBlock"] == "0.0.0.0/0"
        assert route.inputs["natGatewayId"] == ref(f"nat-payments-{az}-prod")
        assert assoc[ref(f"subnet-payments-private-{az}-prod")] == route.inputs["routeTableId"]
        assert route.inputs["routeTableId"] == ref(f"rtb-payments-private-{az}-prod")


def test_dev_shares_one_nat_across_both_private_route_tables(dev_plan):
    (nat,) = dev_plan.by_type(NAT)
    assert nat.name == "nat-payments-ap-northeast-2a-dev"
    assert len(dev_plan.by_type("aws:ec2/eip:Eip")) == 1
    for az in AZS:
        route = dev_plan.named(f"route-payments-private-nat-{az}-dev")
        assert route.inputs["natGatewayId"] == ref("nat-payments-ap-northeast-2a-dev")


def test_default_security_group_has_no_rules(prod_plan):
    default = prod_plan.one("aws:ec2/defaultSecurityGroup:DefaultSecurityGroup")
    assert default.inputs["ingress"] == [] and default.inputs["egress"] == []
    assert default.inputs["vpcId"] == ref("vpc-payments-prod")


@pytest.mark.parametrize("env", ["prod", "dev"])
def test_default_network_acl_is_owned_and_allows_what_aws_allows_by_default(run_layer, env):
    nacl = run_layer("network", env).one("aws:ec2/defaultNetworkAcl:DefaultNetworkAcl").inputs
    assert nacl["defaultNetworkAclId"] == ref(f"vpc-payments-{env}", "defaultNetworkAclId")
    allow_all = {
        "ruleNo": 100,
        "action": "allow",
        "protocol": "-1",
        "cidrBlock": "0.0.0.0/0",
        "fromPort": 0,
        "toPort": 0,
    }
    assert nacl["ingress"] == [allow_all]
    assert nacl["egress"] == [allow_all]
    assert nacl["tags"]["Name"] == f"nacl-payments-default-{env}"


def test_default_network_acl_names_every_subnet_so_no_association_drifts(prod_plan):
    nacl = prod_plan.one("aws:ec2/defaultNetworkAcl:DefaultNetworkAcl").inputs
    assert sorted(nacl["subnetIds"]) == sorted(ref(s.name) for s in prod_plan.by_type(SUBNET))
    assert len(nacl["subnetIds"]) == 4


@pytest.mark.parametrize(("env", "days"), [("prod", 30), ("dev", 7)])
def test_network_keys_deletion_waits_thirty_days_in_protected_environments_and_seven_in_dev(run_layer, env, days):
    keys = run_layer("network", env).by_type("aws:kms/key:Key")
    assert len(keys) == 4  # flow logs, alarm topic, audit archive, the archive stream's error log
    assert {k.name: k.inputs["deletionWindowInDays"] for k in keys} == {k.name: days for k in keys}


def _edges(plan):
    """(direction, group, port, peer) for every rule; peer is a group name or a CIDR."""
    groups = {ref(g.name): g.name.split("-")[2] for g in plan.by_type(SG)}
    edges = set()
    for token, direction in ((INGRESS, "in"), (EGRESS, "out")):
        for rule in plan.by_type(token):
            i = rule.inputs
            assert i["ipProtocol"] == "tcp" and i["fromPort"] == i["toPort"]
            peer = groups[i["referencedSecurityGroupId"]] if "referencedSecurityGroupId" in i else i["cidrIpv4"]
            edges.add((direction, groups[i["securityGroupId"]], i["toPort"], peer))
    return edges


def test_security_group_graph_is_exactly_alb_to_app_to_db(prod_plan):
    assert _edges(prod_plan) == {
        ("in", "alb", 443, "0.0.0.0/0"),
        ("in", "alb", 80, "0.0.0.0/0"),
        ("out", "alb", 3000, "app"),
        ("in", "app", 3000, "alb"),
        ("out", "app", 5432, "db"),
        ("out", "app", 443, "0.0.0.0/0"),
        ("in", "db", 5432, "app"),
    }


def test_nothing_but_the_alb_listens_to_the_world(prod_plan):
    open_to_world = {(g, p) for d, g, p, peer in _edges(prod_plan) if d == "in" and peer == "0.0.0.0/0"}
    assert open_to_world == {("alb", 443), ("alb", 80)}
    assert all("ingress" not in g.inputs and "egress" not in g.inputs for g in prod_plan.by_type(SG))


def test_the_database_group_has_no_egress_at_all(prod_plan):
    assert not [e for e in _edges(prod_plan) if e[0] == "out" and e[1] == "db"]


def test_group_names_are_prefixes_aws_accepts_and_carry_the_environment(prod_plan):
    prefixes = sorted(g.inputs["namePrefix"] for g in prod_plan.by_type(SG))
    assert prefixes == ["secgroup-payments-alb-prod-", "secgroup-payments-app-prod-", "secgroup-payments-db-prod-"]
    assert all("name" not in g.inputs for g in prod_plan.by_type(SG))


def test_every_group_and_rule_has_a_description(prod_plan):
    for r in [*prod_plan.by_type(SG), *prod_plan.by_type(INGRESS), *prod_plan.by_type(EGRESS)]:
        assert len(r.inputs.get("description", "")) >= 10, r.name
    assert all(g.inputs["revokeRulesOnDelete"] is True for g in prod_plan.by_type(SG))


def test_flow_logs_go_to_a_kms_encrypted_seven_day_log_group(prod_plan):
    log_group = prod_plan.named("log-payments-vpcflow-prod")
    key = prod_plan.named("kms-payments-vpcflow-logs-prod")
    flow = prod_plan.one("aws:ec2/flowLog:FlowLog")
    assert log_group.inputs["retentionInDays"] == 7
    assert log_group.inputs["kmsKeyId"] == ref(key.name, "arn")
    assert key.inputs["enableKeyRotation"] is True
    assert flow.inputs["logDestination"] == ref(log_group.name, "arn")
    assert flow.inputs["vpcId"] == ref("vpc-payments-prod")
    assert flow.inputs["trafficType"] == "ALL"
    assert flow.inputs["iamRoleArn"] == ref("role-payments-flowlogs-prod", "arn")


def test_flow_log_key_lets_cloudwatch_use_it_for_that_log_group_only(prod_plan):
    policy = json.loads(prod_plan.named("kms-payments-vpcflow-logs-prod").inputs["policy"])
    by_sid = {s["Sid"]: s for s in policy["Statement"]}
    logs = by_sid["CloudWatchLogsUsesKeyForOneLogGroup"]
    assert logs["Principal"] == {"Service": "logs.ap-northeast-2.amazonaws.com"}
    assert logs["Condition"] == {
        "ArnEquals": {
            "kms:EncryptionContext:aws:logs:arn": "arn:aws:logs:ap-northeast-2:123456789012:log-group:log-payments-vpcflow-prod"
        }
    }
    admin = by_sid["AccountAdministersAndDelegatesThroughIam"]
    assert admin["Principal"] == {"AWS": "arn:aws:iam::123456789012:root"}
    assert all(a != "*" and a != "kms:*" for s in policy["Statement"] for a in s["Action"])


def test_flow_log_role_is_assumable_by_the_service_for_this_accounts_flow_logs_only(prod_plan):
    trust = json.loads(prod_plan.named("role-payments-flowlogs-prod").inputs["assumeRolePolicy"])
    (stmt,) = trust["Statement"]
    assert stmt["Principal"] == {"Service": "vpc-flow-logs.amazonaws.com"}
    assert stmt["Action"] == "sts:AssumeRole"
    assert stmt["Condition"] == {
        "StringEquals": {"aws:SourceAccount": "123456789012"},
        "ArnLike": {"aws:SourceArn": "arn:aws:ec2:ap-northeast-2:123456789012:vpc-flow-log/*"},
    }


def test_flow_log_role_has_the_documented_delivery_actions_on_its_own_group_only(prod_plan):
    policy = json.loads(prod_plan.named("policy-payments-flowlogs-prod").inputs["policy"])
    by_sid = {s["Sid"]: s for s in policy["Statement"]}
    arn = ref("log-payments-vpcflow-prod", "arn")
    write = by_sid["WriteFlowLogsToOneGroup"]
    assert write["Resource"] == [arn, f"{arn}:*"]
    assert write["Action"] == [
        "logs:CreateLogGroup",
        "logs:CreateLogStream",
        "logs:DescribeLogStreams",
        "logs:PutLogEvents",
    ]
    find = by_sid["FindTheGroup"]
    assert find["Action"] == ["logs:DescribeLogGroups"]
    assert find["Resource"] == ["arn:aws:logs:ap-northeast-2:123456789012:log-group:*"]
    granted = {a for s in policy["Statement"] for a in s["Action"]}
    # exactly the five actions AWS documents for flow logs to CloudWatch Logs
    assert granted == {
        "logs:CreateLogGroup",
        "logs:CreateLogStream",
        "logs:PutLogEvents",
        "logs:DescribeLogGroups",
        "logs:DescribeLogStreams",
    }
    assert all(s["Effect"] == "Allow" and "*" not in s["Resource"] for s in policy["Statement"])


def test_flow_log_is_created_after_its_role_policy_exists(registrations, run_layer):
    run_layer("network", "prod")
    flow = registrations["flowlog-payments-prod"]
    assert any(urn.endswith("::policy-payments-flowlogs-prod") for urn in flow.dependencies)
    assert flow.parent.endswith("::flowlogs-payments-prod")


def test_every_taggable_resource_carries_the_required_tags(prod_plan):
    tagged = [r for r in prod_plan.custom_resources() if is_taggable(r.type)]
    assert len(tagged) > 20
    for r in tagged:
        tags = r.inputs.get("tags") or {}
        assert set(REQUIRED_TAG_KEYS) <= set(tags), r.name
        assert tags["Environment"] == "production" and tags["Layer"] == "network", r.name
        assert tags["ManagedBy"] == "pulumi" and tags["Project"] == "payments", r.name


def test_every_resource_name_ends_with_the_environment(prod_plan, dev_plan):
    for plan, env in ((prod_plan, "prod"), (dev_plan, "dev")):
        for r in plan.resources:
            assert r.name.endswith(f"-{env}"), r.name
            if "name" in r.inputs and r.type != "aws:kms/alias:Alias":
                assert r.inputs["name"].endswith(f"-{env}"), r.name


def test_exports_are_exactly_the_network_contract(prod_plan):
    assert set(prod_plan.exports) == set(NetworkContract.names())
    assert prod_plan.exports["availability_zones"] == list(AZS)
    assert prod_plan.exports["public_subnet_ids"] == [ref(f"subnet-payments-public-{az}-prod") for az in AZS]
    assert prod_plan.exports["private_subnet_ids"] == [ref(f"subnet-payments-private-{az}-prod") for az in AZS]
    assert prod_plan.exports["db_security_group_id"] == ref("sg-payments-db-prod")
    assert len(prod_plan.exports["nat_public_ips"]) == 2


def test_the_program_is_deterministic(run_layer):
    def snapshot(plan):
        return sorted((r.type, r.name, json.dumps(r.inputs, sort_keys=True)) for r in plan.resources)

    assert snapshot(run_layer("network", "prod")) == snapshot(run_layer("network", "prod", fresh=True))


def test_the_provider_pins_the_configured_region(prod_plan):
    provider = prod_plan.one("pulumi:providers:aws")
    assert provider.inputs["region"] == "ap-northeast-2"
