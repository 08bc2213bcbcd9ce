"""Every IAM document of the compute layer, parsed and checked statement by statement."""

from __future__ import annotations

import json

import pytest

from ops.plan.platform import LayerPlan
from shared.settings import ConfigError
from tests.layers.compute.compute_helpers import (
    ACCOUNT,
    LOG_GROUP_ARN,
    REGION,
    REPOSITORY_ARN,
    SECRET_ARN,
    SECRET_KEY_ARN,
    as_list,
    statements,
    upstream,
)

ROLE = "aws:iam/role:Role"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"


@pytest.fixture
def prod(run_layer) -> LayerPlan:
    return run_layer("compute", "prod", upstream_exports=upstream())


def iam_documents(plan: LayerPlan) -> dict[str, str]:
    """Resource name -> IAM document (trust and permission policies, not KMS key policies)."""
    docs = {r.name: r.inputs["assumeRolePolicy"] for r in plan.by_type(ROLE)}
    docs.update({r.name: r.inputs["policy"] for r in plan.by_type(ROLE_POLICY)})
    return docs


def test_no_statement_anywhere_has_a_wildcard_action(run_layer) -> None:
    grants = [{"sid": "ReadReceipts", "actions": ["s3:GetObject"], "resources": ["arn:aws:s3:::receipts/*"]}]
    plan = run_layer("compute", "prod", overrides={"taskRoleStatements": grants}, upstream_exports=upstream())
    documents = {**iam_documents(plan), **{r.name: r.inputs["policy"] for r in plan.by_type("aws:kms/key:Key")}}
    assert len(documents) == 5  # 2 trust policies, the exec and task policies, the log key policy
    for name, document in documents.items():
        for s in statements(document):
            assert "NotAction" not in s and "NotResource" not in s, (name, s)
            for action in as_list(s["Action"]):
                assert action != "*" and not action.endswith(":*"), (name, s["Sid"], action)


def test_star_resource_only_with_ecr_get_authorization_token(prod: LayerPlan) -> None:
    for name, document in iam_documents(prod).items():
        for s in statements(document):
            if "*" in as_list(s.get("Resource", [])):
                assert (name, as_list(s["Action"])) == ("policy-payments-exec-prod", ["ecr:GetAuthorizationToken"])


def test_execution_role_may_pull_one_repo_log_to_one_group_read_one_secret_and_decrypt_it(prod: LayerPlan) -> None:
    policy = prod.named("policy-payments-exec-prod").inputs
    assert policy["role"] == "(known after apply: role-payments-exec-prod.id)"
    assert statements(policy["policy"]) == [
        {"Sid": "AuthenticateToEcr", "Effect": "Allow", "Action": "ecr:GetAuthorizationToken", "Resource": "*"},
        {
            "Sid": "PullFromOneRepository",
            "Effect": "Allow",
            "Action": ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
            "Resource": REPOSITORY_ARN,
        },
        {
            "Sid": "WriteToOneLogGroup",
            "Effect": "Allow",
            "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
            "Resource": [LOG_GROUP_ARN, f"{LOG_GROUP_ARN}:log-stream:*"],
        },
        {
            "Sid": "ReadOneDatabaseSecret",
            "Effect": "Allow",
            "Action": "secretsmanager:GetSecretValue",
            "Resource": SECRET_ARN,
        },
        {
            "Sid": "DecryptTheSecretThroughSecretsManager",
            "Effect": "Allow",
            "Action": "kms:Decrypt",
            "Resource": SECRET_KEY_ARN,
            "Condition": {"StringEquals": {"kms:ViaService": f"secretsmanager.{REGION}.amazonaws.com"}},
        },
    ]


def test_execution_role_gets_no_kms_grant_when_the_secret_uses_the_aws_managed_key(run_layer) -> None:
    plan = run_layer("compute", "prod", upstream_exports=upstream(secret_kms_key_arn=""))
    sids = [s["Sid"] for s in statements(plan.named("policy-payments-exec-prod").inputs["policy"])]
    assert sids == ["AuthenticateToEcr", "PullFromOneRepository", "WriteToOneLogGroup", "ReadOneDatabaseSecret"]
    assert "kms:" not in plan.named("policy-payments-exec-prod").inputs["policy"]


def test_execution_role_pulls_from_the_repository_named_by_the_image(run_layer) -> None:
    image = f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/team/payments-api@sha256:{'0f' * 32}"
    plan = run_layer("compute", "prod", overrides={"image": image}, upstream_exports=upstream())
    by_sid = {s["Sid"]: s for s in statements(plan.named("policy-payments-exec-prod").inputs["policy"])}
    assert by_sid["PullFromOneRepository"]["Resource"] == f"arn:aws:ecr:{REGION}:{ACCOUNT}:repository/team/payments-api"


@pytest.mark.parametrize("role", ["role-payments-exec-prod", "role-payments-task-prod"])
def test_only_ecs_tasks_of_this_account_may_assume_the_roles(prod: LayerPlan, role: str) -> None:
    assert statements(prod.named(role).inputs["assumeRolePolicy"]) == [
        {
            "Sid": "EcsTasksOfThisAccount",
            "Effect": "Allow",
            "Principal": {"Service": "ecs-tasks.amazonaws.com"},
            "Action": "sts:AssumeRole",
            "Condition": {
                "ArnLike": {"aws:SourceArn": f"arn:aws:ecs:{REGION}:{ACCOUNT}:*"},
                "StringEquals": {"aws:SourceAccount": ACCOUNT},
            },
        }
    ]


def test_task_role_is_separate_and_has_no_permissions_by_default(prod: LayerPlan) -> None:
    roles = {r.name: r.inputs["name"] for r in prod.by_type(ROLE)}
    assert roles == {
        "role-payments-exec-prod": "role-payments-exec-prod",
        "role-payments-task-prod": "role-payments-task-prod",
    }
    assert [r.name for r in prod.by_type(ROLE_POLICY)] == ["policy-payments-exec-prod"]
    assert not prod.by_type("aws:iam/rolePolicyAttachment:RolePolicyAttachment")
    assert not prod.by_type("aws:iam/policy:Policy")


def test_task_role_gets_exactly_the_configured_statements(run_layer) -> None:
    grants = [
        {"sid": "ReadReceipts", "actions": ["s3:GetObject"], "resources": ["arn:aws:s3:::payments-receipts/*"]},
        {
            "sid": "PublishEvents",
            "actions": ["sns:Publish"],
            "resources": [f"arn:aws:sns:{REGION}:{ACCOUNT}:payments-events"],
        },
    ]
    plan = run_layer("compute", "prod", overrides={"taskRoleStatements": grants}, upstream_exports=upstream())
    policy = plan.named("policy-payments-task-prod").inputs
    assert policy["role"] == "(known after apply: role-payments-task-prod.id)"
    assert statements(policy["policy"]) == [
        {
            "Sid": "ReadReceipts",
            "Effect": "Allow",
            "Action": ["s3:GetObject"],
            "Resource": ["arn:aws:s3:::payments-receipts/*"],
        },
        {
            "Sid": "PublishEvents",
            "Effect": "Allow",
            "Action": ["sns:Publish"],
            "Resource": [f"arn:aws:sns:{REGION}:{ACCOUNT}:payments-events"],
        },
    ]


@pytest.mark.parametrize(
    ("statement", "expected"),
    [
        ({"sid": "All", "actions": ["*"], "resources": ["arn:aws:s3:::b/*"]}, "without wildcards"),
        ({"sid": "AllS3", "actions": ["s3:*"], "resources": ["arn:aws:s3:::b/*"]}, "without wildcards"),
        ({"sid": "GetS3", "actions": ["s3:Get*"], "resources": ["arn:aws:s3:::b/*"]}, "without wildcards"),
        ({"sid": "Anything", "actions": ["s3:GetObject"], "resources": ["*"]}, "never '*'"),
        ({"sid": "AnyBucket", "actions": ["s3:GetObject"], "resources": ["arn:aws:s3:::*"]}, "never '*'"),
        ({"sid": "NoActions", "actions": [], "resources": ["arn:aws:s3:::b/*"]}, "at least one action"),
        (
            {
                "sid": "Negated",
                "notActions": ["iam:PassRole"],
                "actions": ["s3:GetObject"],
                "resources": ["arn:aws:s3:::b"],
            },
            "taskRoleStatements[0].notActions",
        ),
    ],
)
def test_task_role_statements_with_wildcards_or_unknown_keys_are_rejected(run_layer, statement, expected) -> None:
    with pytest.raises(ConfigError) as e:
        run_layer("compute", "prod", overrides={"taskRoleStatements": [statement]}, upstream_exports=upstream())
    assert "compute:taskRoleStatements[0]" in str(e.value)
    assert expected in str(e.value)


def test_task_role_statement_sids_must_be_distinct(run_layer) -> None:
    grant = {"sid": "Same", "actions": ["s3:GetObject"], "resources": ["arn:aws:s3:::b/*"]}
    with pytest.raises(ConfigError, match=r"compute:taskRoleStatements = .* distinct sid"):
        run_layer("compute", "prod", overrides={"taskRoleStatements": [grant, grant]}, upstream_exports=upstream())


def test_policy_documents_are_deterministic_json(prod: LayerPlan, run_layer) -> None:
    again = run_layer("compute", "prod", upstream_exports=upstream(), fresh=True)
    for name, document in iam_documents(prod).items():
        assert document == json.dumps(json.loads(document), sort_keys=True)
        assert iam_documents(again)[name] == document
