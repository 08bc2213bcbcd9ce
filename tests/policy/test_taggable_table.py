"""The policy pack's table of which AWS types take tags: the SDK's own answer, for every type the plans register."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

from payments_policy.model import PolicyContext, PolicyInput
from payments_policy.rules import check_tags
from payments_policy.taggable import TABLE, taggable

from ops.docs.taggable_table import table_for

REPO = Path(__file__).resolve().parents[2]


def test_the_table_is_the_sdks_answer_for_every_aws_type_the_plans_register(platform_plan) -> None:
    assert TABLE.read_text() == table_for([platform_plan("prod"), platform_plan("dev")]), "run `invoke docs`"


def test_the_table_was_made_from_the_sdk_the_repository_pins() -> None:
    pins = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["dependencies"]
    assert json.loads(TABLE.read_text())["sdk"] in pins


def test_types_outside_aws_take_no_tags_and_a_type_missing_from_the_table_is_a_violation() -> None:
    assert taggable("aws:ec2/vpc:Vpc") and not taggable("aws:cloudwatch/logStream:LogStream")
    assert not taggable("payments:network:Vpc") and not taggable("pulumi:providers:aws")
    unknown = PolicyInput("aws:sqs/queue:Queue", "sqs-payments-jobs-prod", {"tags": {}})
    assert check_tags(unknown, PolicyContext(stack="prod")) == [
        "aws:sqs/queue:Queue is not in taggable.json (made from pulumi-aws==7.51.1): regenerate it with `invoke docs`"
    ]
