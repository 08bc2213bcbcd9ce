"""A prod rebuild takes back the archive the teardown kept: its bucket, its key and the key's alias, by import."""

from __future__ import annotations

import pytest

from ops.plan.mock_engine import OfflineCloud
from shared.adoption import KeptResourceError

KEPT_BUCKET = "s3-payments-auditarchive-prod-a1b2c3d"
ALIAS = "alias/kms-payments-auditarchive-prod"
KEY_ID = "0f9e8d7c-1111-2222-3333-444455556666"
KEPT = OfflineCloud(buckets=(KEPT_BUCKET, "s3-payments-alblogs-prod-9z8y7x6"), aliases=((ALIAS, KEY_ID),))


def test_a_first_prod_deploy_imports_nothing(run_layer, registrations):
    run_layer("network", "prod")
    assert {name: r.importId for name, r in registrations.items() if r.importId} == {}


def test_prod_imports_the_kept_archive_bucket_key_and_alias_instead_of_creating_them(run_layer, registrations):
    run_layer("network", "prod", cloud=KEPT)
    imported = {name: r.importId for name, r in registrations.items() if r.importId}
    assert imported == {
        "s3-payments-auditarchive-prod": KEPT_BUCKET,
        "kms-payments-auditarchive-prod": KEY_ID,
        "alias-kms-payments-auditarchive-prod": ALIAS,
    }
    # Nothing is ignored: what differs from the code after the import is updated to it.
    assert all(not list(registrations[name].ignoreChanges) for name in imported)


def test_dev_keeps_nothing_so_it_looks_nothing_up(run_layer, engines):
    run_layer("network", "dev", cloud=OfflineCloud(buckets=("s3-payments-auditarchive-dev-a1b2c3d",)))
    (engine,) = engines
    assert [token for token, _ in engine.calls if "getBuckets" in token or "getAlias" in token] == []


def test_two_archive_buckets_stop_the_deploy_naming_both(run_layer):
    cloud = OfflineCloud(buckets=(KEPT_BUCKET, "s3-payments-auditarchive-prod-z9y8x7w"), aliases=((ALIAS, KEY_ID),))
    with pytest.raises(KeptResourceError) as failed:
        run_layer("network", "prod", cloud=cloud)
    assert str(failed.value).startswith(
        "2 buckets named s3-payments-auditarchive-prod-* in ap-northeast-2 "
        f"({KEPT_BUCKET}, s3-payments-auditarchive-prod-z9y8x7w): expected at most one"
    )


def test_a_kept_bucket_whose_key_alias_is_gone_says_how_to_name_the_key_again(run_layer):
    with pytest.raises(KeptResourceError) as failed:
        run_layer("network", "prod", cloud=OfflineCloud(buckets=(KEPT_BUCKET,)))
    message = str(failed.value)
    assert message.startswith(f"the audit archive bucket {KEPT_BUCKET} was kept, but its key's alias {ALIAS} cannot")
    assert f"aws kms create-alias --alias-name {ALIAS} --target-key-id <key id>" in message
