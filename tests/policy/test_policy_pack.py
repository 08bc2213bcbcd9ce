"""The CrossGuard pack: the same rule functions, fed what pulumi_policy really passes."""

from __future__ import annotations

import json
import runpy
import subprocess
import sys
import textwrap
import tomllib
from importlib import metadata
from pathlib import Path
from typing import Any

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from payments_policy.engine_props import camel, normalize_props, stack_of
from payments_policy.pack import PACK_NAME, policies
from payments_policy.rules import RULES
from pulumi_policy import (
    PolicyCustomTimeouts,
    PolicyResource,
    PolicyResourceOptions,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE, unknown_checking_proxy

REPO = Path(__file__).resolve().parents[2]
POLICY_DIR = REPO / "policy"
OPTS = PolicyResourceOptions(False, [], None, [], PolicyCustomTimeouts(0, 0, 0), [])


def urn(token: str, name: str, stack: str = "prod") -> str:
    return f"urn:pulumi:{stack}::network::{token}::{name}"


def by_name(name: str):
    return next(p for p in policies() if p.name == name)


def run_resource_policy(name: str, token: str, resource: str, props: dict, stack: str = "prod") -> list[str]:
    policy = by_name(name)
    assert isinstance(policy, ResourceValidationPolicy)
    reported: list[str] = []
    args = ResourceValidationArgs(
        token, unknown_checking_proxy(props), urn(token, resource, stack), resource, OPTS, None
    )
    policy.validate(args, lambda message, _urn=None: reported.append(message))
    return reported


def policy_resource(token: str, name: str, props: dict, deps: dict | None = None) -> PolicyResource:
    return PolicyResource(
        token, unknown_checking_proxy(props), urn(token, name), name, OPTS, None, None, [], deps or {}
    )


def run_stack_policy(name: str, resources: list[PolicyResource]) -> list[tuple[str, str | None]]:
    policy = by_name(name)
    assert isinstance(policy, StackValidationPolicy)
    reported: list[tuple[str, str | None]] = []
    policy.validate(StackValidationArgs(resources, {}), lambda message, u=None: reported.append((message, u)))
    return reported


def test_pack_declares_one_mandatory_policy_per_rule_in_rule_order():
    made = policies()
    assert [p.name for p in made] == [r.id for r in RULES]
    assert {p.name for p in made if isinstance(p, StackValidationPolicy)} == {
        "s3-encrypted",
        "alb-has-web-acl",
        "no-public-ingress",
    }
    assert all(p.enforcement_level.value == "mandatory" for p in made)


def test_policy_folder_is_a_python_pack_with_a_virtualenv_of_its_own():
    text = (POLICY_DIR / "PulumiPolicy.yaml").read_text()
    assert "name: python" in text and "virtualenv: venv" in text
    main = (POLICY_DIR / "__main__.py").read_text()
    assert "PolicyPack(" in main and "policies()" in main and PACK_NAME == "payments-platform"


def _pyproject() -> dict[str, Any]:
    return tomllib.loads((REPO / "pyproject.toml").read_text())["project"]


def pack_requirements() -> list[Requirement]:
    lines = (POLICY_DIR / "requirements.txt").read_text().splitlines()
    return [Requirement(line) for line in lines if line.strip() and not line.startswith("#")]


def _with_dependencies(names: set[str]) -> set[str]:
    """`names` and every distribution they require, as installed here (no extras)."""
    seen: set[str] = set()
    todo = [canonicalize_name(n) for n in names]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        for text in metadata.requires(name) or []:
            requirement = Requirement(text)
            if requirement.marker is None or requirement.marker.evaluate({"extra": ""}):
                todo.append(canonicalize_name(requirement.name))
    return seen


# Loads the pack as Pulumi would (policy/__main__.py) with the repository's own install hidden (no
# editable-install finder, no `ops`, no layer package) and every library outside the pack's
# requirements refused, then judges each case with the pack's own policies. Prints the verdicts.
LOAD_THE_PACK_ALONE = textwrap.dedent(
    """
    import json, re, runpy, sys
    from importlib import metadata

    allowed, cases = json.loads(sys.argv[3]), json.loads(sys.argv[4])
    owners = metadata.packages_distributions()

    class OutsideTheRequirements:
        def find_spec(self, name, path=None, target=None):
            dists = {re.sub(r"[-_.]+", "-", d).lower() for d in owners.get(name.partition(".")[0], [])}
            if dists and not dists & set(allowed):
                raise ImportError(f"{name} is not in the pack's requirements")
            return None

    sys.meta_path[:] = [f for f in sys.meta_path if not getattr(f, "__module__", "").startswith("__editable__")]
    sys.meta_path.insert(0, OutsideTheRequirements())
    for name in ("ops", "payments_network", "payments_data", "payments_edge", "payments_compute"):
        sys.modules[name] = None  # importing any of them now fails
    import pulumi_policy
    from pulumi_policy import PolicyCustomTimeouts, PolicyResourceOptions, ResourceValidationArgs
    from pulumi_policy.proxy import unknown_checking_proxy

    built = {}
    pulumi_policy.PolicyPack = lambda **kwargs: built.update(kwargs)  # the real one serves gRPC
    runpy.run_path(sys.argv[1], run_name="__main__")
    import shared
    assert shared.__file__.startswith(sys.argv[2]), shared.__file__  # from the checkout
    policies = {p.name: p for p in built["policies"]}
    options = PolicyResourceOptions(False, [], None, [], PolicyCustomTimeouts(0, 0, 0), [])
    verdicts = []
    for rule, token, name, props in cases:
        urn = f"urn:pulumi:prod::network::{token}::{name}"
        args = ResourceValidationArgs(token, unknown_checking_proxy(props), urn, name, options, None)
        reported = []
        policies[rule].validate(args, lambda message, _urn=None: reported.append(message))
        verdicts.append(reported)
    print(json.dumps({"rules": len(built["policies"]), "verdicts": verdicts}))
    """
)

PACK_CASES = [  # rule, type, name, inputs: each breaks its rule once
    ("required-tags", "aws:ec2/vpc:Vpc", "vpc-payments-prod", {"cidrBlock": "10.10.0.0/16"}),
    ("kms-rotation", "aws:kms/key:Key", "kms-payments-data-prod", {"enableKeyRotation": False}),
    ("log-retention", "aws:cloudwatch/logGroup:LogGroup", "log-payments-vpcflow-prod", {"retentionInDays": 14}),
]


def test_the_pack_judges_with_only_its_requirements_and_the_checkouts_shared_package():
    # The repository's own packages are allowed through: they come from the checkout's path, and
    # `ops` and the layer packages are refused by name.
    allowed = sorted(
        _with_dependencies({r.name for r in pack_requirements()}) | {canonicalize_name(_pyproject()["name"])}
    )
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            LOAD_THE_PACK_ALONE,
            str(POLICY_DIR),
            str(REPO / "shared"),
            json.dumps(allowed),
            json.dumps(PACK_CASES),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=POLICY_DIR,
    )
    assert result.returncode == 0, result.stderr
    loaded = json.loads(result.stdout)
    assert loaded["rules"] == len(RULES)
    # The same verdicts as in the repository's own environment, and each case is refused.
    assert loaded["verdicts"] == [run_resource_policy(*case) for case in PACK_CASES]
    assert all(loaded["verdicts"])


def test_the_packs_requirements_are_pinned_as_the_repository_pins_them():
    repository = {
        canonicalize_name(Requirement(r).name): str(Requirement(r).specifier) for r in _pyproject()["dependencies"]
    }
    pinned = {canonicalize_name(r.name): str(r.specifier) for r in pack_requirements()}
    assert pinned and all(spec.startswith("==") for spec in pinned.values()), pinned
    assert {name: repository.get(name) for name in pinned} == pinned


def test_pack_main_builds_the_pack_with_every_policy(monkeypatch):
    built = {}

    class FakePack:  # the real PolicyPack starts a gRPC server and blocks
        def __init__(self, **kwargs):
            built.update(kwargs)

    monkeypatch.setattr("pulumi_policy.PolicyPack", FakePack)
    runpy.run_path(str(POLICY_DIR), run_name="__main__")
    assert built["name"] == "payments-platform"
    assert [p.name for p in built["policies"]] == [r.id for r in RULES]


def test_resource_policy_reports_a_key_without_rotation():
    reported = run_resource_policy(
        "kms-rotation", "aws:kms/key:Key", "kms-payments-data-prod", {"enableKeyRotation": False}
    )
    assert reported == ["enableKeyRotation must be true, got False"]


def test_resource_policy_does_not_fail_on_a_value_unknown_during_preview():
    # Reading an unknown through the pulumi_policy proxy raises; the pack normalises it instead.
    props = {"kmsKeyId": UNKNOWN_STRING_VALUE, "retentionInDays": 7}
    assert (
        run_resource_policy("log-groups-encrypted-with-cmk", "aws:cloudwatch/logGroup:LogGroup", "log-x-prod", props)
        == []
    )


def test_resource_policy_reads_the_stack_from_the_urn():
    reported = run_resource_policy("environment-suffix", "aws:ec2/vpc:Vpc", "vpc-payments-prod", {}, stack="dev")
    assert reported == ["logical name 'vpc-payments-prod' does not end with '-dev'"]


def test_resource_policy_skips_types_the_rule_does_not_cover():
    assert (
        run_resource_policy("kms-rotation", "aws:ec2/vpc:Vpc", "vpc-payments-prod", {"enableKeyRotation": False}) == []
    )


def test_stack_policy_resolves_the_opened_group_through_property_dependencies():
    alb = policy_resource(
        "aws:ec2/securityGroup:SecurityGroup", "sg-payments-alb-prod", {"name": "sg-payments-alb-prod"}
    )
    app = policy_resource(
        "aws:ec2/securityGroup:SecurityGroup", "sg-payments-app-prod", {"name": "sg-payments-app-prod"}
    )
    token = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"

    def rule(name: str, group: PolicyResource, port: int) -> PolicyResource:
        props = {
            "securityGroupId": UNKNOWN_STRING_VALUE,
            "cidrIpv4": "0.0.0.0/0",
            "ipProtocol": "tcp",
            "fromPort": port,
            "toPort": port,
        }
        return policy_resource(token, name, props, {"securityGroupId": [group]})

    reported = run_stack_policy(
        "no-public-ingress",
        [alb, app, rule("sgr-alb-in-https-prod", alb, 443), rule("sgr-app-in-https-prod", app, 443)],
    )
    assert reported == [
        (
            "ingress from 0.0.0.0/0 on tcp/443 to group sg-payments-app-prod; only the ALB's 80/443 may be public",
            urn(token, "sgr-app-in-https-prod"),
        )
    ]


def test_stack_policy_accepts_sse_s3_only_on_the_bucket_the_load_balancer_logs_to():
    bucket_t, sse_t = (
        "aws:s3/bucket:Bucket",
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    )
    logs = policy_resource(bucket_t, "s3-payments-alblogs-prod", {"bucket": "s3-payments-alblogs-prod-1a2b3c4"})
    data = policy_resource(bucket_t, "s3-payments-data-prod", {"bucket": "s3-payments-data-prod-9z8y7x6"})
    aes = {"rules": [{"applyServerSideEncryptionByDefault": {"sseAlgorithm": "AES256"}}]}
    resources = [
        logs,
        data,
        policy_resource(sse_t, "s3encryption-logs-prod", {"bucket": "s3-payments-alblogs-prod-1a2b3c4", **aes}),
        policy_resource(sse_t, "s3encryption-data-prod", {"bucket": "s3-payments-data-prod-9z8y7x6", **aes}),
        policy_resource(
            "aws:lb/loadBalancer:LoadBalancer",
            "alb-payments-prod",
            {"accessLogs": {"bucket": "s3-payments-alblogs-prod-1a2b3c4"}},
        ),
    ]
    assert run_stack_policy("s3-encrypted", resources) == [
        ("sseAlgorithm 'AES256'; expected aws:kms with a customer key", urn(bucket_t, "s3-payments-data-prod"))
    ]


def test_stack_policy_finds_the_load_balancer_a_web_acl_association_points_at():
    alb_t, assoc_t = "aws:lb/loadBalancer:LoadBalancer", "aws:wafv2/webAclAssociation:WebAclAssociation"
    guarded = policy_resource(alb_t, "alb-payments-prod", {"loadBalancerType": "application", "internal": False})
    bare = policy_resource(alb_t, "alb-payments-admin-prod", {"loadBalancerType": "application", "internal": False})
    assoc = policy_resource(
        assoc_t,
        "wafassoc-payments-alb-prod",
        {"resourceArn": UNKNOWN_STRING_VALUE, "webAclArn": UNKNOWN_STRING_VALUE},
        {"resourceArn": [guarded]},
    )
    assert run_stack_policy("alb-has-web-acl", [guarded, bare, assoc]) == [
        (
            "an internet-facing Application Load Balancer needs a WAF web ACL association (aws.wafv2.WebAclAssociation)",
            urn(alb_t, "alb-payments-admin-prod"),
        )
    ]


def test_props_are_normalised_to_camel_case_with_tag_keys_and_unknowns_preserved():
    raw = {
        "kms_key_id": UNKNOWN_STRING_VALUE,
        "tags": {"Cost_Center": "x", "Environment": "production"},
        "network_configuration": {"assign_public_ip": False},
        "__defaults": [],
    }
    assert normalize_props(unknown_checking_proxy(raw), "log-x-prod") == {
        "kmsKeyId": "(known after apply: log-x-prod.kmsKeyId)",
        "tags": {"Cost_Center": "x", "Environment": "production"},
        "networkConfiguration": {"assignPublicIp": False},
    }


def test_an_unknown_inside_an_object_computed_from_one_resource_names_that_resource():
    # A first deploy's preview: the load balancer's access logs go to a bucket not created yet.
    raw = {"access_logs": {"bucket": UNKNOWN_STRING_VALUE, "enabled": True}, "name": "alb-payments-dev"}
    props = normalize_props(unknown_checking_proxy(raw), "alb-payments-dev", {"access_logs": ["s3-alblogs-dev"]})
    assert props["accessLogs"] == {"bucket": "(known after apply: s3-alblogs-dev.bucket)", "enabled": True}
    assert normalize_props(unknown_checking_proxy(raw), "alb-payments-dev")["accessLogs"]["bucket"] == (
        "(known after apply: alb-payments-dev.accessLogs.bucket)"
    )


@pytest.mark.parametrize(
    ("key", "expected"), [("kms_key_id", "kmsKeyId"), ("kmsKeyId", "kmsKeyId"), ("__defaults", "__defaults")]
)
def test_camel_converts_only_snake_case(key, expected):
    assert camel(key) == expected


def test_stack_of_reads_the_stack_segment_of_a_urn():
    assert stack_of("urn:pulumi:prod::edge::aws:lb/listener:Listener::listener-payments-https-prod") == "prod"
