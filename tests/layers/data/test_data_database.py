"""The RDS instance and what surrounds it (SPEC §3 data), with the values the plan registers."""

import pytest

from shared.plan_values import SECRET_MASK, computed
from tests.layers.data.data_helpers import INSTANCE, LOG_GROUP

KEY_ARN = computed("kms-payments-data-prod", "arn")


@pytest.fixture
def db(prod_plan):
    return prod_plan.one(INSTANCE).inputs


def test_postgres_17_on_db_t3_micro_multi_az(db):
    assert db["engine"] == "postgres"
    assert db["engineVersion"] == "17"
    assert db["instanceClass"] == "db.t3.micro"
    assert db["multiAz"] is True
    assert db["identifier"] == "rds-payments-prod"
    assert db["dbName"] == "payments"
    assert db["port"] == 5432


def test_db_sits_in_the_private_subnets_behind_the_network_db_group(prod_plan, db):
    group = prod_plan.one("aws:rds/subnetGroup:SubnetGroup").inputs
    assert group["name"] == "dbsubnet-payments-prod"
    # run_layer feeds network's contract stand-ins: these are the private subnets, not the public ones.
    assert group["subnetIds"] == [
        computed("network-stack", "private_subnet_ids") + "[0]",
        computed("network-stack", "private_subnet_ids") + "[1]",
    ]
    assert db["dbSubnetGroupName"] == "dbsubnet-payments-prod"
    assert db["vpcSecurityGroupIds"] == [computed("network-stack", "db_security_group_id")]
    assert db["publiclyAccessible"] is False


def test_storage_and_performance_insights_are_encrypted_with_the_layer_key(db):
    assert db["storageEncrypted"] is True
    assert db["kmsKeyId"] == KEY_ARN
    assert db["performanceInsightsEnabled"] is True
    assert db["performanceInsightsKmsKeyId"] == KEY_ARN
    assert db["performanceInsightsRetentionPeriod"] == 7


def test_parameter_group_forces_ssl_with_the_static_apply_method(prod_plan, db):
    group = prod_plan.one("aws:rds/parameterGroup:ParameterGroup").inputs
    assert group["family"] == "postgres17"
    assert group["name"] == "dbparams-payments-pg17-prod"
    assert {"name": "rds.force_ssl", "value": "1", "applyMethod": "pending-reboot"} in group["parameters"]
    assert db["parameterGroupName"] == "dbparams-payments-pg17-prod"
    assert db["caCertIdentifier"] == "rds-ca-rsa2048-g1"


def test_backups_snapshots_and_upgrades(db):
    assert db["backupRetentionPeriod"] == 7
    assert db["backupWindow"] == "17:00-18:00"
    assert db["maintenanceWindow"] == "sun:18:30-sun:19:30"
    assert db["copyTagsToSnapshot"] is True
    assert db["autoMinorVersionUpgrade"] is True
    assert db["allowMajorVersionUpgrade"] is False
    assert db["applyImmediately"] is False  # routine changes wait for the maintenance window


def test_major_upgrade_is_allowed_and_applied_during_the_deploy_only_when_config_says_so(run_layer):
    plan = run_layer("data", "prod", overrides={"engineVersion": "16", "allowMajorVersionUpgrade": True})
    db = plan.one(INSTANCE).inputs
    assert (db["engineVersion"], db["allowMajorVersionUpgrade"], db["applyImmediately"]) == ("16", True, True)
    assert db["parameterGroupName"] == "dbparams-payments-pg16-prod"


def test_storage_autoscales_on_gp3_up_to_a_bound(prod_plan, dev_plan, db):
    assert db["storageType"] == "gp3"
    assert (db["allocatedStorage"], db["maxAllocatedStorage"]) == (20, 100)
    dev = dev_plan.one(INSTANCE).inputs
    assert (dev["allocatedStorage"], dev["maxAllocatedStorage"]) == (20, 50)


def test_postgres_logs_go_to_pre_created_encrypted_groups(prod_plan, db):
    assert db["enabledCloudwatchLogsExports"] == ["postgresql", "upgrade"]
    groups = {g.inputs["name"]: g.inputs for g in prod_plan.by_type(LOG_GROUP)}
    assert set(groups) == {
        "/aws/rds/instance/rds-payments-prod/postgresql",
        "/aws/rds/instance/rds-payments-prod/upgrade",
    }
    for group in groups.values():
        assert group["retentionInDays"] == 7
        assert group["kmsKeyId"] == KEY_ARN


def test_log_groups_exist_before_the_instance_exports_into_them(registrations, prod_plan):
    # registrations is requested first, so it records the plan prod_plan runs.
    instance = registrations["rds-payments-prod"]
    for name in ("log-payments-rds-postgresql-prod", "log-payments-rds-upgrade-prod"):
        assert any(urn.endswith(f"::{name}") for urn in instance.dependencies), name


def test_prod_is_protected_and_keeps_a_named_final_snapshot(db):
    assert db["deletionProtection"] is True
    assert db["skipFinalSnapshot"] is False
    assert db["finalSnapshotIdentifier"] == "snapshot-payments-final-prod"


def test_dev_is_unprotected_and_skips_the_final_snapshot(dev_plan):
    dev = dev_plan.one(INSTANCE).inputs
    assert dev["deletionProtection"] is False
    assert dev["skipFinalSnapshot"] is True
    assert "finalSnapshotIdentifier" not in dev
    assert dev["multiAz"] is True
    assert dev["identifier"] == "rds-payments-dev"


def test_teardown_flip_turns_prod_protection_off_and_still_keeps_the_snapshot(run_layer):
    from shared.layers import lifecycle

    flips = dict(lifecycle("data").teardown.config)
    assert flips == {"deletionProtection": "false", "teardown": "true"}
    db = run_layer("data", "prod", overrides=flips).one(INSTANCE).inputs
    assert db["deletionProtection"] is False
    assert db["finalSnapshotIdentifier"] == "snapshot-payments-final-prod"
    assert db["skipFinalSnapshot"] is False


def test_engine_version_sets_the_parameter_group_family_and_its_name(run_layer):
    plan = run_layer("data", "dev", overrides={"engineVersion": "16"})
    db = plan.one(INSTANCE).inputs
    group = plan.one("aws:rds/parameterGroup:ParameterGroup")
    assert db["engineVersion"] == "16"
    assert group.inputs["family"] == "postgres16"
    # A new major gets a new physical name, so create-before-delete never clashes with the old
    # group (DBParameterGroupAlreadyExists); the logical name stays, so it is a replacement.
    assert group.inputs["name"] == "dbparams-payments-pg16-dev"
    assert db["parameterGroupName"] == "dbparams-payments-pg16-dev"
    assert group.name == "dbparams-payments-dev"


@pytest.mark.parametrize(("env", "protected"), [("prod", True), ("dev", False)])
def test_pulumi_protects_the_instance_wherever_deletion_protection_is_on(registrations, run_layer, env, protected):
    # The identifier is fixed, so a replacement (e.g. a new username in the secret) could never
    # succeed: protect makes Pulumi refuse it up front.
    run_layer("data", env)
    assert registrations[f"rds-payments-{env}"].protect is protected
    assert registrations[f"dbparams-payments-{env}"].protect is False


def test_teardown_flip_lifts_pulumi_protection_too(registrations, run_layer):
    from shared.layers import lifecycle

    run_layer("data", "prod", overrides=dict(lifecycle("data").teardown.config))
    assert registrations["rds-payments-prod"].protect is False


def test_the_layer_registers_exactly_these_resources(prod_plan):
    assert [(r.type, r.name) for r in prod_plan.custom_resources()] == [
        ("aws:cloudwatch/logGroup:LogGroup", "log-payments-rds-postgresql-prod"),
        ("aws:cloudwatch/logGroup:LogGroup", "log-payments-rds-upgrade-prod"),
        ("aws:cloudwatch/logSubscriptionFilter:LogSubscriptionFilter", "logsub-payments-rds-postgresql-prod"),
        ("aws:cloudwatch/metricAlarm:MetricAlarm", "alarm-payments-db-connections-high-prod"),
        ("aws:cloudwatch/metricAlarm:MetricAlarm", "alarm-payments-db-cpu-credits-low-prod"),
        ("aws:cloudwatch/metricAlarm:MetricAlarm", "alarm-payments-db-cpu-high-prod"),
        ("aws:cloudwatch/metricAlarm:MetricAlarm", "alarm-payments-db-free-storage-low-prod"),
        ("aws:cloudwatch/metricAlarm:MetricAlarm", "alarm-payments-db-freeable-memory-low-prod"),
        ("aws:kms/alias:Alias", "alias-kms-payments-data-prod"),
        ("aws:kms/key:Key", "kms-payments-data-prod"),
        ("aws:rds/instance:Instance", "rds-payments-prod"),
        ("aws:rds/parameterGroup:ParameterGroup", "dbparams-payments-prod"),
        ("aws:rds/subnetGroup:SubnetGroup", "dbsubnet-payments-prod"),
    ]


def test_the_secret_sets_the_password_at_creation_and_rotation_owns_it_afterwards(registrations, prod_plan):
    # registrations is requested first, so it records the plan prod_plan runs.
    instance = registrations["rds-payments-prod"]
    assert list(instance.ignoreChanges) == ["password"]
    db = prod_plan.one(INSTANCE).inputs
    assert db["password"] == SECRET_MASK  # still passed, so a new instance gets the secret's password
    assert db["username"] == "payments_app"


def _parameters(plan) -> dict[str, tuple[str, str]]:
    group = plan.one("aws:rds/parameterGroup:ParameterGroup").inputs
    return {p["name"]: (p["value"], p["applyMethod"]) for p in group["parameters"]}


@pytest.mark.parametrize("env", ["prod", "dev"])
@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("log_connections", "1"),
        ("log_disconnections", "1"),
        ("log_statement", "ddl"),
        ("log_min_duration_statement", "1000"),
        ("log_parameter_max_length", "0"),
        ("log_parameter_max_length_on_error", "0"),
    ],
)
def test_audit_parameter_is_set_and_applied_immediately_as_a_dynamic_parameter(run_layer, env, name, value):
    assert _parameters(run_layer("data", env))[name] == (value, "immediate")


def test_parameter_group_holds_exactly_force_ssl_and_the_six_audit_parameters(prod_plan):
    assert sorted(_parameters(prod_plan)) == [
        "log_connections",
        "log_disconnections",
        "log_min_duration_statement",
        "log_parameter_max_length",
        "log_parameter_max_length_on_error",
        "log_statement",
        "rds.force_ssl",
    ]


def test_slow_statement_threshold_comes_from_config(run_layer):
    plan = run_layer("data", "prod", overrides={"logMinDurationStatementMs": 250})
    assert _parameters(plan)["log_min_duration_statement"] == ("250", "immediate")


@pytest.mark.parametrize("env", ["prod", "dev"])
def test_iam_database_authentication_is_enabled(run_layer, env):
    assert run_layer("data", env).one(INSTANCE).inputs["iamDatabaseAuthenticationEnabled"] is True
