"""The layer's KMS key: rotating, and a policy that names every user (no kms:*, no stranger)."""

import json
from fnmatch import fnmatchcase
from typing import Any

import pytest

from shared.kms import KEY_ADMIN_ACTIONS
from shared.plan_values import computed
from tests.layers.data.data_helpers import KEY

ROOT = "arn:aws:iam::123456789012:root"
VIA_RDS = {"kms:CallerAccount": "123456789012", "kms:ViaService": "rds.ap-northeast-2.amazonaws.com"}
USE = ["kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey*", "kms:ReEncrypt*"]


@pytest.fixture
def key(prod_plan):
    return prod_plan.one(KEY).inputs


@pytest.fixture
def statements(key) -> dict[str, dict]:
    doc = json.loads(key["policy"])
    assert doc["Version"] == "2012-10-17"
    return {s["Sid"]: s for s in doc["Statement"]}


def test_key_rotates(key):
    assert key["enableKeyRotation"] is True


@pytest.mark.parametrize(("env", "days"), [("prod", 30), ("dev", 7)])
def test_key_deletion_waits_thirty_days_in_protected_environments_and_seven_in_dev(run_layer, env, days):
    assert run_layer("data", env).one(KEY).inputs["deletionWindowInDays"] == days


def test_alias_names_the_key_per_environment(prod_plan):
    alias = prod_plan.one("aws:kms/alias:Alias").inputs
    assert alias["name"] == "alias/kms-payments-data-prod"
    assert alias["targetKeyId"] == computed("kms-payments-data-prod", "keyId")


def test_policy_names_exactly_admin_rds_and_the_two_log_groups(statements):
    assert list(statements) == [
        "AccountAdministersKey",
        "RdsUsesKeyForThisAccount",
        "RdsGrantsOnlyForAwsResources",
        "CloudWatchLogsUsesKeyForPostgresqlLogs",
        "CloudWatchLogsUsesKeyForUpgradeLogs",
    ]
    assert all(s["Effect"] == "Allow" and s["Resource"] == "*" for s in statements.values())


def test_account_administers_but_cannot_use_the_key_directly(statements):
    admin = statements["AccountAdministersKey"]
    assert admin["Principal"] == {"AWS": ROOT}
    assert admin["Action"] == list(KEY_ADMIN_ACTIONS)
    assert not {"kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey*"} & set(admin["Action"])
    assert "Condition" not in admin


def test_principals_of_this_account_use_the_key_only_through_rds(statements):
    use = statements["RdsUsesKeyForThisAccount"]
    assert use["Principal"] == {"AWS": ROOT}
    assert use["Action"] == USE
    assert use["Condition"] == {"StringEquals": VIA_RDS}
    grants = statements["RdsGrantsOnlyForAwsResources"]
    assert grants["Action"] == ["kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"]
    assert grants["Condition"] == {"StringEquals": VIA_RDS, "Bool": {"kms:GrantIsForAWSResource": "true"}}


@pytest.mark.parametrize("log", ["postgresql", "upgrade"])
def test_cloudwatch_logs_uses_the_key_for_one_rds_log_group_each(statements, log):
    stmt = statements[f"CloudWatchLogsUsesKeyFor{log.capitalize()}Logs"]
    assert stmt["Principal"] == {"Service": "logs.ap-northeast-2.amazonaws.com"}
    assert stmt["Action"] == USE
    assert stmt["Condition"] == {
        "ArnEquals": {
            "kms:EncryptionContext:aws:logs:arn": (
                f"arn:aws:logs:ap-northeast-2:123456789012:log-group:/aws/rds/instance/rds-payments-prod/{log}"
            )
        }
    }


def _allows(stmt: dict[str, Any], action: str) -> bool:
    """Whether the statement's Action patterns cover `action` (KMS actions are case-insensitive)."""
    patterns = stmt["Action"] if isinstance(stmt["Action"], list) else [stmt["Action"]]
    return any(fnmatchcase(action.lower(), p.lower()) for p in patterns)


def root_use_violations(policy: dict[str, Any]) -> list[str]:
    """Statements that let the account root (so any IAM-permitted principal) use or grant the key
    other than through RDS: CreateGrant (also via `kms:Create*` or `kms:*`) needs `kms:ViaService`
    rds and `kms:GrantIsForAWSResource` true; Decrypt needs `kms:ViaService` rds."""
    found = []
    for stmt in policy["Statement"]:
        principal = stmt.get("Principal", {})
        aws_principals = principal.get("AWS", []) if isinstance(principal, dict) else [principal]
        aws_principals = aws_principals if isinstance(aws_principals, list) else [aws_principals]
        if stmt["Effect"] != "Allow" or not {ROOT, "123456789012", "*"} & set(aws_principals):
            continue
        if "NotAction" in stmt:
            found.append(f"{stmt['Sid']}: NotAction")
            continue
        cond = stmt.get("Condition", {})
        via_rds = cond.get("StringEquals", {}).get("kms:ViaService") == VIA_RDS["kms:ViaService"]
        for_aws = cond.get("Bool", {}).get("kms:GrantIsForAWSResource") == "true"
        if _allows(stmt, "kms:CreateGrant") and not (via_rds and for_aws):
            found.append(f"{stmt['Sid']}: kms:CreateGrant")
        if _allows(stmt, "kms:Decrypt") and not via_rds:
            found.append(f"{stmt['Sid']}: kms:Decrypt")
    return found


def test_the_account_can_neither_decrypt_nor_grant_itself_use_except_through_rds(key):
    assert root_use_violations(json.loads(key["policy"])) == []


@pytest.mark.parametrize(
    ("stmt", "violation"),
    [
        # What the admin statement held before shared/kms.py listed kms:CreateAlias instead.
        ({"Sid": "Admin", "Action": ["kms:Create*", "kms:Describe*"]}, "Admin: kms:CreateGrant"),
        ({"Sid": "Admin", "Action": "kms:*"}, "Admin: kms:CreateGrant, Admin: kms:Decrypt"),
        (
            {"Sid": "Grants", "Action": ["kms:CreateGrant"], "Condition": {"StringEquals": VIA_RDS}},
            "Grants: kms:CreateGrant",
        ),
        (
            {
                "Sid": "Grants",
                "Action": ["kms:CreateGrant"],
                "Condition": {"Bool": {"kms:GrantIsForAWSResource": "true"}},
            },
            "Grants: kms:CreateGrant",
        ),
        ({"Sid": "Use", "Action": ["kms:decrypt"]}, "Use: kms:Decrypt"),
        ({"Sid": "Use", "NotAction": ["kms:Encrypt"]}, "Use: NotAction"),
    ],
)
def test_the_root_use_check_catches_direct_grants_and_decrypt(stmt, violation):
    policy = {"Statement": [{"Effect": "Allow", "Principal": {"AWS": ROOT}, "Resource": "*", **stmt}]}
    assert ", ".join(root_use_violations(policy)) == violation


def test_no_statement_allows_every_kms_action(statements):
    for stmt in statements.values():
        assert "kms:*" not in stmt["Action"] and "*" not in stmt["Action"], stmt["Sid"]


def test_policy_json_is_deterministic(key, run_layer):
    again = run_layer("data", "prod", fresh=True).one(KEY).inputs["policy"]
    assert again == key["policy"]
    assert key["policy"] == json.dumps(json.loads(key["policy"]), sort_keys=True)


@pytest.mark.parametrize(("env", "retained"), [("prod", True), ("dev", False)])
def test_key_outlives_the_stack_only_where_a_final_snapshot_needs_it(registrations, run_layer, env, retained):
    run_layer("data", env)
    assert registrations[f"kms-payments-data-{env}"].retainOnDelete is retained
    assert registrations[f"alias-kms-payments-data-{env}"].retainOnDelete is False
