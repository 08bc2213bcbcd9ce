"""Ctrl-C in the middle of `deploy-all`, as a terminal sends it, then a run killed outright, through the real engine."""

from __future__ import annotations

import json
import os
import re
import signal
import time

from tests.e2e.harness import Sandbox

RDS = "aws:rds/instance:Instance"
SLOW_DATABASE = {"PAYMENTS_TEST_SLOW": f"{RDS}=120"}


def wait_for(condition, seconds: float = 60.0, what: str = "the condition") -> None:
    """Poll `condition` until it holds (the provider's call log is written by other processes)."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} did not happen within {seconds:.0f} s")
        time.sleep(0.1)


def locks(sb: Sandbox) -> list[str]:
    """Lock files the file backend holds."""
    return sorted(str(p.relative_to(sb.home)) for p in (sb.home / "state" / ".pulumi" / "locks").rglob("*.json"))


def database_in_flight(sb: Sandbox, since: int) -> bool:
    """The provider is waiting on the database (its update is under way)."""
    return any(c["op"] == "waiting" and c["type"] == RDS for c in sb.cloud.calls()[since:])


def test_ctrl_c_ends_in_one_line_with_a_summary_and_no_lock_and_a_killed_run_is_cleared_by_cancel(
    deployed_dev: Sandbox,
) -> None:
    sb = deployed_dev
    # A change that updates the database in place (its storage autoscaling ceiling), as a team makes it.
    grown = sb.pulumi("data", "config", "set", "data:maxAllocatedStorage", "60", "-s", "dev")
    assert grown.returncode == 0, grown.stderr

    # Ctrl-C while the database is being updated: SIGINT to the whole foreground process group.
    mark = len(sb.cloud.calls())
    run = sb.start("deploy-all", "--env", "dev", env=SLOW_DATABASE)
    wait_for(lambda: database_in_flight(sb, mark), what="the database update")
    Sandbox.interrupt(run)
    out, err = run.communicate(timeout=90)
    assert run.returncode == 130, out + err
    # Edge runs beside data: it may have finished its (no-op) run before the Ctrl-C, or been cut too.
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and re.fullmatch(
        r"interrupted \(Ctrl-C\): deploy of dev stopped during data(, edge)? after network(, edge)?: "
        r"see the table above for what to run next",
        lines[0],
    ), err
    assert "Traceback" not in out + err
    rows = {line.split("│")[1].strip(): line for line in out.splitlines() if line.count("│") > 3}
    assert "deployed" in rows["network"] and "interrupted" in rows["data"]
    assert ("deployed" in rows["edge"]) != ("interrupted" in rows["edge"])
    assert "skipped" in rows["compute"] and "not started" in out
    assert locks(sb) == []
    listed = json.loads(sb.pulumi("data", "stack", "ls", "--json").stdout)
    assert not any(s.get("updateInProgress") for s in listed)
    (db,) = sb.cloud.resources(RDS)
    assert db.props["maxAllocatedStorage"] == 50, "the interrupted update must not have reached the database"

    # The next run is killed outright (a CI runner gone): no chance to cancel, its lock stays behind.
    mark = len(sb.cloud.calls())
    run = sb.start("deploy", "--layer", "data", "--env", "dev", env=SLOW_DATABASE)
    wait_for(lambda: database_in_flight(sb, mark), what="the database update")
    os.killpg(run.pid, signal.SIGKILL)
    run.communicate(timeout=30)
    assert locks(sb), "a killed update should leave its lock"

    blocked = sb.invoke("deploy", "--layer", "data", "--env", "dev")
    assert blocked.returncode == 1, blocked
    assert "`invoke cancel --layer data --env dev`" in blocked.output

    cancelled = sb.invoke("cancel", "--layer", "data", "--env", "dev")
    assert cancelled.returncode == 0, cancelled
    assert locks(sb) == []
    hint = "`invoke deploy --layer data --env dev --refresh`"
    assert hint in cancelled.output

    # The run it prints recovers: the database gets its change.
    finished = sb.invoke(*hint.strip("`").split()[1:])
    assert finished.returncode == 0, finished
    (db,) = sb.cloud.resources(RDS)
    assert db.props["maxAllocatedStorage"] == 60
