"""A stack names the AWS accounts it belongs to (and a role to assume); the provider enforces them."""

import json

import pytest

from ops.environment.stack_files import stack_config
from payments_network.settings import NetworkSettings
from shared.layers import LAYER_NAMES
from shared.settings import ConfigError, parse_settings

PROD_ACCOUNT = "111122223333"
ROLE = f"arn:aws:iam::{PROD_ACCOUNT}:role/payments/deploy"
PROVIDER = "pulumi:providers:aws"


def parse(**overrides: str) -> NetworkSettings:
    values = dict(stack_config("network", "dev").values)
    values.update({f"network:{k}": v for k, v in overrides.items()})
    return parse_settings(NetworkSettings, values, namespace="network", env="dev")


def test_by_default_a_stack_names_no_account_and_no_role():
    s = parse()
    assert (s.allowed_account_ids, s.assume_role_arn) == ((), "")


def test_account_ids_and_a_role_in_one_of_them_are_accepted():
    s = parse(allowedAccountIds=json.dumps([PROD_ACCOUNT, "444455556666"]), assumeRoleArn=ROLE)
    assert s.allowed_account_ids == (PROD_ACCOUNT, "444455556666")
    assert s.assume_role_arn == ROLE


@pytest.mark.parametrize("bad", ["12345678901", "1234567890123", "11112222333a", " 111122223333"])
def test_an_account_id_that_is_not_12_digits_is_one_line_naming_it(bad):
    with pytest.raises(ConfigError) as e:
        parse(allowedAccountIds=json.dumps([bad]))
    assert str(e.value) == (
        f"network:allowedAccountIds = {json.dumps([bad])} is invalid: "
        f"expected 12-digit AWS account ids, e.g. 123456789012; {bad!r} is not"
    )


def test_a_repeated_account_id_is_refused():
    with pytest.raises(ConfigError, match=r"^network:allowedAccountIds = .* expected each account id once$"):
        parse(allowedAccountIds=json.dumps([PROD_ACCOUNT, PROD_ACCOUNT]))


@pytest.mark.parametrize(
    "bad",
    [
        "deploy",
        "arn:aws:iam::1111222233:role/deploy",
        "arn:aws:iam::111122223333:user/deploy",
        "arn:aws:sts::111122223333:assumed-role/deploy/x",
        f"arn:aws:iam::111122223333:role/{'r' * 65}",
    ],
)
def test_a_malformed_role_arn_is_one_line_naming_it(bad):
    with pytest.raises(ConfigError) as e:
        parse(assumeRoleArn=bad)
    assert str(e.value) == (
        f"network:assumeRoleArn = {bad!r} is invalid: "
        "expected empty or an IAM role ARN such as arn:aws:iam::123456789012:role/deploy"
    )


def test_a_role_outside_the_allowed_accounts_is_refused():
    with pytest.raises(ConfigError) as e:
        parse(allowedAccountIds=json.dumps(["444455556666"]), assumeRoleArn=ROLE)
    assert str(e.value) == (
        f"network:assumeRoleArn = {ROLE!r} is invalid: expected a role in one of allowedAccountIds (444455556666)"
    )


@pytest.mark.parametrize("layer", LAYER_NAMES)
def test_every_layer_provider_refuses_other_accounts_and_assumes_the_role(run_layer, layer):
    plan = run_layer(
        layer,
        "prod",
        overrides={"allowedAccountIds": [PROD_ACCOUNT], "assumeRoleArn": ROLE},
    )
    provider = plan.one(PROVIDER).inputs
    assert json.loads(provider["allowedAccountIds"]) == [PROD_ACCOUNT]
    assert json.loads(provider["assumeRoles"]) == [{"roleArn": ROLE, "sessionName": f"pulumi-payments-{layer}-prod"}]
    assert provider["region"] == "ap-northeast-2"


def test_without_accounts_or_role_the_provider_gets_neither(run_layer):
    provider = run_layer("network", "prod").one(PROVIDER).inputs
    assert "allowedAccountIds" not in provider
    assert "assumeRoles" not in provider
