"""Production through the real engine: a team backend from `bootstrap`, CI's fresh checkout, teardown, rebuild.

The backend is what `invoke bootstrap` prints (an S3 bucket and a KMS secrets key, on moto over
TLS): exactly the two lines a user exports, with no passphrase anywhere. A protected environment's
teardown leaves its evidence and its names in the account on purpose (`retain_on_delete`): the audit
archive's bucket and key, the access-log bucket, the hosted zone on its reusable delegation set, and
the database's final snapshot with its key. The rebuild must take those back into the stacks.
"""

from __future__ import annotations

import re
from pathlib import Path

from tests.e2e.harness import LAYERS, Sandbox

STATE_BUCKET = "pulumi-state-payments-prod-123456789012"
ZONE = "aws:route53/zone:Zone"
BUCKET = "aws:s3/bucket:Bucket"
KEY = "aws:kms/key:Key"
ALIAS = "aws:kms/alias:Alias"
SNAPSHOT = "aws:rds/snapshot:Snapshot"


def stack_files(sb: Sandbox) -> dict[Path, str]:
    """Every prod stack file's text, by path."""
    return {sb.stack_file(layer, "prod"): sb.stack_file(layer, "prod").read_text() for layer in LAYERS}


def test_prod_on_the_backend_bootstrap_prints_survives_a_fresh_checkout_a_teardown_and_a_rebuild(
    make_sandbox,
) -> None:
    sb: Sandbox = make_sandbox()
    sb.seed_account("prod")
    boot = sb.invoke("bootstrap", "--env", "prod", "--repository", "acme/payments-infra")
    assert boot.returncode == 0, boot
    exports = dict(re.findall(r"^export (\w+)='([^']*)'$", boot.stdout, re.M))
    assert exports == {
        "PULUMI_BACKEND_URL": f"s3://{STATE_BUCKET}?region=ap-northeast-2",
        "PAYMENTS_SECRETS_PROVIDER": "awskms://alias/pulumi-payments-prod?region=ap-northeast-2",
    }
    sb.env.update(exports)
    del sb.env["PULUMI_CONFIG_PASSPHRASE"]  # a KMS-backed team backend needs none
    # The engine saves the whole state after every step; on moto (Python, TLS) those S3 writes cost
    # half of this journey. The final state of each run is written all the same, and nothing here
    # depends on the intermediate ones (the interrupt journeys, on the file backend, do).
    sb.env["PULUMI_SKIP_CHECKPOINTS"] = "true"
    delegation_set = sb.delegate("prod")
    committed = stack_files(sb)  # what the team commits before its first deploy

    first = sb.invoke("deploy-all", "--env", "prod")
    assert first.returncode == 0, first
    objects = {o["Key"] for o in sb.aws("s3").list_objects_v2(Bucket=STATE_BUCKET)["Contents"]}
    assert {f".pulumi/stacks/{layer}/prod.json" for layer in LAYERS} <= objects
    # What the first deploy wrote into the stack files: the secrets provider and its encrypted data key.
    for path, text in stack_files(sb).items():
        added = text[len(committed[path]) :] if text.startswith(committed[path]) else text
        assert "secretsprovider: awskms://alias/pulumi-payments-prod?region=ap-northeast-2" in added, path

    # From here on every run is CI's: a fresh checkout holds the stack files exactly as committed,
    # without those lines. Teardown keeps exactly the audit evidence, each piece the very resource
    # the first deploy made.
    for path, text in committed.items():
        path.write_text(text)
    before = {(r.type, r.id) for r in sb.cloud.resources()}
    down = sb.invoke("destroy-all", "--env", "prod", "--yes", "--confirm", "prod")
    assert down.returncode == 0, down
    left = sb.cloud.resources()
    kept = [r for r in left if r.type != SNAPSHOT]
    assert {(r.type, r.id) for r in kept} <= before, "the teardown left something it did not create"
    assert {r.type for r in kept} >= {ZONE, BUCKET, KEY}
    assert [r.type for r in left if r.type == SNAPSHOT] == [SNAPSHOT]
    (zone,) = [r for r in kept if r.type == ZONE]
    assert zone.props["delegationSetId"] == delegation_set
    # The teardown says what stays and that the next deploy takes it back.
    said = " ".join(down.stdout.split())  # the console wraps long lines
    notes = [note.split("; ")[0] for note in said.split("prod: ")[1:]]
    assert any(n.startswith("the audit archive stays") for n in notes), said
    assert any(n.startswith("the load balancer's access-log bucket") for n in notes), said
    assert said.count("takes them back into the stack") == 2, said

    # Someone retags the kept access-log bucket while the platform is down.
    (logs_bucket,) = [r for r in kept if r.type == BUCKET and r.name.startswith("s3-payments-alblogs")]
    sb.cloud.edit(BUCKET, logs_bucket.id, lambda props: props["tags"].update({"Owner": "someone-else"}))

    # A disaster-recovery rebuild from the same commit takes back what was kept instead of colliding
    # with it (Route53 refuses a second zone of the name on the delegation set) or duplicating it.
    for path, text in committed.items():
        path.write_text(text)
    mark = len(sb.cloud.calls())
    rebuilt = sb.invoke("deploy-all", "--env", "prod")
    assert rebuilt.returncode == 0, rebuilt
    after = sb.cloud.resources()
    assert [r.id for r in after if r.type == ZONE] == [zone.id]
    # The kept resources AWS knows by name were imported (read by id), never created. (The
    # database's key stays with the final snapshot: the new database gets a key of its own.)
    snapshot_key = {(r.type, r.id) for r in kept if r.type == KEY and r.urn.split("::")[1] == "data"}
    assert len(snapshot_key) == 1
    named = {(r.type, r.id) for r in kept if r.type in (ZONE, BUCKET, KEY, ALIAS)} - snapshot_key
    created = {(c["type"], c["id"]) for c in sb.cloud.changes(since=mark) if c["op"] == "create"}
    assert not created & named, "a kept resource was created again"
    imported = {(c["type"], c["id"]) for c in sb.cloud.calls()[mark:] if c["op"] == "read" and c.get("importing")}
    assert imported == named
    assert {(r.type, r.id) for r in kept} <= {(r.type, r.id) for r in after}
    assert "Owner" not in sb.cloud.get(BUCKET, logs_bucket.id).props["tags"]  # type: ignore[union-attr]

    # The same deploy-all from a fresh checkout again: no error, and the rebuilt platform is steady.
    for path, text in committed.items():
        path.write_text(text)
    mark = len(sb.cloud.calls())
    steady = sb.invoke("deploy-all", "--env", "prod")
    assert steady.returncode == 0, steady
    assert sb.cloud.changes(since=mark) == []
