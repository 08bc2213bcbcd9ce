"""Each bad data setting fails before any resource exists, with one line naming the key."""

import pytest

from payments_data.settings import DataSettings
from shared.settings import ConfigError, parse_settings

CASES = [
    (
        {"dbSecretId": ""},
        "prod",
        "data:dbSecretId = '' is invalid: expected the name or ARN of an existing Secrets Manager",
    ),
    ({"dbSecretId": "has spaces"}, "dev", "data:dbSecretId = 'has spaces' is invalid: expected the name or ARN"),
    (
        {"dbSecretId": "arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf"},
        "prod",
        "data:dbSecretId = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf' is invalid: "
        "expected a secret in ap-northeast-2",
    ),
    ({"dbSecretId": "arn:aws:kms:ap-northeast-2:1:key/x"}, "prod", "data:dbSecretId = 'arn:aws:kms:"),
    ({"multiAz": "false"}, "prod", "data:multiAz = 'false' is invalid: expected true in every environment"),
    ({"multiAz": "false"}, "dev", "data:multiAz = 'false' is invalid: expected true in every environment"),
    ({"skipFinalSnapshot": "true"}, "prod", "data:skipFinalSnapshot = True is invalid: expected false in prod"),
    ({"engineVersion": "9.6"}, "prod", "data:engineVersion = '9.6' is invalid: expected a PostgreSQL major version"),
    ({"engineVersion": "17.2"}, "dev", "data:engineVersion = '17.2' is invalid: expected a PostgreSQL major version"),
    (
        {"engineVersion": "8"},
        "dev",
        "data:engineVersion = '8' is invalid: expected a PostgreSQL major version (15, 16, 17)",
    ),
    (
        {"instanceClass": "t3.micro"},
        "prod",
        "data:instanceClass = 't3.micro' is invalid: expected an RDS instance class",
    ),
    (
        {"instanceClass": "db.t3.nano"},
        "prod",
        "data:instanceClass = 'db.t3.nano' is invalid: expected a class RDS offers for PostgreSQL 17 in ap-northeast-2 "
        "(families db.m5, db.m6g, db.m6i, db.m7g, db.r5, db.r6g, db.r6i, db.r7g, db.t3, db.t4g; "
        "see shared/aws_catalog/ap-northeast-2.yaml)",
    ),
    (
        {"instanceClass": "db.m9.large"},
        "dev",
        "data:instanceClass = 'db.m9.large' is invalid: expected a class RDS offers",
    ),
    (
        {"instanceClass": "db.t2.micro"},
        "dev",
        "data:instanceClass = 'db.t2.micro' is invalid: expected a class RDS offers",
    ),
    (
        {"instanceClass": "db.r4.large", "engineVersion": "15"},
        "prod",
        "data:instanceClass = 'db.r4.large' is invalid: expected a class RDS offers for PostgreSQL 15",
    ),
    ({"instanceClass": "db.m7g.medium"}, "prod", "data:instanceClass = 'db.m7g.medium' is invalid"),
    (
        {"deletionProtection": "false"},
        "prod",
        "data:deletionProtection = False is invalid: expected true in prod, a protected environment "
        "(policy rule rds-highly-available-private); teardown lifts it by itself",
    ),
    ({"deletionProtection": "no"}, "prod", "data:deletionProtection = False is invalid: expected true in prod"),
    (
        {"deletionProtection": "0", "teardown": "false"},
        "prod",
        "data:deletionProtection = False is invalid: expected true in prod",
    ),
    (
        {"logRetentionDays": "14"},
        "prod",
        "data:logRetentionDays = '14' is invalid: expected 7 days, the platform's log retention (policy rule log-retention",
    ),
    ({"logRetentionDays": "365"}, "dev", "data:logRetentionDays = '365' is invalid: expected 7 days"),
    ({"dbName": "postgres"}, "prod", "data:dbName = 'postgres' is invalid: expected 1-63 lowercase letters"),
    ({"dbName": "Payments-DB"}, "prod", "data:dbName = 'Payments-DB' is invalid: expected 1-63 lowercase letters"),
    ({"allocatedStorage": "10"}, "prod", "data:allocatedStorage = '10' is invalid: expected 20-65536 GiB"),
    (
        {"maxAllocatedStorage": "20"},
        "prod",
        "data:maxAllocatedStorage = 20 is invalid: expected an upper bound above allocatedStorage (20)",
    ),
    ({"backupRetentionDays": "0"}, "prod", "data:backupRetentionDays = '0' is invalid: expected 1-35 days"),
    ({"backupRetentionDays": "36"}, "dev", "data:backupRetentionDays = '36' is invalid: expected 1-35 days"),
    ({"backupWindow": "25:00-26:00"}, "prod", "data:backupWindow = '25:00-26:00' is invalid: expected a UTC window"),
    ({"backupWindow": "17:00-17:15"}, "prod", "data:backupWindow = '17:00-17:15' is invalid: expected a UTC window"),
    ({"maintenanceWindow": "sunday 3am"}, "prod", "data:maintenanceWindow = 'sunday 3am' is invalid: expected a UTC"),
    (
        {"maintenanceWindow": "tue:17:30-tue:18:30"},
        "prod",
        "data:maintenanceWindow = 'tue:17:30-tue:18:30' is invalid: expected no overlap with backupWindow 17:00-18:00",
    ),
    (
        {"backupWindow": "23:45-00:30", "maintenanceWindow": "mon:00:00-mon:01:00"},
        "prod",
        "data:maintenanceWindow = 'mon:00:00-mon:01:00' is invalid: expected no overlap",
    ),
    ({"performanceInsightsRetentionDays": "30"}, "prod", "data:performanceInsightsRetentionDays = '30' is invalid"),
    (
        {"logMinDurationStatementMs": "0"},
        "prod",
        "data:logMinDurationStatementMs = '0' is invalid: expected -1 (off) or 100-3600000 milliseconds",
    ),
    (
        {"logMinDurationStatementMs": "3600001"},
        "dev",
        "data:logMinDurationStatementMs = '3600001' is invalid: expected -1 (off) or 100-3600000 milliseconds",
    ),
    ({"logRetentionDays": "8"}, "prod", "data:logRetentionDays = '8' is invalid: expected a CloudWatch retention"),
    (
        {"caCertIdentifier": "rds-ca-2019"},
        "prod",
        "data:caCertIdentifier = 'rds-ca-2019' is invalid: expected a current",
    ),
    ({"deletionProtection": "maybe"}, "prod", "data:deletionProtection = 'maybe' is invalid"),
    ({"allowMajorVersionUpgrade": "sometimes"}, "prod", "data:allowMajorVersionUpgrade = 'sometimes' is invalid"),
    ({"dbSecretIdd": "x"}, "prod", "data:dbSecretIdd is not a setting of this project (did you mean data:dbSecretId?)"),
]


@pytest.mark.parametrize(
    ("overrides", "env", "message"), CASES, ids=[f"{next(iter(c[0]))}-{i}" for i, c in enumerate(CASES)]
)
def test_bad_setting_is_one_clear_line_before_any_resource(run_layer, engines, overrides, env, message):
    with pytest.raises(ConfigError) as err:
        run_layer("data", env, overrides=overrides)
    assert [e.resources for e in engines] == [[]]  # not even the provider was registered
    text = str(err.value)
    assert text.startswith(message), text
    assert "\n" not in text
    assert "Traceback" not in text


def test_missing_secret_id_is_named(run_layer):
    config = {"aws:region": "ap-northeast-2", "data:service": "payments"}
    with pytest.raises(ConfigError) as err:
        parse_settings(DataSettings, config, namespace="data", env="dev")
    assert "data:dbSecretId is required but not set" in str(err.value)


@pytest.mark.parametrize(
    ("overrides", "env"),
    [
        ({"deletionProtection": "false"}, "dev"),
        ({"deletionProtection": "false", "teardown": "true"}, "prod"),  # what teardown applies before destroy
        ({"instanceClass": "db.m7g.large", "engineVersion": "16"}, "prod"),
        ({"instanceClass": "db.t4g.micro"}, "dev"),
        ({"backupWindow": "23:45-00:30", "maintenanceWindow": "mon:01:00-mon:02:00"}, "prod"),
        ({"engineVersion": "16", "performanceInsightsRetentionDays": "31"}, "prod"),
    ],
)
def test_valid_alternatives_plan(run_layer, overrides, env):
    plan = run_layer("data", env, overrides=overrides)
    assert plan.one("aws:rds/instance:Instance").inputs["identifier"] == f"rds-payments-{env}"


def test_settings_fields_are_exactly_the_declared_keys():
    from ops.environment.stack_files import project_file

    declared = set(project_file("data")["config"])
    assert set(DataSettings.config_keys()) == declared
    assert "service" in declared and "dbSecretId" in declared and "deletionProtection" in declared


def test_every_mistake_of_the_layer_comes_in_one_message_before_any_resource(run_layer, engines):
    overrides = {
        "dbSecretIdd": "x",
        "backupRetentionDays": "0",
        "multiAz": "false",
        "instanceClass": "db.t3.nano",
        "deletionProtection": "false",
        "skipFinalSnapshot": "true",
        "maintenanceWindow": "tue:17:30-tue:18:30",
    }
    with pytest.raises(ConfigError) as err:
        run_layer("data", "prod", overrides=overrides)
    assert [e.resources for e in engines] == [[]]
    lines = str(err.value).splitlines()
    expected = [
        "data:dbSecretIdd is not a setting of this project (did you mean data:dbSecretId?)",
        "data:multiAz = 'false' is invalid: expected true in every environment",
        "data:backupRetentionDays = '0' is invalid: expected 1-35 days",
        "data:maintenanceWindow = 'tue:17:30-tue:18:30' is invalid: expected no overlap with backupWindow 17:00-18:00",
        "data:instanceClass = 'db.t3.nano' is invalid: expected a class RDS offers for PostgreSQL 17",
        "data:skipFinalSnapshot = True is invalid: expected false in prod",
        "data:deletionProtection = False is invalid: expected true in prod",
    ]
    assert len(lines) == len(expected), lines
    assert all(line.startswith(want) for line, want in zip(lines, expected, strict=True)), lines


def test_a_rule_whose_field_is_invalid_is_not_judged_on_a_guess(run_layer):
    # engineVersion is wrong, so which classes exist cannot be told: only engineVersion is named.
    with pytest.raises(ConfigError) as err:
        run_layer("data", "prod", overrides={"engineVersion": "9.6", "instanceClass": "db.t3.nano"})
    assert str(err.value).splitlines() == [
        "data:engineVersion = '9.6' is invalid: expected a PostgreSQL major version (15, 16, 17); "
        "minor versions come from automatic minor upgrades"
    ]
