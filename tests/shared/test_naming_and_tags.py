"""Names `{type}-{service}[-{purpose}]-{env}` within AWS limits; the four required tags."""

import pytest

from shared.naming import AUTONAME_SUFFIX, Namer, NameTooLongError
from shared.tags import REQUIRED_TAG_KEYS, environment_label, standard_tags, with_name


def test_names_end_with_the_environment():
    n = Namer("payments", "prod")
    assert n("alb") == "alb-payments-prod"
    assert n("sg", "db") == "sg-payments-db-prod"


def test_alb_names_leave_room_for_pulumis_random_suffix():
    longest_env = Namer("payments", "abcdefghij")  # 10 chars, the longest env allowed
    name = longest_env("alb", autonamed=True)
    assert len(name) + AUTONAME_SUFFIX <= 32


def test_a_name_over_the_aws_limit_is_refused_with_the_limit():
    n = Namer("paymentsplat", "abcdefghij")
    with pytest.raises(NameTooLongError, match="AWS allows 32 for tg"):
        n("tg", "blue-green", autonamed=True)


def test_name_parts_must_be_lowercase_words():
    with pytest.raises(ValueError, match="lowercase"):
        Namer("payments", "prod")("sg", "Web_Tier")


def test_standard_tags_carry_the_four_required_keys():
    tags = standard_tags(env="prod", project="payments", layer="network")
    assert tags == {"Environment": "production", "Layer": "network", "ManagedBy": "pulumi", "Project": "payments"}
    assert set(REQUIRED_TAG_KEYS) <= set(tags)


def test_environment_labels():
    assert environment_label("prod") == "production"
    assert environment_label("dev") == "development"
    assert environment_label("pr42") == "pr42"


def test_with_name_adds_the_console_name_without_touching_the_rest():
    base = standard_tags(env="dev", project="payments", layer="data")
    assert with_name(base, "x-dev") == {**base, "Name": "x-dev"}
    assert "Name" not in base
