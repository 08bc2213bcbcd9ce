"""A team's days with dev, through the real engine: deploy, read, drift, refusals, teardown.

Each test is one journey on a sandbox of its own (`tests.e2e.harness`); a journey states the
cloud behaviour it depends on and asserts the cloud (the provider's state) and the commands'
own words.
"""

from __future__ import annotations

import json
import re

from tests.e2e.harness import LAYERS, Sandbox

VPC = "aws:ec2/vpc:Vpc"
SECURITY_GROUP = "aws:ec2/securityGroup:SecurityGroup"


def summary_rows(text: str) -> dict[str, list[str]]:
    """The summary table's rows by layer: each row's cells."""
    rows = {}
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip("│┃ ").split("│")]
        if cells and cells[0] in LAYERS:
            rows[cells[0]] = cells
    return rows


def test_first_deploy_all_then_again_changes_nothing(deployed_dev: Sandbox) -> None:
    sb = deployed_dev
    created = [c for c in sb.cloud.changes() if c["op"] == "create"]
    assert len(created) == len(sb.cloud.resources())
    assert {c["urn"].split("::")[1] for c in created} == set(LAYERS)

    mark, cli_mark = len(sb.cloud.calls()), len(sb.cli_calls())
    again = sb.invoke("deploy-all", "--env", "dev")
    assert again.returncode == 0, again
    assert sb.cloud.changes(since=mark) == [], "a second deploy-all of an unchanged platform changed the cloud"
    # Each layer's preview changes nothing and shows its exports before and after: it stands in for
    # the update, and no `stack output` call is needed to compare them.
    ran = [c.removeprefix("--non-interactive ") for c in sb.cli_calls()[cli_mark:]]
    commands = [c.split()[0] for c in ran]
    assert commands.count("preview") == len(LAYERS) and "up" not in commands, ran
    assert not [c for c in ran if c.startswith("stack output")], ran
    # One listing answers for the four projects (the backend names stacks organization/project/stack).
    assert [c for c in ran if c.startswith("stack ls")] == ["stack ls --json --all"], ran
    rows = summary_rows(again.stdout)
    assert set(rows) == set(LAYERS), again.stdout
    assert all(r[1:3] == ["deployed", "no change"] for r in rows.values()), again.stdout

    one = sb.invoke("deploy", "--layer", "compute", "--env", "dev")
    assert one.returncode == 0, one
    assert summary_rows(one.stdout)["compute"][1:3] == ["deployed", "no change"], one.stdout

    preview = sb.invoke("preview", "--layer", "edge", "--env", "dev")
    assert preview.returncode == 0, preview
    assert summary_rows(preview.stdout)["edge"][1:3] == ["previewed", "no change"], preview.stdout
    assert sb.cloud.changes(since=mark) == []

    outputs = sb.invoke("outputs", "--env", "dev", "--json")
    assert outputs.returncode == 0, outputs
    merged = json.loads(outputs.stdout)
    assert [merged["vpc_id"]] == [r.id for r in sb.cloud.resources(VPC)]
    assert merged["service_url"] == "https://api.dev.payments.example.com"

    status = sb.invoke("status", "--env", "dev")
    assert status.returncode == 0, status
    counts = {r[0]: r[2] for r in summary_rows(status.stdout).values()}
    assert counts and all(int(n) > 0 for n in counts.values()), status.stdout


def test_drift_is_found_named_and_fixed_by_the_printed_command(deployed_dev: Sandbox) -> None:
    sb = deployed_dev
    clean = sb.invoke("drift", "--env", "dev")
    assert clean.returncode == 0, clean
    assert "no drift in dev" in clean.stdout

    # A console user retags the VPC: the cloud now differs from the state.
    (vpc,) = sb.cloud.resources(VPC)
    sb.cloud.edit(VPC, vpc.id, lambda p: p["tags"].update(Environment="sandbox"))
    mark = len(sb.cloud.calls())
    found = sb.invoke("drift", "--env", "dev", "--layer", "network")
    assert found.returncode == 1, found
    assert re.search(r"vpc-payments-dev\s.*tags\.Environment", found.stdout), found.stdout
    assert sb.cloud.changes(since=mark) == [], "drift must never change the cloud"

    fix = re.search(r"`(invoke deploy [^`]*)`", found.stdout + found.stderr)
    assert fix, f"drift printed no command to restore the cloud:\n{found}"
    ran = sb.invoke(*fix[1].split()[1:])
    assert ran.returncode == 0, ran
    (vpc,) = sb.cloud.resources(VPC)
    assert vpc.props["tags"]["Environment"] == "development"
    after = sb.invoke("drift", "--env", "dev", "--layer", "network")
    assert after.returncode == 0, after


def test_a_replacement_that_reaches_what_a_deployed_layer_uses_stops_before_any_change(deployed_dev: Sandbox) -> None:
    sb = deployed_dev
    mark = len(sb.cloud.calls())

    # Upstream of the held resources: a new VPC CIDR replaces the VPC, hence the subnets and the groups.
    path = sb.stack_file("network", "dev")
    committed = path.read_text()
    path.write_text(committed.replace("10.20.", "10.30."))
    upstream = sb.invoke("deploy", "--layer", "network", "--env", "dev")
    assert upstream.returncode == 1, upstream
    assert "stopped before any change" in upstream.output
    assert re.search(r"sg-payments-(app|db|alb)-dev", upstream.output), upstream.output
    assert sb.cloud.changes(since=mark) == []
    path.write_text(committed)

    # The held resource itself: a new description replaces the app's security group.
    groups = sb.checkout / "projects/network/payments_network/security_groups.py"
    code = groups.read_text()
    changed = code.replace('"Payment API tasks: port', '"Payment API tasks (v2): port', 1)
    assert changed != code, "the app security group's description was not found to change"
    groups.write_text(changed)
    held = sb.invoke("deploy-all", "--env", "dev")
    assert held.returncode == 1, held
    assert "stopped before any change" in held.output and "sg-payments-app-dev" in held.output
    assert sb.cloud.changes(since=mark) == []


def test_destroying_a_layer_while_its_dependents_live_is_refused(deployed_dev: Sandbox) -> None:
    sb = deployed_dev
    mark = len(sb.cloud.calls())
    refused = sb.invoke("destroy", "--layer", "network", "--env", "dev", "--yes")
    assert refused.returncode == 1, refused
    assert "still used by data, edge, compute" in refused.output
    assert sb.cloud.changes(since=mark) == []


def test_destroy_all_of_dev_leaves_nothing_in_the_cloud(deployed_dev: Sandbox) -> None:
    sb = deployed_dev
    gone = sb.invoke("destroy-all", "--env", "dev", "--yes")
    assert gone.returncode == 0, gone
    assert sb.cloud.resources() == []
    order = [c["urn"].split("::")[1] for c in sb.cloud.changes() if c["op"] == "delete"]
    assert order.index("compute") < min(order.index("data"), order.index("edge"))
    assert max(order.index("data"), order.index("edge")) < max(i for i, n in enumerate(order) if n == "network")
