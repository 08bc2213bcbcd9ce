"""Config -> validated settings (SPEC §5): one message per bad key, naming key, value and expectation."""

import pytest

from ops.environment.stack_files import stack_config
from payments_network.settings import NetworkSettings
from shared.settings import ConfigError, parse_settings


def _config(**overrides: str) -> dict[str, str]:
    values = dict(stack_config("network", "dev").values)
    values.update({f"network:{k}" if ":" not in k else k: v for k, v in overrides.items()})
    return values


def parse(env: str = "dev", **overrides: str) -> NetworkSettings:
    return parse_settings(NetworkSettings, _config(**overrides), namespace="network", env=env)


def test_the_dev_stack_file_parses():
    s = parse()
    assert s.region == "ap-northeast-2"
    assert s.nat_gateways == "single"


def test_a_misspelt_key_is_named_with_a_suggestion():
    with pytest.raises(
        ConfigError, match=r"network:vpcCidrr is not a setting of this project \(did you mean network:vpcCidr\?\)"
    ):
        parse(vpcCidrr="10.0.0.0/16")


def test_a_missing_region_says_which_key_is_required():
    values = _config()
    del values["aws:region"]
    with pytest.raises(ConfigError, match=r"^aws:region is required but not set$"):
        parse_settings(NetworkSettings, values, namespace="network", env="dev")


def test_an_unsupported_region_is_refused():
    with pytest.raises(ConfigError, match=r"aws:region = 'us-east-1' is invalid: expected one of ap-northeast-2"):
        parse(**{"aws:region": "us-east-1"})


def test_a_bad_environment_name_is_refused():
    with pytest.raises(ConfigError, match=r"stack name = 'Prod_1' is invalid"):
        parse(env="Prod_1")


def test_a_list_setting_that_is_not_json_is_refused():
    with pytest.raises(ConfigError, match=r"network:availabilityZones = 'ap-northeast-2a' is not valid JSON"):
        parse(availabilityZones="ap-northeast-2a")


def test_an_integer_setting_given_words_is_refused():
    with pytest.raises(ConfigError, match=r"network:flowLogRetentionDays = 'seven' is invalid"):
        parse(flowLogRetentionDays="seven")


def test_errors_are_one_line_per_key():
    with pytest.raises(ConfigError) as err:
        parse(flowLogRetentionDays="8", natGateways="two")
    lines = str(err.value).splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("network:natGateways = 'two' is invalid")
    assert lines[1].startswith("network:flowLogRetentionDays = '8' is invalid: expected a CloudWatch retention period")


def test_config_error_is_a_pulumi_run_error_so_pulumi_prints_no_traceback():
    import pulumi

    assert issubclass(ConfigError, pulumi.RunError)
