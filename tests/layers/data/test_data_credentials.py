"""Master credentials from the EXISTING secret: good payloads reach RDS, bad ones are one clear line."""

import json

import pytest

from ops.plan import mock_engine
from ops.plan.mock_engine import OfflineCloud
from ops.plan.platform import LayerPlan, PlatformPlan
from payments_data.credentials import customer_key_arn, parse_credentials
from shared.plan_values import SECRET_MASK
from shared.settings import ConfigError
from tests.layers.data.data_helpers import INSTANCE, PROD_SECRET

PASSWORD = "Xq7-unique-test-password-91"
GOOD = json.dumps({"username": "payments_owner", "password": PASSWORD, "engine": "postgres"})
SECRET_ARN = "arn:aws:secretsmanager:ap-northeast-2:123456789012:secret:payments/prod/db-master-AbCdEf"
AWS_TYPES_BEFORE_FAILURE = {"pulumi:providers:aws", "pulumi:pulumi:StackReference"}


def plan_with(run_layer, payload: str, secret_id: str = PROD_SECRET, **kw) -> LayerPlan:
    return run_layer("data", "prod", cloud=OfflineCloud(secrets={secret_id: payload}), **kw)


def test_username_comes_from_the_secret_and_the_password_never_shows(run_layer):
    plan = plan_with(run_layer, GOOD)
    db = plan.one(INSTANCE).inputs
    assert db["username"] == "payments_owner"
    assert db["password"] == SECRET_MASK
    whole = PlatformPlan("prod", [plan]).to_dict()
    assert PASSWORD not in json.dumps(whole, default=str)
    assert PASSWORD not in json.dumps(plan.exports, default=str)


def test_password_reaches_rds_as_a_pulumi_secret(run_layer, monkeypatch):
    seen = {}
    original = mock_engine.PlanMocks.new_resource

    def record(self, args):
        if args.typ == INSTANCE:
            seen["password"] = args.inputs["password"]
        return original(self, args)

    monkeypatch.setattr(mock_engine.PlanMocks, "new_resource", record)
    plan_with(run_layer, GOOD)
    # The engine receives secrets wrapped in Pulumi's secret envelope, never as a bare string.
    wrapped = seen["password"]
    assert isinstance(wrapped, dict)
    assert wrapped["4dabf18193072939515e22adb298388d"] == "1b47061264138c4ac30d75fd1eb44270"
    assert wrapped["value"] == PASSWORD


def test_secret_can_be_named_by_arn(run_layer):
    plan = run_layer(
        "data", "prod", overrides={"dbSecretId": SECRET_ARN}, cloud=OfflineCloud(secrets={SECRET_ARN: GOOD})
    )
    assert plan.exports["db_secret_arn"] == SECRET_ARN
    assert plan.one(INSTANCE).inputs["username"] == "payments_owner"


def test_secret_arn_is_exported_and_aws_managed_key_exports_empty(run_layer):
    plan = plan_with(run_layer, GOOD)
    assert plan.exports["db_secret_arn"] == SECRET_ARN
    assert plan.exports["db_secret_kms_key_arn"] == ""


@pytest.mark.parametrize(
    ("kms_key_id", "expected"),
    [
        (
            "1234abcd-12ab-34cd-56ef-1234567890ab",
            "arn:aws:kms:ap-northeast-2:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
        ),
        (
            "arn:aws:kms:ap-northeast-2:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
            "arn:aws:kms:ap-northeast-2:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
        ),
        ("alias/payments-secrets", "arn:aws:kms:ap-northeast-2:123456789012:key/offline-payments-secrets"),
        (
            "arn:aws:kms:ap-northeast-2:123456789012:alias/payments-secrets",
            "arn:aws:kms:ap-northeast-2:123456789012:key/offline-payments-secrets",
        ),
        ("alias/aws/secretsmanager", ""),
    ],
    ids=["key-id", "key-arn", "alias", "alias-arn", "aws-managed-alias"],
)
def test_secret_customer_key_is_resolved_to_its_arn(run_layer, monkeypatch, kms_key_id, expected):
    token = "aws:secretsmanager/getSecret:getSecret"
    original = mock_engine.CALLS[token]
    monkeypatch.setitem(mock_engine.CALLS, token, lambda cloud, args: {**original(cloud, args), "kmsKeyId": kms_key_id})
    assert plan_with(run_layer, GOOD).exports["db_secret_kms_key_arn"] == expected


def test_only_customer_managed_keys_count():
    assert customer_key_arn("arn:aws:kms:r:1:key/k", "CUSTOMER") == "arn:aws:kms:r:1:key/k"
    assert customer_key_arn("arn:aws:kms:r:1:key/k", "AWS") == ""


BAD_PAYLOADS = [
    ("not json at all", "the secret's value is not valid JSON"),
    ('["payments_owner", "pw"]', "the secret's value is JSON but not an object"),
    ("", "the secret's value is empty (no SecretString)"),
    (json.dumps({"password": PASSWORD}), "key 'username' of the secret is missing or not a non-empty string"),
    (json.dumps({"username": "payments_owner"}), "key 'password' of the secret is missing or not a non-empty string"),
    (json.dumps({"username": "payments_owner", "password": ""}), "key 'password' of the secret is missing"),
    (json.dumps({"username": 42, "password": PASSWORD}), "key 'username' of the secret is missing or not a non-empty"),
    (json.dumps({"user": "payments_owner", "pass": PASSWORD}), "key 'username' of the secret is missing"),
    (json.dumps({"username": "1payments", "password": PASSWORD}), "key 'username' of the secret is not a valid master"),
    (json.dumps({"username": "rdsadmin", "password": PASSWORD}), "key 'username' of the secret is not a valid master"),
    (json.dumps({"username": "payments_owner", "password": "short"}), "key 'password' of the secret is not a valid"),
    (json.dumps({"username": "payments_owner", "password": "has@sign-in-it"}), "key 'password' of the secret is not"),
]


@pytest.mark.parametrize(("payload", "problem"), BAD_PAYLOADS, ids=[p[1][:40] for p in BAD_PAYLOADS])
def test_bad_payload_is_one_line_naming_the_setting_secret_and_key(run_layer, engines, payload, problem):
    with pytest.raises(ConfigError) as err:
        plan_with(run_layer, payload)
    text = str(err.value)
    assert text.startswith(f"data:dbSecretId = '{PROD_SECRET}' is invalid: {problem}"), text
    assert "\n" not in text and "Traceback" not in text
    assert PASSWORD not in text and "has@sign" not in text  # the message never quotes the secret
    # Only the provider and the network reference exist: no key, no log group, no database.
    assert {r.type for r in engines[0].resources} <= AWS_TYPES_BEFORE_FAILURE


def test_missing_secret_is_a_config_error_naming_the_setting(run_layer):
    with pytest.raises(ConfigError) as err:
        run_layer("data", "prod", cloud=OfflineCloud(secrets={"some/other/secret": GOOD}))
    text = str(err.value)
    assert text.startswith(
        "data:dbSecretId = 'payments/prod/db-master' is invalid: expected an existing secret whose metadata"
    ), text
    assert "can't find the specified secret" in text
    assert "\n" not in text


def test_a_bad_payload_leaves_no_state_behind_for_the_next_run(run_layer):
    with pytest.raises(ConfigError):
        plan_with(run_layer, "not json")
    assert plan_with(run_layer, GOOD).one(INSTANCE).inputs["username"] == "payments_owner"


def test_offline_plan_reports_a_bad_secret_as_a_failed_layer_not_a_crash():
    from ops.environment.environment import Environment
    from ops.plan.platform import plan_platform

    plan = plan_platform(Environment.load("prod"), layers=["data"], cloud=OfflineCloud(secrets={PROD_SECRET: "{}"}))
    data = plan.layer("data")
    assert data.status == "failed"
    assert data.error == (
        "data:dbSecretId = 'payments/prod/db-master' is invalid: key 'username' of the secret is missing or not "
        'a non-empty string: expected a JSON object {"username": "...", "password": "..."}'
    )
    assert plan.layer("network").status == "planned"


def test_parse_credentials_returns_both_values():
    creds = parse_credentials("s", GOOD)
    assert (creds.username, creds.password) == ("payments_owner", PASSWORD)
