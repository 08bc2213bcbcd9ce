"""Properties of the whole planned platform, whatever layer a resource is in."""

import json
import re
from pathlib import Path

import pytest

from ops.environment.environment import Environment
from ops.plan.mock_engine import DEFAULT_DB_SECRET
from ops.plan.platform import plan_platform
from shared.aws_schema import is_taggable
from shared.contracts.compute import ComputeContract
from shared.contracts.data import DataContract
from shared.contracts.edge import EdgeContract
from shared.contracts.network import NetworkContract
from shared.environments import is_protected
from shared.layers import LAYER_NAMES
from shared.plan_values import computed
from shared.tags import environment_label

PROJECTS = Path(__file__).resolve().parents[3] / "projects"
CONTRACTS = {"network": NetworkContract, "data": DataContract, "edge": EdgeContract, "compute": ComputeContract}


@pytest.mark.parametrize("env", ["prod", "dev"])
def test_every_layer_is_planned(platform_plan, env):
    plan = platform_plan(env)
    assert {lp.layer: lp.status for lp in plan.layers} == dict.fromkeys(LAYER_NAMES, "planned"), [
        (lp.layer, lp.error) for lp in plan.layers if lp.error
    ]


@pytest.mark.parametrize("env", ["prod", "dev"])
def test_each_layer_exports_exactly_its_contract(platform_plan, env):
    for lp in platform_plan(env).layers:
        assert set(lp.exports) == set(CONTRACTS[lp.layer].names()), lp.layer


@pytest.mark.parametrize("env", ["prod", "dev"])
def test_every_taggable_resource_has_the_four_tags_of_its_layer(platform_plan, env):
    for layer, r in platform_plan(env).all_resources():
        if not is_taggable(r.type):
            continue
        tags = r.inputs.get("tags") or {}
        assert tags.get("Environment") == environment_label(env), r.name
        assert tags.get("ManagedBy") == "pulumi", r.name
        assert tags.get("Project") == "payments", r.name
        assert tags.get("Layer") == layer, r.name


def _bucket_wide(rule: dict) -> bool:
    """A rule whose filter selects every object: none, an empty prefix, or an empty filter."""
    found = rule.get("filter")
    return not found or found == {"prefix": ""}


@pytest.mark.parametrize("env", ["prod", "dev"])
def test_every_bucket_lifecycle_aborts_incomplete_multipart_uploads_bucket_wide(platform_plan, env):
    lifecycles = [
        r for _, r in platform_plan(env).all_resources() if r.type.startswith("aws:s3/bucketLifecycleConfiguration")
    ]
    buckets = [r for _, r in platform_plan(env).all_resources() if r.type == "aws:s3/bucket:Bucket"]
    # One lifecycle per bucket, so no bucket is left without one.
    assert sorted(lc.inputs["bucket"] for lc in lifecycles) == sorted(computed(b.name, "id") for b in buckets)
    for lifecycle in lifecycles:
        aborting = [
            rule
            for rule in lifecycle.inputs["rules"]
            if rule["status"] == "Enabled" and rule.get("abortIncompleteMultipartUpload") == {"daysAfterInitiation": 1}
        ]
        assert any(_bucket_wide(rule) for rule in aborting), lifecycle.name


@pytest.mark.parametrize("env", ["prod", "dev"])
def test_every_customer_managed_key_waits_30_days_in_prod_and_7_in_dev_before_deletion(platform_plan, env):
    windows = {
        (layer, r.name): r.inputs["deletionWindowInDays"]
        for layer, r in platform_plan(env).all_resources()
        if r.type == "aws:kms/key:Key"
    }
    assert {layer for layer, _ in windows} == {"network", "data", "edge", "compute"}
    assert set(windows.values()) == {30 if is_protected(env) else 7}, windows


@pytest.mark.parametrize("env", ["prod", "dev"])
def test_every_resource_name_carries_the_environment(platform_plan, env):
    for lp in platform_plan(env).layers:
        for r in lp.resources:
            assert re.search(rf"-{env}(-|$)", r.name) or r.type == "pulumi:pulumi:StackReference", r.name


def test_the_plan_never_contains_the_database_password(platform_plan):
    password = json.loads(DEFAULT_DB_SECRET)["password"]
    for env in ("prod", "dev"):
        assert password not in json.dumps(platform_plan(env).to_dict(), default=str)


def test_the_whole_platform_plans_identically_twice(platform_plan):
    first = json.dumps(platform_plan("prod").to_dict(), sort_keys=True, default=str)
    second = json.dumps(plan_platform(Environment.load("prod")).to_dict(), sort_keys=True, default=str)
    assert first == second


def test_programs_read_other_layers_only_through_their_contracts():
    for path in PROJECTS.rglob("*.py"):
        text = path.read_text()
        assert "StackReference(" not in text, path
        assert ".get_output(" not in text, path
        assert "pulumi.Config(" not in text, path  # settings are loaded once, by shared.settings
