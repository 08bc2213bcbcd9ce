"""Each bad network setting fails before any resource exists, with one line naming the key; several
mistakes come together, one line each."""

import pytest

from shared.settings import ConfigError

AZS2 = ["ap-northeast-2a", "ap-northeast-2c"]

CASES = [
    ({"vpcCidr": "10.0.0.0/33"}, "prod", "network:vpcCidr = '10.0.0.0/33' is invalid: expected an IPv4 network"),
    ({"vpcCidr": "10.0.0.1/16"}, "prod", "network:vpcCidr = '10.0.0.1/16' is invalid: expected an IPv4 network"),
    (
        {"vpcCidr": "10.0.0.0/8"},
        "prod",
        "network:vpcCidr = '10.0.0.0/8' is invalid: expected a prefix length between /16 and /24",
    ),
    (
        {"publicSubnetCidrs": ["10.99.0.0/24", "10.10.1.0/24"]},
        "prod",
        'network:publicSubnetCidrs = ["10.99.0.0/24", "10.10.1.0/24"] is invalid: expected subnets inside vpcCidr 10.10.0.0/16; 10.99.0.0/24 is not',
    ),
    (
        {"privateSubnetCidrs": ["10.10.0.0/20", "10.10.32.0/20"]},
        "prod",
        "network:privateSubnetCidrs = '10.10.0.0/20' is invalid: expected non-overlapping subnets; 10.10.0.0/20 overlaps 10.10.0.0/24 (publicSubnetCidrs)",
    ),
    (
        {
            "availabilityZones": ["ap-northeast-2a"],
            "publicSubnetCidrs": ["10.10.0.0/24"],
            "privateSubnetCidrs": ["10.10.16.0/20"],
        },
        "prod",
        'network:availabilityZones = ["ap-northeast-2a"] is invalid: expected at least 2 distinct AZ names',
    ),
    (
        {"availabilityZones": ["us-east-1a", "us-east-1b"]},
        "prod",
        'network:availabilityZones = ["us-east-1a", "us-east-1b"] is invalid: expected AZ names of ap-northeast-2',
    ),
    (
        {"publicSubnetCidrs": ["10.10.0.0/24"]},
        "prod",
        'network:publicSubnetCidrs = ["10.10.0.0/24"] is invalid: expected one CIDR per AZ (2), in AZ order',
    ),
    (
        {"availabilityZones": ["ap-northeast-2a", "ap-northeast-2e"]},
        "prod",
        'network:availabilityZones = ["ap-northeast-2a", "ap-northeast-2e"] is invalid: expected zones ap-northeast-2 '
        "has (ap-northeast-2a, ap-northeast-2b, ap-northeast-2c, ap-northeast-2d, per shared/aws_catalog/ap-northeast-2.yaml); "
        "ap-northeast-2e does not exist",
    ),
    (
        {"availabilityZones": ["ap-northeast-2z", "ap-northeast-2c"]},
        "dev",
        'network:availabilityZones = ["ap-northeast-2z", "ap-northeast-2c"] is invalid: expected zones ap-northeast-2 has',
    ),
    (
        {"availabilityZones": ["ap-northeast-2f", "ap-northeast-2g"]},
        "prod",
        'network:availabilityZones = ["ap-northeast-2f", "ap-northeast-2g"] is invalid: expected zones ap-northeast-2 has '
        "(ap-northeast-2a, ap-northeast-2b, ap-northeast-2c, ap-northeast-2d, per shared/aws_catalog/ap-northeast-2.yaml); "
        "ap-northeast-2f, ap-northeast-2g do not exist",
    ),
    ({"natGateways": "single"}, "prod", "network:natGateways = 'single' is invalid: expected per-az in prod"),
    ({"natGateways": "none"}, "dev", "network:natGateways = 'none' is invalid: Input should be 'per-az' or 'single'"),
    (
        {"flowLogRetentionDays": 8},
        "prod",
        "network:flowLogRetentionDays = '8' is invalid: expected a CloudWatch retention period",
    ),
    (
        {"flowLogRetentionDays": 14},
        "prod",
        "network:flowLogRetentionDays = '14' is invalid: expected 7 days, the platform's log retention "
        "(policy rule log-retention fails any other value)",
    ),
    ({"flowLogRetentionDays": 1}, "dev", "network:flowLogRetentionDays = '1' is invalid: expected 7 days"),
    ({"flowLogRetentionDays": 3653}, "prod", "network:flowLogRetentionDays = '3653' is invalid: expected 7 days"),
    ({"flowLogTrafficType": "SOME"}, "prod", "network:flowLogTrafficType = 'SOME' is invalid"),
    ({"service": "Payments!"}, "prod", "network:service = 'Payments!' is invalid: expected 2-12 lowercase letters"),
    ({"aws:region": "eu-west-1"}, "prod", "aws:region = 'eu-west-1' is invalid: expected one of ap-northeast-2"),
]


@pytest.mark.parametrize(("overrides", "env", "message"), CASES, ids=[next(iter(c[0])) + "-" + c[1] for c in CASES])
def test_bad_setting_is_one_clear_line_before_any_resource(run_layer, engines, overrides, env, message):
    with pytest.raises(ConfigError) as err:
        run_layer("network", env, overrides=overrides)
    assert [e.resources for e in engines] == [[]]  # not even the provider was registered
    text = str(err.value)
    assert text.startswith(message), text
    assert "\n" not in text
    assert "Traceback" not in text


@pytest.mark.parametrize(
    ("env", "overrides", "lines"),
    [
        (
            "prod",
            {
                "availabilityZones": ["ap-northeast-2a", "ap-northeast-2e"],
                "natGateways": "single",
                "flowLogRetentionDays": 30,
                "vpcCidrr": "10.0.0.0/16",
            },
            [
                "network:vpcCidrr is not a setting of this project (did you mean network:vpcCidr?)",
                "network:flowLogRetentionDays = '30' is invalid: expected 7 days",
                'network:availabilityZones = ["ap-northeast-2a", "ap-northeast-2e"] is invalid: expected zones',
                "network:natGateways = 'single' is invalid: expected per-az in prod",
            ],
        ),
        (
            # A bad vpcCidr cannot judge the subnets against it, but every other rule still runs.
            "dev",
            {
                "vpcCidr": "10.0.0.0/8",
                "privateSubnetCidrs": ["10.20.0.0/20", "10.20.32.0/20"],
                "flowLogTrafficType": "x",
            },
            [
                "network:vpcCidr = '10.0.0.0/8' is invalid: expected a prefix length between /16 and /24",
                "network:flowLogTrafficType = 'x' is invalid",
                "network:privateSubnetCidrs = '10.20.0.0/20' is invalid: expected non-overlapping subnets",
            ],
        ),
    ],
)
def test_several_mistakes_come_together_one_line_each_before_any_resource(run_layer, engines, env, overrides, lines):
    with pytest.raises(ConfigError) as err:
        run_layer("network", env, overrides=overrides)
    assert [e.resources for e in engines] == [[]]
    got = str(err.value).splitlines()
    assert len(got) == len(lines), got
    assert all(line.startswith(want) for line, want in zip(got, lines, strict=True)), got
