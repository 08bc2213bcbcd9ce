"""Config -> validated settings: one message with a line per mistake, naming key, value and expectation."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pydantic import model_validator

from ops.environment.stack_files import stack_config
from payments_network.settings import NetworkSettings
from shared.settings import (
    ConfigError,
    InvalidSetting,
    InvalidSettings,
    StackSettings,
    cross_check,
    parse_settings,
)


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


# Every mistake at once ----------------------------------------------------------------------


def test_unknown_keys_unreadable_json_field_errors_and_rules_come_in_one_message_in_that_order():
    with pytest.raises(ConfigError) as err:
        parse(
            "prod",
            vpcCidrr="10.0.0.0/16",
            publicSubnetCidrs="10.20.0.0/24",
            flowLogRetentionDays="seven",
            natGateways="single",
        )
    assert str(err.value).splitlines() == [
        "network:vpcCidrr is not a setting of this project (did you mean network:vpcCidr?)",
        "network:publicSubnetCidrs = '10.20.0.0/24' is not valid JSON: expected a list or object",
        "network:flowLogRetentionDays = 'seven' is invalid: Input should be a valid integer, "
        "unable to parse string as an integer",
        "network:natGateways = 'single' is invalid: expected per-az in prod (one NAT per AZ for HA)",
    ]


def test_a_single_mistake_keeps_its_one_line_message():
    with pytest.raises(ConfigError, match=r"^network:natGateways = 'single' is invalid: expected per-az in prod"):
        parse("prod", natGateways="single")
    with pytest.raises(ConfigError) as err:
        parse("prod", natGateways="single")
    assert "\n" not in str(err.value)


class _Probe(StackSettings):
    low: int
    high: int
    flag: bool

    @cross_check("low", "high")
    def _ordered(self) -> Iterator[InvalidSetting]:
        if self.low > self.high:
            yield InvalidSetting("low", self.low, f"expected at most high ({self.high})")

    @cross_check("env", "flag")
    def _flag_when_protected(self) -> Iterator[InvalidSetting]:
        if self.protected and not self.flag:
            yield InvalidSetting("flag", self.flag, "expected true in prod")


def _probe(env: str = "prod", **values: str) -> _Probe:
    config = {
        "aws:region": "ap-northeast-2",
        "probe:service": "payments",
        **{f"probe:{k}": v for k, v in values.items()},
    }
    return parse_settings(_Probe, config, namespace="probe", env=env)


def test_rules_whose_fields_are_valid_still_run_when_another_field_is_invalid():
    with pytest.raises(ConfigError) as err:
        _probe(low="x", high="1", flag="false")
    assert str(err.value).splitlines() == [
        "probe:low = 'x' is invalid: Input should be a valid integer, unable to parse string as an integer",
        "probe:flag = False is invalid: expected true in prod",
    ]


def test_every_broken_rule_is_reported_not_only_the_first():
    with pytest.raises(ConfigError) as err:
        _probe(low="5", high="1", flag="false")
    assert str(err.value).splitlines() == [
        "probe:low = 5 is invalid: expected at most high (1)",
        "probe:flag = False is invalid: expected true in prod",
    ]
    assert _probe("dev", low="1", high="5", flag="false").flag is False


def test_rules_also_hold_when_a_settings_object_is_built_directly():
    with pytest.raises(InvalidSettings) as err:
        _Probe(env="prod", region="ap-northeast-2", service="payments", low=5, high=1, flag=False)
    assert [(p.key, p.value) for p in err.value.problems] == [("low", 5), ("flag", False)]


def test_a_rule_naming_a_field_the_model_lacks_fails_at_import():
    with pytest.raises(TypeError, match=r"_Bad._rule declares fields it does not have: \['hihg'\]"):

        class _Bad(StackSettings):
            high: int

            @cross_check("hihg")
            def _rule(self) -> Iterator[InvalidSetting]:
                yield from ()


def test_a_model_validator_that_raises_its_first_mistake_still_gives_one_line():
    class _Legacy(StackSettings):
        size: int

        @model_validator(mode="after")
        def _check(self) -> _Legacy:
            if self.size > 3:
                raise InvalidSetting("size", self.size, "expected at most 3")
            return self

    config = {"aws:region": "ap-northeast-2", "legacy:service": "payments", "legacy:size": "4"}
    with pytest.raises(ConfigError, match=r"^legacy:size = 4 is invalid: expected at most 3$"):
        parse_settings(_Legacy, config, namespace="legacy", env="dev")
