"""Physical names obey the rules AWS enforces at create time (the mock engine accepts anything).

Each rule is AWS's documented constraint for that API; a name the mock engine echoes but AWS
would refuse fails here instead of on the first real `pulumi up`.
"""

import re

import pytest

from shared.aws_schema import output_shapes
from shared.plan_values import is_computed

# RDS identifiers: 1-63 letters, digits or hyphens; a letter first; no "--"; no trailing hyphen.
RDS_ID = r"(?!.*--)[a-z][a-z0-9-]{0,62}(?<!-)"
RULES: dict[tuple[str, str], str] = {
    # CreateSecurityGroup: up to 255 characters, and the name cannot start with "sg-".
    ("aws:ec2/securityGroup:SecurityGroup", "namePrefix"): r"(?!sg-)[A-Za-z0-9 ._\-:/()#,@\[\]+=&;{}!$*]{1,229}",
    ("aws:ec2/securityGroup:SecurityGroup", "name"): r"(?!sg-)[A-Za-z0-9 ._\-:/()#,@\[\]+=&;{}!$*]{1,255}",
    ("aws:rds/instance:Instance", "identifier"): RDS_ID,
    ("aws:rds/instance:Instance", "finalSnapshotIdentifier"): RDS_ID.replace("{0,62}", "{0,254}"),
    ("aws:rds/parameterGroup:ParameterGroup", "name"): RDS_ID.replace("{0,62}", "{0,254}"),
    ("aws:rds/subnetGroup:SubnetGroup", "name"): r"[a-z0-9 ._-]{1,255}",
    ("aws:iam/role:Role", "name"): r"[\w+=,.@-]{1,64}",
    ("aws:iam/rolePolicy:RolePolicy", "name"): r"[\w+=,.@-]{1,128}",
    ("aws:cloudwatch/logGroup:LogGroup", "name"): r"[.\-_/#A-Za-z0-9]{1,512}",
    ("aws:kms/alias:Alias", "name"): r"alias/(?!aws/)[a-zA-Z0-9/_-]{1,250}",
    ("aws:ecs/cluster:Cluster", "name"): r"[A-Za-z0-9_-]{1,255}",
    ("aws:ecs/service:Service", "name"): r"[A-Za-z0-9_-]{1,255}",
    ("aws:appautoscaling/policy:Policy", "name"): r"[^:/]{1,256}",
}
# Resources Pulumi auto-names `<logical>-<7 random>`: the logical name must leave room.
AUTONAMED_LIMITS = {"aws:lb/loadBalancer:LoadBalancer": 32, "aws:lb/targetGroup:TargetGroup": 32}


@pytest.mark.parametrize("env", ["prod", "dev"])
def test_physical_names_obey_aws_rules(platform_plan, env):
    checked = 0
    for _, r in platform_plan(env).all_resources():
        for (token, key), pattern in RULES.items():
            if r.type == token and key in r.inputs and not is_computed(r.inputs[key]):
                assert re.fullmatch(pattern, r.inputs[key]), f"{r.name}: {key}={r.inputs[key]!r}"
                checked += 1
    assert checked >= 15


@pytest.mark.parametrize("env", ["prod", "dev"])
def test_autonamed_load_balancer_and_target_group_fit_32_characters(platform_plan, env):
    for _, r in platform_plan(env).all_resources():
        if r.type in AUTONAMED_LIMITS:
            assert "name" not in r.inputs and "namePrefix" not in r.inputs, r.name
            assert len(r.name) + 8 <= AUTONAMED_LIMITS[r.type], r.name
            assert re.fullmatch(r"[a-z0-9-]+", r.name) and not r.name.startswith("internal-"), r.name


def test_every_rule_names_a_real_sdk_property():
    for token, key in RULES:
        assert key in output_shapes(token), (token, key)
