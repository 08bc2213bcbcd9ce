"""A CI job's ephemeral environment through the real engine: a first deploy followed resource by resource, then
removed without a trace.

A first deploy is the long one (a real first prod deploy takes 25 to 40 minutes), so it is where
the live progress and the account of what took the time are shown: the stand-in provider takes
20 s over the database and 3 s over the target group, which data and edge create side by side.
"""

from __future__ import annotations

import json
import re

from tests.e2e.harness import LAYERS, Sandbox

RDS = "aws:rds/instance:Instance"
TARGET_GROUP = "aws:lb/targetGroup:TargetGroup"
SLOW = {"PAYMENTS_TEST_SLOW": f"{RDS}=20,{TARGET_GROUP}=3"}


def test_an_ephemeral_environment_is_deployed_with_live_progress_and_torn_down_without_a_trace(
    deployed_dev: Sandbox,
) -> None:
    sb = deployed_dev
    zone = sb.aws("route53").create_hosted_zone(Name="ci.payments.example.com", CallerReference="ci-zone")
    zone_id = zone["HostedZone"]["Id"].rsplit("/", 1)[-1]
    before = {(r.type, r.id) for r in sb.cloud.resources()}
    stack_files = sorted(p.name for p in sb.checkout.glob("projects/*/Pulumi.*.yaml"))
    report = sb.home / "deploy.json"

    made = sb.invoke(
        "deploy-all",
        "--env",
        "pr7",
        "--from",
        "dev",
        "--set",
        "edge:domainName=pr7.ci.payments.example.com",
        "--set",
        f"edge:hostedZoneId={zone_id}",
        "--json",
        str(report),
        env=SLOW,
    )
    assert made.returncode == 0, made
    mine = [r for r in sb.cloud.resources() if (r.type, r.id) not in before]
    assert mine and all(r.urn.startswith("urn:pulumi:pr7::") for r in mine)
    records = [r for r in mine if r.type == "aws:route53/record:Record"]
    assert records and all(r.props["zoneId"] == zone_id for r in records)

    # Plain lines (no terminal): every one before the summary names its layer, whole, whichever of
    # the layers running side by side wrote it.
    lines = made.stdout.split("Deploy of pr7")[0].splitlines()
    lines = [line for line in lines if not line.startswith("ephemeral pr7: ")]
    assert lines and all(re.match(rf"({'|'.join(LAYERS)}): \S", line) for line in lines), made.stdout
    # The database is shown in flight, with its time, before it is done; edge works meanwhile.
    still = [i for i, line in enumerate(lines) if line.startswith("data: still creating rds-payments-pr7…")]
    (created,) = [i for i, line in enumerate(lines) if line.startswith("data: created rds-payments-pr7 ")]
    assert still and still[0] < created, made.stdout
    elapsed = [int(m[1]) for i in still if (m := re.search(r"\[(\d+)s elapsed\]", lines[i]))]
    assert elapsed in ([10], [10, 20]), elapsed  # Terraform's rhythm: every 10 s the step has run
    assert float(re.search(r"in (\d+\.\d)s$", lines[created])[1]) >= 20.0  # type: ignore[index]
    data_began = lines.index("data: deploying…")
    edge_steps = [i for i, line in enumerate(lines) if line.startswith("edge: created ")]
    assert edge_steps and any(data_began < i < created for i in edge_steps), "edge works beside data"

    # What took the time: the summary names the database first among data's slowest resources.
    slowest = re.search(r"^data: slowest: (\S+) (\d+\.\d)s \(create\)", made.stdout, re.M)
    assert slowest and slowest[1] == "rds-payments-pr7" and float(slowest[2]) >= 20.0, made.stdout
    # The JSON records every step, each within its layer's run.
    doc = json.loads(report.read_text())
    layers = {entry["layer"]: entry for entry in doc["layers"]}
    assert set(layers) == set(LAYERS)
    (db,) = [r for r in layers["data"]["resources"] if r["name"] == "rds-payments-pr7"]
    assert db["operation"] == "create" and 20.0 <= db["duration"] <= layers["data"]["duration"]
    assert len(layers["data"]["resources"]) == len([r for r in mine if r.urn.split("::")[1] == "data"])
    for entry in layers.values():
        for step in entry["resources"]:
            assert 0 <= step["duration"] <= entry["duration"], step
    assert max(s["start"] + s["duration"] for e in layers.values() for s in e["resources"]) <= made.seconds

    # Torn down: nothing of it is left in the cloud, in the backend or in the checkout.
    gone = sb.invoke("destroy-all", "--env", "pr7", "--yes")
    assert gone.returncode == 0, gone
    assert {(r.type, r.id) for r in sb.cloud.resources()} == before
    assert sorted(p.name for p in sb.checkout.glob("projects/*/Pulumi.*.yaml")) == stack_files
    assert not list(sb.checkout.glob("projects/.ephemeral/*"))
    for layer in LAYERS:
        listed = sb.pulumi(layer, "stack", "ls", "--json")
        assert listed.returncode == 0, listed.stderr
        assert [s["name"] for s in json.loads(listed.stdout)] == ["dev"]
