"""Production through the real engine: a team backend from `bootstrap`, CI's fresh checkout, teardown, rebuild.

The backend is what `invoke bootstrap` prints (an S3 bucket and a KMS secrets key, on moto over
TLS): exactly the two lines a user exports, with no passphrase anywhere.
"""

from __future__ import annotations

import re
from pathlib import Path

from tests.e2e.harness import LAYERS, Sandbox

STATE_BUCKET = "pulumi-state-payments-prod-123456789012"


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
    sb.delegate("prod")
    committed = stack_files(sb)  # what the team commits before its first deploy

    first = sb.invoke("deploy-all", "--env", "prod")
    assert first.returncode == 0, first
    objects = {o["Key"] for o in sb.aws("s3").list_objects_v2(Bucket=STATE_BUCKET)["Contents"]}
    assert {f".pulumi/stacks/{layer}/prod.json" for layer in LAYERS} <= objects
    # What the first deploy wrote into the stack files: the secrets provider and its encrypted data key.
    for path, text in stack_files(sb).items():
        added = text[len(committed[path]) :] if text.startswith(committed[path]) else text
        assert "secretsprovider: awskms://alias/pulumi-payments-prod?region=ap-northeast-2" in added, path

    # CI: a fresh checkout holds the stack files exactly as committed, without those lines.
    for path, text in committed.items():
        path.write_text(text)
    mark = len(sb.cloud.calls())
    again = sb.invoke("deploy-all", "--env", "prod")
    assert again.returncode == 0, again
    assert sb.cloud.changes(since=mark) == []

    # Teardown keeps exactly the audit evidence.
    kept_types = {
        "aws:s3/bucket:Bucket",
        "aws:route53/zone:Zone",
        "aws:kms/key:Key",
        "aws:rds/snapshot:Snapshot",
    }
    gone = sb.invoke("destroy-all", "--env", "prod", "--yes", "--confirm", "prod")
    assert gone.returncode == 0, gone
    left = sb.cloud.resources()
    assert left, "prod's teardown kept nothing"
    assert {r.type for r in left} <= kept_types | {
        t for t in (r.type for r in left) if t.startswith("aws:s3/bucket")
    }, sorted((r.type, r.id) for r in left)
    assert any(r.type == "aws:route53/zone:Zone" for r in left)
    assert any(r.type == "aws:rds/snapshot:Snapshot" for r in left)
    assert "kept" in gone.output or "keeps" in gone.output

    # A disaster-recovery rebuild from the same commit deploys again over what was kept.
    for path, text in committed.items():
        path.write_text(text)
    rebuilt = sb.invoke("deploy-all", "--env", "prod")
    assert rebuilt.returncode == 0, rebuilt
    zones = sb.cloud.resources("aws:route53/zone:Zone")
    assert len(zones) == 1, "the rebuild made a second zone the parent domain does not delegate to"
