"""A team's first days with dev, through the real engine: deploy everything, again, one layer, preview, read."""

from __future__ import annotations

import json

from tests.e2e.harness import Sandbox


def test_first_deploy_all_then_again_changes_nothing(make_sandbox) -> None:
    sb: Sandbox = make_sandbox()
    sb.seed_account("dev")
    sb.delegate("dev")

    first = sb.invoke("deploy-all", "--env", "dev")
    assert first.returncode == 0, first
    created = [c for c in sb.cloud.changes() if c["op"] == "create"]
    assert len(created) == len(sb.cloud.resources())
    assert {c["urn"].split("::")[1] for c in created} == {"network", "data", "edge", "compute"}

    mark = len(sb.cloud.calls())
    again = sb.invoke("deploy-all", "--env", "dev")
    assert again.returncode == 0, again
    assert sb.cloud.changes(since=mark) == [], "a second deploy-all of an unchanged platform changed the cloud"
    for layer in ("network", "data", "edge", "compute"):
        assert any(line.split()[:2] == ["│", layer] for line in again.stdout.splitlines()), again.stdout

    outputs = sb.invoke("outputs", "--env", "dev", "--json")
    assert outputs.returncode == 0, outputs
    merged = json.loads(outputs.stdout)
    vpc = sb.cloud.resources("aws:ec2/vpc:Vpc")
    assert [merged["vpc_id"]] == [r.id for r in vpc]
    assert merged["service_url"] == "https://api.dev.payments.example.com"
