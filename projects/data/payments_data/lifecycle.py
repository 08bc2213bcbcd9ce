"""What the tooling needs to know about the data layer beyond its place in the graph."""

from __future__ import annotations

from payments_data.preflight import (
    check_db_secret_of,
    check_final_snapshot_of,
    check_instance_class_of,
    db_secret_grants,
    final_snapshot_grants,
    instance_class_grants,
)
from payments_data.settings import DataSettings
from payments_data.verify import check_database
from shared.contracts.data import DataContract
from shared.lifecycle import LayerLifecycle, PreflightCheck, Teardown, VerifyCheck
from shared.ownership import Ownership

# Checked before data is deployed, and before compute is (its tasks read the same secret).
DB_SECRET_CHECK = PreflightCheck("db-secret", check_db_secret_of, grants=db_secret_grants)

LIFECYCLE = LayerLifecycle(
    contract=DataContract,
    settings=DataSettings,
    # prod is deployed by its GitHub environment only; in dev the team's engineers may assume the role too.
    owner=Ownership(team="@payments/data", principals={"dev": ("role/payments-data-engineers",)}),
    preflight=(
        DB_SECRET_CHECK,
        PreflightCheck("instance-class", check_instance_class_of, when="deploy-only", grants=instance_class_grants),
        PreflightCheck("final-snapshot", check_final_snapshot_of, when="teardown", grants=final_snapshot_grants),
    ),
    teardown=Teardown(
        config=(("deletionProtection", "false"), ("teardown", "true")),
        targets=("aws:rds/instance:Instance",),
        properties=("deletionProtection",),
        leaves_in_protected=(
            "the database leaves its final snapshot (teardown never sets skipFinalSnapshot here) and the KMS key "
            "that encrypts it; the next deploy creates a new, empty database with a key of its own (the kept key "
            "belongs to the snapshot, not to the stack); delete the snapshot with `aws rds delete-db-snapshot` once "
            "it is no longer needed, then schedule the key's deletion",
        ),
    ),
    verify=(
        VerifyCheck(
            "database",
            "RDS available, Multi-AZ, KMS-encrypted",
            check_database,
            needs=("db_instance_identifier", "db_kms_key_arn"),
        ),
    ),
    diagram_colors=("#f1e4f5", "#7b3f98"),
)
