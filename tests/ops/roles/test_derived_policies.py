"""Each layer's derived deploy role passes a least-privilege review, for prod and dev.

The review: no `*` action and no wildcard in an action; `*` as a resource only for actions the
Service Authorization Reference gives no resource type; every ARN in this environment's account
and region; conditions only with keys the action supports; tag conditions name the layer itself;
`iam:PassRole` only on roles the plan hands to AWS; state only the layer's own and its upstream's.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from ops.environment.environment import Environment
from ops.roles.derive import AccountScope
from ops.roles.roles import StateBackend, drift_role, layer_role, pack
from shared.layers import LAYER_NAMES, upstream
from shared.tags import environment_label
from tests.ops.roles.sar import condition_keys, resource_types

ACCOUNT = "123456789012"
REGION = "ap-northeast-2"
BUCKET = f"pulumi-state-payments-prod-{ACCOUNT}"
KEY = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
CASES = [(env, layer) for env in ("prod", "dev") for layer in LAYER_NAMES]
GLOBAL_KEYS = ("aws:RequestTag/", "aws:ResourceTag/", "aws:TagKeys")


def _scope(env: str) -> AccountScope:
    return AccountScope(env, "payments", ACCOUNT, REGION, environment=Environment.load(env))


def _role(platform_plan: Any, env: str, layer: str):
    return layer_role(platform_plan(env), layer, _scope(env), StateBackend(BUCKET, KEY), "acme/payments-infra")


def _listed(value: Any) -> list[str]:
    return value if isinstance(value, list) else [value]


@pytest.mark.parametrize(("env", "layer"), CASES)
def test_no_action_is_a_wildcard(platform_plan, env, layer):
    for statement in _role(platform_plan, env, layer).statements():
        assert [a for a in _listed(statement["Action"]) if "*" in a] == [], statement["Sid"]
        assert statement["Effect"] == "Allow"


@pytest.mark.parametrize(("env", "layer"), CASES)
def test_star_resources_only_for_actions_aws_cannot_scope(platform_plan, env, layer):
    for statement in _role(platform_plan, env, layer).statements():
        if "*" in _listed(statement["Resource"]):
            assert _listed(statement["Resource"]) == ["*"]
            scopable = [a for a in _listed(statement["Action"]) if resource_types(a)]
            assert scopable == [], f"{statement['Sid']}: {scopable} can be scoped to resources"


@pytest.mark.parametrize(("env", "layer"), CASES)
def test_every_arn_is_in_the_environments_account_and_region(platform_plan, env, layer):
    for statement in _role(platform_plan, env, layer).statements():
        for arn in _listed(statement["Resource"]):
            if arn == "*":
                continue
            _, partition, _service, region, account, rest = arn.split(":", 5)
            assert partition == "aws"
            assert region in ("", REGION), arn
            assert account in ("", ACCOUNT), arn  # S3 and Route 53 ARNs carry no account
            assert rest not in ("*", "") and not rest.startswith("*"), arn


@pytest.mark.parametrize(("env", "layer"), CASES)
def test_conditions_use_keys_the_actions_support_and_tags_name_this_layer(platform_plan, env, layer):
    for statement in _role(platform_plan, env, layer).statements():
        for keys in statement.get("Condition", {}).values():
            for key, value in keys.items():
                for action in _listed(statement["Action"]):
                    supported = condition_keys(action)
                    generic = key.split("/")[0] + "/${TagKey}" if "/" in key else key
                    assert generic in supported or key in supported, f"{action} does not support {key}"
                if key.endswith("Tag/Layer"):
                    assert value == layer, statement["Sid"]
                if key.endswith("Tag/Environment"):
                    assert value == environment_label(env)


def _passed_roles(platform_plan: Any, env: str, layer: str) -> set[str]:
    plan = platform_plan(env)
    roles = {r.name: r.inputs["name"] for _, r in plan.all_resources() if r.type == "aws:iam/role:Role"}
    handed: set[str] = set()
    for r in plan.layer(layer).custom_resources():
        for value in json.dumps(r.inputs).split('"'):
            for logical, name in roles.items():
                if value == f"(known after apply: {logical}.arn)":
                    handed.add(f"arn:aws:iam::{ACCOUNT}:role/{name}")
    return handed


@pytest.mark.parametrize(("env", "layer"), CASES)
def test_pass_role_only_on_the_roles_its_resources_are_given(platform_plan, env, layer):
    statements = _role(platform_plan, env, layer).statements()
    passable = {
        arn
        for s in statements
        if "iam:PassRole" in _listed(s["Action"])
        for arn in _listed(s["Resource"])
        if ":role/" in arn and "aws-service-role" not in arn
    }
    assert passable and passable <= _passed_roles(platform_plan, env, layer)


def test_prod_pass_role_targets(platform_plan):
    def passable(layer: str) -> set[str]:
        return {
            arn.rsplit("/", 1)[1]
            for s in _role(platform_plan, "prod", layer).statements()
            if "iam:PassRole" in _listed(s["Action"])
            for arn in _listed(s["Resource"])
        }

    archive = "role-payments-auditarchive-logs-prod"  # network's: every layer subscribes its audit log group
    assert passable("network") == {
        archive,
        "role-payments-auditarchive-firehose-prod",
        "role-payments-auditarchive-replication-prod",  # handed to S3 Replication
        "role-payments-flowlogs-prod",
    }
    assert passable("data") == passable("edge") == {archive}
    assert passable("compute") == {archive, "role-payments-exec-prod", "role-payments-task-prod"}


@pytest.mark.parametrize(("env", "layer"), CASES)
def test_state_rights_are_the_layers_own_and_read_only_upstream(platform_plan, env, layer):
    objects = f"arn:aws:s3:::{BUCKET}/"
    written, read = set(), set()
    for statement in _role(platform_plan, env, layer).statements():
        for arn in _listed(statement["Resource"]):
            if arn.startswith(objects):
                key = arn.removeprefix(objects)
                (written if "s3:PutObject" in _listed(statement["Action"]) else read).add(key)
    assert written == {
        f".pulumi/stacks/{layer}/{env}.json*",
        f".pulumi/stacks/{layer}/{env}.pulumi-tags",
        f".pulumi/history/{layer}/{env}/*",
        f".pulumi/backups/{layer}/{env}/*",
        f".pulumi/locks/organization/{layer}/{env}/*",
    }
    stacks = (f".pulumi/stacks/{u}/{env}{suffix}" for u in upstream(layer) for suffix in (".json*", ".pulumi-tags"))
    assert read == {".pulumi/meta.yaml", *stacks}


@pytest.mark.parametrize(("env", "layer"), CASES)
def test_no_other_layers_named_resources_appear(platform_plan, env, layer):
    plan = platform_plan(env)
    text = json.dumps(_role(platform_plan, env, layer).statements())
    for other, resource in plan.all_resources():
        name = resource.inputs.get("name")
        if other == layer or not isinstance(name, str) or resource.type == "aws:iam/role:Role":
            continue
        assert f":{name}" not in text and f"/{name}" not in text, f"{layer} may touch {other}'s {name}"


@pytest.mark.parametrize("env", ["prod", "dev"])
def test_the_drift_role_only_describes_lists_and_gets(platform_plan, env):
    role = drift_role(platform_plan(env), _scope(env), StateBackend(BUCKET, KEY), "acme/payments-infra")
    for statement in role.statements():
        for action in _listed(statement["Action"]):
            verb = action.split(":")[1]
            if statement["Sid"] == "StateLockOnly":
                assert action in ("s3:PutObject", "s3:DeleteObject")
                assert all("/.pulumi/locks/" in r for r in _listed(statement["Resource"]))
            elif statement["Sid"] == "StateSecretsKey":
                assert action in ("kms:Decrypt", "kms:GenerateDataKey")  # the lock object is SSE-KMS
            else:
                assert verb.startswith(("Describe", "List", "Get")), action
    assert (
        json.loads(role.trust)["Statement"][0]["Condition"]["StringEquals"]["token.actions.githubusercontent.com:sub"]
        == f"repo:acme/payments-infra:environment:{env}-drift"
    )


@pytest.mark.parametrize(("env", "layer"), CASES)
def test_each_policy_fits_iams_managed_policy_size(platform_plan, env, layer):
    role = _role(platform_plan, env, layer)
    assert 1 <= len(role.documents) <= 10
    assert all(len(d) <= 6144 for d in role.documents)


def test_packing_keeps_every_statement_in_order_and_refuses_one_too_big():
    statements = [
        {"Sid": f"S{n}", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "x" * 500} for n in range(30)
    ]
    documents = pack(statements, limit=2000)
    assert [s["Sid"] for d in documents for s in json.loads(d)["Statement"]] == [s["Sid"] for s in statements]
    assert all(len(d) <= 2000 for d in documents) and len(documents) > 1
    with pytest.raises(ValueError, match="alone is"):
        pack([{"Sid": "Big", "Resource": "x" * 3000}], limit=2000)


def test_the_same_plan_gives_the_same_documents(platform_plan):
    assert _role(platform_plan, "prod", "edge") == _role(platform_plan, "prod", "edge")


def test_trust_is_the_layers_github_environment_and_its_principals(platform_plan):
    prod = json.loads(_role(platform_plan, "prod", "network").trust)["Statement"]
    assert [s["Sid"] for s in prod] == ["GitHubEnvironment"]  # prod: CI only
    assert prod[0]["Principal"] == {
        "Federated": f"arn:aws:iam::{ACCOUNT}:oidc-provider/token.actions.githubusercontent.com"
    }
    assert prod[0]["Condition"] == {
        "StringEquals": {
            "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
            "token.actions.githubusercontent.com:sub": "repo:acme/payments-infra:environment:prod-network",
        }
    }
    dev = json.loads(_role(platform_plan, "dev", "network").trust)["Statement"]
    assert dev[1] == {
        "Sid": "OwningTeam",
        "Effect": "Allow",
        "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:role/payments-network-engineers"},
        "Action": "sts:AssumeRole",
    }
