"""Owning teams through the real engine: a layer deploys under its own role; another layer under that role
is refused before any change, in one line naming its owner; and a team that may not read the state of
the layers below its own still does not replace what they use.

The sandbox's moto holds the team backend `invoke bootstrap` makes (state bucket, deploy roles),
and then authorizes every request against the caller's IAM policies (moto's `/moto-api/reset-auth`,
the server form of `INITIAL_NO_AUTH_ACTION_COUNT`). The Pulumi CLI keeps the stacks in that bucket
(`s3://`, through `AWS_ENDPOINT_URL`, over TLS) with the network team's credentials: a session of
network's deploy role.
"""

from __future__ import annotations

import json
import re
import ssl
import urllib.request

from tests.e2e.harness import ACCOUNT, REGION, Sandbox

REPOSITORY = "acme/payments-infra"
BUCKET = f"pulumi-state-payments-dev-{ACCOUNT}"


def _enforce_iam(sb: Sandbox) -> None:
    """From now on moto authorizes every request (no unauthenticated ones left)."""
    request = urllib.request.Request(
        f"{sb.moto_url}/moto-api/reset-auth", data=b"0", method="POST", headers={"Content-Type": "text/plain"}
    )
    tls = ssl.create_default_context(cafile=sb.env["AWS_CA_BUNDLE"])
    assert json.loads(urllib.request.urlopen(request, timeout=10, context=tls).read())["status"] == "ok"


def _as_role(sb: Sandbox, layer: str) -> dict[str, str]:
    """The environment variables of a session of `layer`'s deploy role (its CI job's credentials)."""
    creds = sb.aws("sts").assume_role(
        RoleArn=f"arn:aws:iam::{ACCOUNT}:role/payments-{layer}-deploy-dev", RoleSessionName=f"ci-{layer}"
    )["Credentials"]
    return {
        "AWS_ACCESS_KEY_ID": creds["AccessKeyId"],
        "AWS_SECRET_ACCESS_KEY": creds["SecretAccessKey"],
        "AWS_SESSION_TOKEN": creds["SessionToken"],
        "PULUMI_BACKEND_URL": f"s3://{BUCKET}?region={REGION}",
    }


def test_a_team_deploys_its_layer_and_is_refused_another_before_any_change(make_sandbox) -> None:
    sb: Sandbox = make_sandbox()
    sb.seed_account("dev")
    made = sb.invoke("bootstrap", "--env", "dev", "--repository", REPOSITORY)
    assert made.returncode == 0, made
    assert f"dev-network: AWS_DEPLOY_ROLE_ARN=arn:aws:iam::{ACCOUNT}:role/payments-network-deploy-dev" in made.stdout
    network, data = _as_role(sb, "network"), _as_role(sb, "data")
    _enforce_iam(sb)

    deployed = sb.invoke("deploy", "--layer", "network", "--env", "dev", env=network)
    assert deployed.returncode == 0, deployed
    created = {c["urn"].split("::")[1] for c in sb.cloud.changes() if c["op"] == "create"}
    assert created == {"network"}

    mark, calls = len(sb.cloud.calls()), len(sb.cli_calls())
    refused = sb.invoke("deploy", "--layer", "data", "--env", "dev", env=network)
    assert refused.returncode == 1, refused
    owner_lines = [line for line in refused.output.splitlines() if "data is owned by @payments/data" in line]
    assert len(owner_lines) == 1, refused
    assert re.search(r"assumed-role/payments-network-deploy-dev/ci-network may not write its state", owner_lines[0])
    assert "nothing was changed" in refused.output
    assert sb.cloud.changes(since=mark) == []
    assert not [c for c in sb.cli_calls()[calls:] if c.split()[:1] in (["up"], ["preview"])]

    # The data team deploys its own layer with its own role (reading network's stack, which it consumes).
    theirs = sb.invoke("deploy", "--layer", "data", "--env", "dev", env=data)
    assert theirs.returncode == 0, theirs
    # The network team may not read data's state (a listing of data's stacks is refused), yet its
    # deploys still know data is there, from the bucket's names: a deploy goes ahead, and a change that
    # would replace what data holds (a new VPC CIDR replaces the subnets and groups) stops before any change.
    again = sb.invoke("deploy", "--layer", "network", "--env", "dev", env=network)
    assert again.returncode == 0, again
    path = sb.stack_file("network", "dev")
    path.write_text(path.read_text().replace("10.20.", "10.30."))
    mark = len(sb.cloud.calls())
    held = sb.invoke("deploy", "--layer", "network", "--env", "dev", env=network)
    assert held.returncode == 1, held
    assert "stopped before any change" in held.output and "which data still use" in held.output, held
    assert sb.cloud.changes(since=mark) == []
