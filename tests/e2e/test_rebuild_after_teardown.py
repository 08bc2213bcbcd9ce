"""Prod torn down and rebuilt, through the real engine: the rebuild adopts what the teardown kept.

A protected environment's teardown leaves its evidence and its name in the account on purpose
(`retain_on_delete`): the audit archive's bucket and key, the access-log bucket, and the hosted
zone on its reusable delegation set (the database's key stays with the final snapshot). A new
`deploy-all` must take those back into the stacks instead of colliding with them (Route53
refuses a second zone of the name on the same delegation set) or duplicating them (a second
archive bucket would split a year of evidence in two).
"""

from __future__ import annotations

from tests.e2e.harness import Sandbox

PROD = {"PAYMENTS_ALLOW_LOCAL_BACKEND": "1"}

ZONE = "aws:route53/zone:Zone"
BUCKET = "aws:s3/bucket:Bucket"
KEY = "aws:kms/key:Key"
ALIAS = "aws:kms/alias:Alias"


def test_prod_rebuild_after_teardown_adopts_the_kept_zone_buckets_and_keys(make_sandbox) -> None:
    sb: Sandbox = make_sandbox()
    sb.seed_account("prod")
    delegation_set = sb.delegate("prod")

    first = sb.invoke("deploy-all", "--env", "prod", env=PROD, timeout=600)
    assert first.returncode == 0, first
    before = {(r.type, r.id): r for r in sb.cloud.resources()}

    down = sb.invoke("destroy-all", "--env", "prod", "--yes", "--confirm", "prod", env=PROD, timeout=600)
    assert down.returncode == 0, down
    left = sb.cloud.resources()
    kept = [r for r in left if r.type != "aws:rds/snapshot:Snapshot"]
    # Exactly what the layers declare as kept, each the very resource the first deploy made.
    assert {(r.type, r.id) for r in kept} <= set(before), "the teardown left something it did not create"
    assert {r.type for r in kept} >= {ZONE, BUCKET, KEY}
    zones = [r for r in kept if r.type == ZONE]
    assert [z.props["delegationSetId"] for z in zones] == [delegation_set]
    # The teardown says what stays and that the next deploy takes it back.
    said = " ".join(down.stdout.split())  # the console wraps long lines
    notes = [note.split("; ")[0] for note in said.split("prod: ")[1:]]
    assert any(n.startswith("the audit archive stays") for n in notes), said
    assert any(n.startswith("the load balancer's access-log bucket") for n in notes), said
    assert said.count("takes them back into the stack") == 2, said

    # Someone retags the kept access-log bucket while the platform is down: the rebuild takes the
    # bucket back all the same and puts the code's tags back.
    (logs_bucket,) = [r for r in kept if r.type == BUCKET and r.name.startswith("s3-payments-alblogs")]
    sb.cloud.edit(BUCKET, logs_bucket.id, lambda props: props["tags"].update({"Owner": "someone-else"}))

    mark = len(sb.cloud.calls())
    again = sb.invoke("deploy-all", "--env", "prod", env=PROD, timeout=600)
    assert again.returncode == 0, again
    after = sb.cloud.resources()
    # Nothing kept was created a second time: one zone of the domain, one archive and one
    # access-log bucket, and the kept ones are the ones in use.
    assert [r.id for r in after if r.type == ZONE] == [z.id for z in zones]
    kept_buckets = sorted(r.id for r in kept if r.type == BUCKET)
    assert sorted(r.id for r in after if r.type == BUCKET and r.id in kept_buckets) == kept_buckets
    # The kept resources AWS knows by name were imported (read by id), never created; their
    # configurations (a bucket's policy, lifecycle, lock...) are written over, one Put each.
    # (The database's key stays with the final snapshot: the new database gets a key of its own.)
    snapshot_key = {(r.type, r.id) for r in kept if r.type == KEY and r.urn.split("::")[1] == "data"}
    assert len(snapshot_key) == 1
    named = {(r.type, r.id) for r in kept if r.type in (ZONE, BUCKET, KEY, ALIAS)} - snapshot_key
    created = {(c["type"], c["id"]) for c in sb.cloud.changes(since=mark) if c["op"] == "create"}
    assert not created & named, "a kept resource was created again"
    imported = {(c["type"], c["id"]) for c in sb.cloud.calls()[mark:] if c["op"] == "read" and c.get("importing")}
    assert imported == named
    assert {(r.type, r.id) for r in kept} <= {(r.type, r.id) for r in after}
    assert "Owner" not in sb.cloud.get(BUCKET, logs_bucket.id).props["tags"]  # type: ignore[union-attr]
    assert len([r for r in after if r.type == KEY and r.urn.split("::")[1] == "data"]) == 2

    # And the rebuilt platform is steady: a further deploy changes nothing.
    mark = len(sb.cloud.calls())
    steady = sb.invoke("deploy-all", "--env", "prod", env=PROD, timeout=600)
    assert steady.returncode == 0, steady
    assert sb.cloud.changes(since=mark) == []
