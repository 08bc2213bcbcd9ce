"""Live progress: resource steps as they start and end, what is still in flight, what took the time."""

from __future__ import annotations

import json
from io import StringIO

from rich.console import Console

from ops.stacks.engine import Changes, StepEvent
from ops.stacks.progress import LiveProgress, print_summary, report_json, slowest_lines, summary_table
from ops.stacks.report import Outcome, RunReport
from ops.stacks.scheduler import Orchestrator
from ops.stacks.timeline import ResourceTiming, Timeline, slowest
from tests.ops.stacks.fake_engine import FakeEngine

RDS = "aws:rds/instance:Instance"
DB = f"urn:pulumi:dev::data::payments:data:Database${RDS}::rds-payments-dev"
KEY = "urn:pulumi:dev::data::aws:kms/key:Key::kms-payments-data-dev"
ZONE = "urn:pulumi:dev::edge::aws:route53/zone:Zone::zone-payments-dev"


class Clock:
    """A clock a test moves by hand."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def plain(clock: Clock, layers: list[str]) -> tuple[LiveProgress, StringIO]:
    out = StringIO()
    return LiveProgress(Console(file=out, width=80, color_system=None), layers, clock=clock, interval=10), out


def test_a_timeline_times_each_step_and_lists_what_is_in_flight_longest_first() -> None:
    timeline = Timeline()
    timeline.record(StepEvent(DB, RDS, "update", "start", 10.0))
    timeline.record(StepEvent(KEY, "aws:kms/key:Key", "update", "start", 12.0))
    assert [t.name for t in timeline.in_flight()] == ["rds-payments-dev", "kms-payments-data-dev"]
    done = timeline.record(StepEvent(KEY, "aws:kms/key:Key", "update", "done", 13.5))
    assert done is not None and done.duration == 1.5 and not done.failed
    failed = timeline.record(StepEvent(DB, RDS, "update", "failed", 30.0))
    assert failed is not None and failed.failed and failed.duration == 20.0
    assert timeline.in_flight() == []
    assert [t.name for t in slowest(timeline.finished())] == ["rds-payments-dev", "kms-payments-data-dev"]


def test_off_a_terminal_each_finished_step_is_a_line_and_the_ticker_names_what_is_still_in_flight() -> None:
    clock = Clock()
    progress, out = plain(clock, ["data", "edge"])
    progress.started("data", "deploying")
    progress.event("data", StepEvent(DB, RDS, "update", "start", 100.0))
    progress.event("edge", StepEvent(ZONE, "aws:route53/zone:Zone", "create", "start", 101.0))
    for now in (105.0, 110.2, 110.9, 111.3, 120.4):  # the ticker looks every second or so
        clock.now = now
        progress.tick()
    progress.event("edge", StepEvent(ZONE, "aws:route53/zone:Zone", "create", "done", 121.0))
    progress.event("data", StepEvent(DB, RDS, "update", "done", 122.5))
    assert out.getvalue().splitlines() == [
        "data: deploying…",
        "data: still updating rds-payments-dev… [10s elapsed]",
        "edge: still creating zone-payments-dev… [10s elapsed]",
        "data: still updating rds-payments-dev… [20s elapsed]",
        "edge: created zone-payments-dev (aws:route53/zone:Zone) in 20.0s",
        "data: updated rds-payments-dev (aws:rds/instance:Instance) in 22.5s",
    ]
    assert "\x1b" not in out.getvalue()  # no control characters in a log


def test_a_failed_step_is_printed_with_how_long_it_ran() -> None:
    progress, out = plain(Clock(), ["data"])
    progress.event("data", StepEvent(DB, RDS, "create", "start", 100.0))
    progress.event("data", StepEvent(DB, RDS, "create", "failed", 104.0))
    assert out.getvalue().splitlines() == [
        "data: failed to create rds-payments-dev (aws:rds/instance:Instance) after 4.0s"
    ]


def test_the_run_report_times_every_step_from_the_runs_start_and_the_json_holds_them() -> None:
    report = Orchestrator(FakeEngine()).deploy("dev")
    data = report.outcome("data")
    (step,) = data.resources
    assert (step.name, step.op, step.failed) == ("thing-data", "create", False)
    assert 0 <= step.start <= step.start + step.duration <= data.duration + 1
    doc = json.loads(json.dumps(report_json(report)))
    assert doc["action"] == "deploy" and doc["env"] == "dev" and doc["started"]
    assert [layer["layer"] for layer in doc["layers"]] == ["network", "data", "edge", "compute"]
    assert doc["layers"][1]["resources"] == [
        {
            "urn": step.urn,
            "name": "thing-data",
            "type": "aws:s3/bucket:Bucket",
            "operation": "create",
            "start": round(step.start, 3),
            "duration": round(step.duration, 3),
            "failed": False,
        }
    ]


def _report() -> RunReport:
    db = ResourceTiming(DB, RDS, "update", 2.0, 22.3)
    key = ResourceTiming(KEY, "aws:kms/key:Key", "update", 1.0, 2.0)
    return RunReport(
        "deploy",
        "dev",
        (
            Outcome("network", "deployed", Changes(same=64), 4.1),
            Outcome("data", "deployed", Changes(updated=2), 23.9, resources=(key, db)),
            Outcome(
                "edge",
                "upstream not deployed",
                reason="upstream not deployed in dev: network, and a reason long enough to wrap twice at 80",
            ),
            Outcome("compute", "interrupted", reason="interrupted (Ctrl-C) while deploying"),
        ),
    )


def test_the_summary_names_each_layers_slowest_resources() -> None:
    assert slowest_lines(_report()) == [
        "data: slowest: rds-payments-dev 20.3s (update), kms-payments-data-dev 1.0s (update)"
    ]


def test_at_80_columns_no_layer_or_result_name_is_cut() -> None:
    out = StringIO()
    console = Console(file=out, width=80, color_system=None)
    print_summary(_report(), console)
    text = out.getvalue()
    assert max(len(line) for line in text.splitlines() if line[:1] in "┏┃┡│└") <= 80
    for layer, result in (("network", "deployed"), ("edge", "upstream not deployed"), ("compute", "interrupted")):
        row = next(line for line in text.splitlines() if line.startswith(f"│ {layer} "))
        assert f" {result} " in row, row
    assert [c.no_wrap for c in summary_table(_report()).columns][:2] == [True, True]


def test_a_diagnostic_the_program_repeats_in_its_preview_and_update_is_shown_once() -> None:
    progress, out = plain(Clock(), ["edge"])
    for _ in range(2):
        progress.event("edge", "info: delegate api.dev.payments.example.com to these name servers")
    progress.event("edge", "warning: something else")
    assert out.getvalue().splitlines() == [
        "edge: info: delegate api.dev.payments.example.com to these name servers",
        "edge: warning: something else",
    ]
