"""A long deploy through the real engine shows where it is and, afterwards, what took the time."""

from __future__ import annotations

import json
import re

from tests.e2e.harness import LAYERS, Sandbox

RDS = "aws:rds/instance:Instance"
TARGET_GROUP = "aws:lb/targetGroup:TargetGroup"


def test_a_slow_database_is_shown_in_flight_with_its_time_and_named_the_slowest(deployed_dev: Sandbox) -> None:
    sb = deployed_dev
    # Two changes made in place, one per layer of the wave that runs data and edge side by side: the
    # database's storage ceiling (the provider takes 20 s over it) and the target group's
    # deregistration delay (3 s).
    for layer, key, value in (("data", "maxAllocatedStorage", "60"), ("edge", "deregistrationDelaySeconds", "45")):
        done = sb.pulumi(layer, "config", "set", f"{layer}:{key}", value, "-s", "dev")
        assert done.returncode == 0, done.stderr
    report = sb.home / "deploy.json"
    ran = sb.invoke(
        "deploy-all", "--env", "dev", "--json", str(report), env={"PAYMENTS_TEST_SLOW": f"{RDS}=20,{TARGET_GROUP}=3"}
    )
    assert ran.returncode == 0, ran

    # Plain lines (no terminal): every one before the summary names its layer, whole, whichever
    # layer wrote it while the other ran beside it.
    before_summary = ran.stdout.split("Deploy of dev")[0].splitlines()
    assert before_summary and all(re.match(rf"({'|'.join(LAYERS)}): \S", line) for line in before_summary), ran.stdout
    still = [i for i, line in enumerate(before_summary) if line.startswith("data: still updating rds-payments-dev…")]
    (updated,) = [i for i, line in enumerate(before_summary) if line.startswith("data: updated rds-payments-dev ")]
    assert still and still[0] < updated, ran.stdout
    elapsed = [int(m[1]) for i in still if (m := re.search(r"\[(\d+)s elapsed\]", before_summary[i]))]
    assert elapsed in ([10], [10, 20]), elapsed  # Terraform's rhythm: every 10 s the step has run
    took = float(re.search(r"in (\d+\.\d)s$", before_summary[updated])[1])  # type: ignore[index]
    assert took >= 20.0
    data_began = before_summary.index("data: deploying…")
    edge_steps = [i for i, line in enumerate(before_summary) if line.startswith("edge: updated ")]
    assert edge_steps and all(data_began < i < updated for i in edge_steps), "edge's steps ran beside data's"

    # What took the time: the summary names the database first among data's slowest.
    slowest = re.search(r"^data: slowest: (\S+) (\d+\.\d)s \(update\)", ran.stdout, re.M)
    assert slowest and slowest[1] == "rds-payments-dev" and float(slowest[2]) >= 20.0, ran.stdout

    # The JSON records every step, and each lies within its layer's run.
    doc = json.loads(report.read_text())
    layers = {entry["layer"]: entry for entry in doc["layers"]}
    assert set(layers) == set(LAYERS)
    (db,) = [r for r in layers["data"]["resources"] if r["name"] == "rds-payments-dev"]
    assert db["operation"] == "update" and 20.0 <= db["duration"] <= layers["data"]["duration"]
    for entry in layers.values():
        for step in entry["resources"]:
            assert 0 <= step["duration"] <= entry["duration"], step
    total = max((s["start"] + s["duration"] for e in layers.values() for s in e["resources"]), default=0)
    assert total <= ran.seconds
