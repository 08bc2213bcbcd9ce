"""Ordering, concurrency, failure propagation and teardown policy, over a recording fake engine."""

from __future__ import annotations

import dataclasses
from io import StringIO
from pathlib import Path

import pytest
import yaml
from rich.console import Console

import shared.layers as shared_layers
from ops.stacks import scheduler as orch_module
from ops.stacks import teardown as teardown_policy
from ops.stacks.engine import Changes
from ops.stacks.ephemeral import EPHEMERAL_MARKER, EphemeralEnvError, create_ephemeral, is_ephemeral, remove_ephemeral
from ops.stacks.progress import LiveProgress, changes_text, next_steps, print_summary, summary_table
from ops.stacks.report import Interrupted, Outcome, RunReport, SilentReporter, plain_outputs
from ops.stacks.scheduler import Orchestrator
from ops.stacks.teardown import TeardownRefused, confirm_teardown, teardown_flips
from shared.layers import lifecycle
from shared.lifecycle import LayerLifecycle, Teardown
from tests.ops.stacks.fake_engine import Call, FakeEngine, all_deployed


def overlap(a: Call, b: Call) -> bool:
    return a.start < b.end and b.start < a.end


def after(later: Call, *earlier: Call) -> bool:
    return all(later.start >= e.end for e in earlier)


# Deploy ------------------------------------------------------------------------------------


def test_deploy_all_runs_network_then_data_and_edge_together_then_compute() -> None:
    # data's and edge's `up` wait for each other at a barrier: they only finish if they run at once.
    engine = FakeEngine(together={("up", "data"), ("up", "edge")})
    report = Orchestrator(engine).deploy("dev")

    net, data, edge, compute = (engine.one("up", n) for n in ("network", "data", "edge", "compute"))
    assert after(data, net) and after(edge, net)
    assert engine.violations == [] and overlap(data, edge), "data and edge must run at the same time"
    assert after(compute, data, edge)
    assert [o.result for o in report.outcomes] == ["deployed"] * 4
    assert report.outcome("network").changes == Changes(created=3)
    assert report.ok
    assert [c.detail["targets"] for c in engine.of("up")] == [None] * 4  # a deploy updates the whole stack


def test_parallel_bound_of_one_runs_data_and_edge_one_after_the_other() -> None:
    engine = FakeEngine()
    Orchestrator(engine, max_parallel=1).deploy("dev")
    assert not overlap(engine.one("up", "data"), engine.one("up", "edge"))


def test_failed_edge_skips_compute_while_data_still_finishes() -> None:
    engine = FakeEngine(fail={("up", "edge")})
    report = Orchestrator(engine).deploy("dev")

    assert report.outcome("data").result == "deployed"
    assert report.outcome("edge").result == "failed"
    assert "boom" in report.outcome("edge").reason
    assert report.outcome("edge").next_step == "fix the cause above, then `invoke deploy --layer edge --env dev`"
    compute = report.outcome("compute")
    assert compute.result == "skipped" and compute.reason == "upstream edge failed"
    assert engine.of("up", "compute") == []
    assert (report.failed, report.skipped, report.ok) == (("edge",), ("compute",), False)


def test_failed_network_stops_every_other_layer() -> None:
    engine = FakeEngine(fail={("up", "network")})
    report = Orchestrator(engine).deploy("dev")
    assert [o.result for o in report.outcomes] == ["failed", "skipped", "skipped", "skipped"]
    assert [c.layer for c in engine.of("up")] == ["network"]


def test_single_layer_deploy_needs_its_upstream_deployed() -> None:
    engine = FakeEngine(deployed={("network", "dev"): 3, ("data", "dev"): 3})
    report = Orchestrator(engine).deploy("dev", ["compute"])
    outcome = report.outcome("compute")
    assert outcome.result == "upstream not deployed"
    assert outcome.reason == "upstream not deployed in dev: edge"
    assert engine.of("up") == []


def test_single_layer_deploy_with_upstream_in_place_runs_only_that_layer() -> None:
    engine = FakeEngine(deployed=all_deployed("dev"))
    report = Orchestrator(engine).deploy("dev", ["compute"], refresh=True)
    assert [(c.op, c.layer) for c in engine.calls if c.op in ("up", "refresh")] == [
        ("refresh", "compute"),
        ("up", "compute"),
    ]
    assert report.outcome("compute").changes == Changes(updated=1, same=2)


# Preview -----------------------------------------------------------------------------------


def test_preview_of_a_layer_whose_upstream_is_missing_says_upstream_not_deployed() -> None:
    engine = FakeEngine()
    report = Orchestrator(engine).preview("dev")

    assert report.outcome("network").result == "previewed"
    assert report.outcome("network").changes == Changes(created=3)
    for layer in ("data", "edge", "compute"):
        outcome = report.outcome(layer)
        assert outcome.result == "upstream not deployed"
        assert "network" in outcome.reason
        assert "`invoke plan --env dev`" in outcome.next_step
    assert [c.layer for c in engine.of("preview")] == ["network"]


def test_preview_with_everything_deployed_previews_every_layer() -> None:
    engine = FakeEngine(deployed=all_deployed("prod"))
    report = Orchestrator(engine).preview("prod")
    assert report.ok
    assert sorted(c.layer for c in engine.of("preview")) == ["compute", "data", "edge", "network"]
    assert engine.of("up") == [] and engine.of("destroy") == []


# Teardown ----------------------------------------------------------------------------------


def test_destroy_all_runs_compute_then_data_and_edge_together_then_network() -> None:
    engine = FakeEngine(deployed=all_deployed("dev"), together={("destroy", "data"), ("destroy", "edge")})
    report = Orchestrator(engine).destroy("dev")

    compute, data, edge, net = (engine.one("destroy", n) for n in ("compute", "data", "edge", "network"))
    assert after(data, compute) and after(edge, compute)
    assert overlap(data, edge)
    assert after(net, data, edge)
    assert engine.violations == []
    assert [o.layer for o in report.outcomes] == ["compute", "edge", "data", "network"]
    assert [o.result for o in report.outcomes] == ["destroyed"] * 4
    assert report.outcome("network").changes == Changes(deleted=3)


def test_failed_compute_destroy_keeps_everything_it_depends_on() -> None:
    engine = FakeEngine(deployed=all_deployed("dev"), fail={("destroy", "compute")})
    report = Orchestrator(engine).destroy("dev")
    assert [o.result for o in report.outcomes] == ["failed", "skipped", "skipped", "skipped"]
    assert report.outcome("network").reason == (
        "still used by data (skipped); still used by edge (skipped); still used by compute (failed)"
    )
    assert [c.layer for c in engine.of("destroy")] == ["compute"]
    assert engine.violations == []


def test_destroying_a_layer_while_a_dependent_exists_is_refused() -> None:
    engine = FakeEngine(deployed=all_deployed("dev"))
    report = Orchestrator(engine).destroy("dev", ["network"])
    outcome = report.outcome("network")
    assert outcome.result == "skipped"
    assert outcome.reason == "still used by data, edge, compute, which is deployed in dev"
    assert engine.of("destroy") == [] and engine.of("set_config") == []


def test_destroying_a_layer_whose_dependents_are_gone_is_allowed() -> None:
    engine = FakeEngine(deployed={("network", "dev"): 3, ("data", "dev"): 0})
    report = Orchestrator(engine).destroy("dev", ["network"])
    assert report.outcome("network").result == "destroyed"


def test_teardown_lifts_protection_on_data_and_edge_only_in_the_env_destroyed() -> None:
    engine = FakeEngine(deployed={**all_deployed("dev"), **all_deployed("prod")})
    engine.config[("data", "dev")] = {"data:deletionProtection": "true"}
    Orchestrator(engine).destroy("dev")

    flips = [(c.layer, c.env, c.detail["key"], c.detail["value"]) for c in engine.of("set_config")]
    assert sorted(f for f in flips if f[3] == "false") == [
        ("data", "dev", "data:deletionProtection", "false"),
        ("edge", "dev", "edge:albDeletionProtection", "false"),
    ]
    # Each flip is applied by an `up` of that layer alone, with the flipped value, before its destroy.
    ups = engine.of("up")
    assert sorted(c.layer for c in ups) == ["data", "edge"]
    for up in ups:
        key = "data:deletionProtection" if up.layer == "data" else "edge:albDeletionProtection"
        assert up.detail["config"][key] == "false"
        assert after(engine.one("destroy", up.layer), up)
    # The stack files keep their committed values afterwards.
    assert engine.config[("data", "dev")] == {"data:deletionProtection": "true"}
    assert engine.config.get(("edge", "dev"), {}) == {}
    assert all(c.env == "dev" for c in engine.calls)


def test_teardown_flip_updates_only_the_protected_resource_types() -> None:
    engine = FakeEngine(deployed=all_deployed("prod"))
    Orchestrator(engine).destroy("prod")
    assert {c.layer: c.detail["targets"] for c in engine.of("up")} == {
        "data": ("aws:rds/instance:Instance",),
        "edge": ("aws:lb/loadBalancer:LoadBalancer",),
    }


def test_destroy_failing_after_the_flip_says_protection_is_off_and_how_to_restore_it() -> None:
    engine = FakeEngine(deployed=all_deployed("dev"), fail={("destroy", "data")})
    engine.config[("data", "dev")] = {"data:deletionProtection": "true"}
    report = Orchestrator(engine).destroy("dev")
    data = report.outcome("data")
    assert data.result == "failed"
    assert data.reason == "pulumi destroy failed on the data stack 'dev': boom"
    assert data.next_step == (
        "deletion protection is OFF on the live aws:rds/instance:Instance of data in dev (the stack file keeps it on): "
        "restore it with `invoke deploy --layer data --env dev`, "
        "or fix the cause above and `invoke destroy --layer data --env dev` again"
    )
    assert engine.config[("data", "dev")] == {"data:deletionProtection": "true"}
    assert "protection is OFF" in next_steps(report)[0]


def test_a_failed_flip_says_protection_may_be_off() -> None:
    engine = FakeEngine(deployed=all_deployed("dev"), fail={("up", "edge")})
    report = Orchestrator(engine).destroy("dev", ["compute", "edge"])
    edge = report.outcome("edge")
    assert edge.result == "failed" and engine.of("destroy", "edge") == []
    assert edge.next_step.startswith(
        "deletion protection may be OFF on the live aws:lb/loadBalancer:LoadBalancer of edge in dev"
    )
    assert "`invoke deploy --layer edge --env dev`" in edge.next_step


def test_a_failed_destroy_without_flips_keeps_the_plain_retry_hint() -> None:
    engine = FakeEngine(deployed=all_deployed("dev"), fail={("destroy", "compute")})
    report = Orchestrator(engine).destroy("dev", ["compute"])
    assert report.outcome("compute").next_step == "fix the cause above, then `invoke destroy --layer compute --env dev`"


def _use_lifecycle(monkeypatch: pytest.MonkeyPatch, data: LayerLifecycle) -> None:
    """Give the data layer another LIFECYCLE for one test (the other layers keep theirs)."""
    real = shared_layers.lifecycle
    monkeypatch.setattr(shared_layers, "lifecycle", lambda name: data if name == "data" else real(name))
    monkeypatch.setattr(orch_module, "lifecycle", shared_layers.lifecycle)
    monkeypatch.setattr(teardown_policy, "lifecycle", shared_layers.lifecycle)


def test_a_layer_with_flips_but_no_targets_is_refused_before_any_change(monkeypatch: pytest.MonkeyPatch) -> None:
    real = lifecycle("data")
    data = dataclasses.replace(real, teardown=Teardown(config=(("deletionProtection", "false"),)))
    _use_lifecycle(monkeypatch, data)
    engine = FakeEngine(deployed={("data", "dev"): 3})
    report = Orchestrator(engine).destroy("dev", ["data"])
    assert report.outcome("data").reason.startswith("data declares teardown config but no teardown targets")
    assert engine.of("set_config") == [] and engine.of("up") == [] and engine.of("destroy") == []


def test_teardown_of_an_empty_stack_never_runs_up() -> None:
    engine = FakeEngine(deployed={("data", "dev"): 0})
    report = Orchestrator(engine).destroy("dev", ["data"])
    assert report.outcome("data").result == "not deployed"
    assert engine.of("up") == [] and engine.of("set_config") == []


def test_prod_teardown_never_flips_a_final_snapshot_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    flips = (("deletionProtection", "false"), ("skipFinalSnapshot", "true"))
    _use_lifecycle(monkeypatch, dataclasses.replace(lifecycle("data"), teardown=Teardown(config=flips)))
    assert teardown_flips("data", "prod") == (("data:deletionProtection", "false"),)
    assert teardown_flips("data", "pr42") == (
        ("data:deletionProtection", "false"),
        ("data:skipFinalSnapshot", "true"),
    )


def test_the_real_teardown_flips_are_exactly_the_protection_switches() -> None:
    assert {n: teardown_flips(n, "prod") for n in ("network", "data", "edge", "compute")} == {
        "network": (),
        "data": (("data:deletionProtection", "false"), ("data:teardown", "true")),
        "edge": (("edge:albDeletionProtection", "false"), ("edge:teardown", "true")),
        "compute": (),
    }


def test_remove_stacks_removes_them_after_destroy() -> None:
    engine = FakeEngine(deployed=all_deployed("pr42"))
    Orchestrator(engine).destroy("pr42", remove_stacks=True)
    assert all(c.detail["remove"] is True for c in engine.of("destroy"))
    assert engine.stacks == {}


# Confirmation ------------------------------------------------------------------------------


def test_prod_teardown_without_yes_is_refused() -> None:
    with pytest.raises(TeardownRefused, match=r"without --yes: pass --yes --confirm prod"):
        confirm_teardown("prod", yes=False, confirm="prod")


def test_prod_teardown_with_the_wrong_name_is_refused() -> None:
    with pytest.raises(TeardownRefused, match=r"not confirmed \(got 'dev'\); pass --confirm prod"):
        confirm_teardown("prod", yes=True, confirm="dev")


def test_prod_teardown_with_yes_alone_off_a_terminal_is_refused() -> None:
    with pytest.raises(TeardownRefused, match="not confirmed"):
        confirm_teardown("prod", yes=True, interactive=False, ask=lambda _: "prod")


def test_prod_teardown_accepts_yes_and_the_name_typed_at_the_prompt() -> None:
    asked: list[str] = []
    confirm_teardown("prod", yes=True, interactive=True, ask=lambda q: asked.append(q) or "prod")
    assert asked == ["This destroys the prod environment. Type its name to confirm: "]
    with pytest.raises(TeardownRefused):
        confirm_teardown("prod", yes=True, interactive=True, ask=lambda _: "yes")


def test_prod_teardown_accepts_yes_and_confirm_flag() -> None:
    confirm_teardown("prod", yes=True, confirm="prod")


def test_other_envs_need_yes_or_a_y_at_the_prompt() -> None:
    confirm_teardown("dev", yes=True)
    confirm_teardown("dev", yes=False, interactive=True, ask=lambda _: "y")
    with pytest.raises(TeardownRefused, match="pass --yes"):
        confirm_teardown("dev", yes=False, interactive=False)
    with pytest.raises(TeardownRefused):
        confirm_teardown("dev", yes=False, interactive=True, ask=lambda _: "")


# Ephemeral environments --------------------------------------------------------------------


def test_from_dev_copies_every_layers_settings(projects: Path) -> None:
    written = create_ephemeral("pr42", "dev", projects)
    assert sorted(p.parent.name for p in written) == ["compute", "data", "edge", "network"]
    for layer in ("network", "data", "edge", "compute"):
        new = (projects / layer / "Pulumi.pr42.yaml").read_text()
        assert new.startswith(EPHEMERAL_MARKER)
        assert yaml.safe_load(new) == yaml.safe_load((projects / layer / "Pulumi.dev.yaml").read_text())
    assert is_ephemeral("pr42", projects) and not is_ephemeral("dev", projects)
    assert create_ephemeral("pr42", "dev", projects) == written  # a retry is a no-op


def test_from_retry_after_pulumi_rewrote_the_files_keeps_them_and_teardown_still_removes_them(
    projects: Path,
) -> None:
    create_ephemeral("pr42", "dev", projects)
    # `pulumi stack init` adds an encryption salt and may drop the comment.
    rewritten = projects / "data" / "Pulumi.pr42.yaml"
    rewritten.write_text("encryptionsalt: v1:abc\n" + rewritten.read_text().split("\n", 2)[2])
    create_ephemeral("pr42", "dev", projects)
    assert rewritten.read_text().startswith("encryptionsalt: v1:abc")
    assert is_ephemeral("pr42", projects)
    assert len(remove_ephemeral("pr42", projects)) == 4
    assert not is_ephemeral("pr42", projects) and not list(projects.glob("*/Pulumi.pr42.yaml"))


def test_from_refuses_to_overwrite_another_environment(projects: Path) -> None:
    with pytest.raises(
        EphemeralEnvError, match=r"environment 'dev' already exists \(projects/network/Pulumi.dev.yaml\): "
    ):
        create_ephemeral("dev", "prod", projects)
    create_ephemeral("pr42", "dev", projects)
    with pytest.raises(EphemeralEnvError, match=r"already exists .* with other settings"):
        create_ephemeral("pr42", "prod", projects)
    with pytest.raises(EphemeralEnvError, match="cannot be an ephemeral environment"):
        create_ephemeral("prod", "dev", projects)
    with pytest.raises(EphemeralEnvError, match="expected 2-10 lowercase"):
        create_ephemeral("PR-42", "dev", projects)


def test_from_refuses_secret_config_it_cannot_decrypt(projects: Path) -> None:
    (projects / "data" / "Pulumi.dev.yaml").write_text("config:\n  data:token:\n    secure: AAAA\n")
    with pytest.raises(EphemeralEnvError, match=r"projects/data holds secret config \(data:token\)"):
        create_ephemeral("pr42", "dev", projects)


def test_removing_an_ephemeral_env_deletes_only_its_own_files(projects: Path) -> None:
    create_ephemeral("pr42", "dev", projects)
    (projects / "network" / "Pulumi.pr42.yaml").unlink()  # `pulumi stack rm` already took this one
    removed = remove_ephemeral("pr42", projects)
    assert sorted(p.parent.name for p in removed) == ["compute", "data", "edge"]
    assert not is_ephemeral("pr42", projects)
    assert remove_ephemeral("dev", projects) == []
    assert (projects / "data" / "Pulumi.dev.yaml").is_file()


# Outputs and status ------------------------------------------------------------------------


def test_outputs_merge_every_deployed_layer() -> None:
    engine = FakeEngine(deployed={("network", "dev"): 3, ("data", "dev"): 3})
    merged = Orchestrator(engine).outputs("dev")
    assert {k: v.value for k, v in merged.items()} == {
        "network_id": "network-dev-id",
        "network_token": "s3cr3t",
        "data_id": "data-dev-id",
        "data_token": "s3cr3t",
    }
    assert plain_outputs(merged, show_secrets=False)["data_token"] == "[secret]"


def test_status_reports_each_registered_layer() -> None:
    engine = FakeEngine(deployed={("network", "dev"): 7})
    states = Orchestrator(engine).status("dev")
    assert list(states) == list(shared_layers.layer_names())
    assert states["network"][0].resource_count == 7
    assert states["network"][1] is None  # never updated by this engine: no history entry
    assert not states["data"][0].exists and not states["compute"][0].exists


# Summary and progress ----------------------------------------------------------------------


def _render(report: RunReport) -> str:
    console = Console(file=StringIO(), width=220, record=True, color_system=None)
    print_summary(report, console)
    return console.export_text()


def test_summary_table_shows_results_changes_durations_and_why() -> None:
    engine = FakeEngine(fail={("up", "edge")})
    report = Orchestrator(engine).deploy("dev")
    # The fake engine takes no measurable time: give network's outcome a known duration to render.
    timed = (dataclasses.replace(report.outcome("network"), duration=12.4),)
    report = RunReport(report.action, report.env, timed + report.outcomes[1:])
    text = _render(report)
    rows = {line.split()[1]: line for line in text.splitlines() if line.startswith("│ ") and "│" in line[2:]}
    assert "Deploy of dev" in text
    cells = [cell.strip() for cell in rows["network"].split("│")[2:5]]
    assert cells == ["deployed", "3 created", "12.4s"]
    assert "failed" in rows["edge"] and "skipped" in rows["compute"]
    assert "compute skipped: upstream edge failed. Next: fix edge, then run `invoke deploy-all --env dev` again" in text
    assert "edge failed: pulumi up failed on the edge stack 'dev': boom. Next:" in text


def test_summary_table_columns_and_a_previews_changes() -> None:
    report = RunReport("preview", "prod", (Outcome("network", "previewed", Changes(created=5, deleted=1), 1.25),))
    table = summary_table(report)
    assert [c.header for c in table.columns] == ["Layer", "Result", "Changes", "Duration"]
    assert changes_text(report.outcomes[0], preview=True) == "5 to create, 1 to delete"
    assert next_steps(report) == []


def test_progress_off_a_terminal_prints_a_line_per_start_and_end() -> None:
    out = StringIO()
    console = Console(file=out, width=200, color_system=None)
    engine = FakeEngine()
    with LiveProgress(console, ["network", "data", "edge", "compute"]) as progress:
        Orchestrator(engine, reporter=progress).deploy("dev", ["network"])
    assert out.getvalue().splitlines() == [
        "network: deploying…",
        "network: created thing-network (aws:s3/bucket:Bucket) in 0.0s",
        "network: deployed",
    ]


def test_teardown_stops_before_any_change_when_the_flip_would_ship_undeployed_code() -> None:
    db = "urn:pulumi:dev::data::payments:data:Database$aws:rds/instance:Instance::rds-payments-dev"
    engine = FakeEngine(
        deployed=all_deployed("dev"),
        pending={"data": {db: ("deletionProtection", "instanceClass")}},
    )
    engine.config[("data", "dev")] = {"data:deletionProtection": "true"}
    report = Orchestrator(engine).destroy("dev", ["compute", "data"])
    data = report.outcome("data")
    assert data.result == "failed"
    assert data.reason == (
        "teardown stopped before any change: data has undeployed changes besides deletion protection "
        "(rds-payments-dev: instanceClass)"
    )
    assert data.next_step.startswith("deploy them first (`invoke deploy --layer data --env dev`)")
    assert engine.of("up", "data") == [] and engine.of("destroy", "data") == []
    assert engine.config[("data", "dev")] == {"data:deletionProtection": "true"}  # restored


def test_teardown_flip_proceeds_when_only_the_protection_switch_differs() -> None:
    engine = FakeEngine(deployed=all_deployed("dev"))
    report = Orchestrator(engine).destroy("dev")
    assert {c.layer: c.detail["targets"] for c in engine.of("pending_changes")} == {
        "data": ("aws:rds/instance:Instance",),
        "edge": ("aws:lb/loadBalancer:LoadBalancer",),
    }
    for layer in ("data", "edge"):
        assert report.outcome(layer).result == "destroyed"
        assert engine.one("pending_changes", layer).end <= engine.one("up", layer).start


# Ripples: a deploy that changes a layer's exports -------------------------------------------


def test_a_changed_export_names_the_stale_layers_below_and_the_command_to_run() -> None:
    engine = FakeEngine(deployed=all_deployed("prod"), reexports={"network"})
    report = Orchestrator(engine).deploy("prod", ["network"])
    network = report.outcome("network")
    assert network.result == "deployed" and network.changed_exports == ("network_id",)
    assert network.next_step == (
        "exports changed (network_id): data, edge, compute now read stale values: run "
        "`invoke deploy --layer data --env prod`; then `invoke deploy --layer edge --env prod`; "
        "then `invoke deploy --layer compute --env prod`"
    )
    assert [c.layer for c in engine.of("up")] == ["network"]


def test_following_ripples_deploys_the_stale_layers_in_graph_order() -> None:
    engine = FakeEngine(deployed=all_deployed("prod"), reexports={"edge"})
    report = Orchestrator(engine).deploy("prod", ["edge"], follow_ripples=True)
    assert [o.layer for o in report.outcomes] == ["edge", "compute"]
    assert [c.layer for c in engine.of("up")] == ["edge", "compute"]
    assert report.ok and report.outcome("edge").next_step == ""


def test_unchanged_exports_leave_the_layers_below_alone() -> None:
    engine = FakeEngine(deployed=all_deployed("prod"))
    report = Orchestrator(engine).deploy("prod", ["network"], follow_ripples=True)
    assert [o.layer for o in report.outcomes] == ["network"]
    assert report.outcome("network").changed_exports == () and report.outcome("network").next_step == ""


def test_a_first_deploy_has_no_ripples_since_nothing_read_the_old_values() -> None:
    engine = FakeEngine(reexports={"network"})
    report = Orchestrator(engine).deploy("dev", ["network"])
    assert report.outcome("network").changed_exports == ()


# Replacements the layers below would block ----------------------------------------------------

_SG = "urn:pulumi:prod::network::payments:network:SecurityGroups$aws:ec2/securityGroup:SecurityGroup::secgroup-app"


def test_a_deploy_that_would_replace_a_security_group_in_use_stops_before_any_change() -> None:
    engine = FakeEngine(deployed=all_deployed("prod"), pending={"network": {_SG: ("(replace)", "description")}})
    report = Orchestrator(engine).deploy("prod", ["network"])
    network = report.outcome("network")
    assert network.result == "failed"
    assert network.reason == (
        "stopped before any change: this deploy would replace secgroup-app (description), which data, edge, compute "
        "still use, and AWS refuses to delete a resource while it is attached"
    )
    assert network.next_step.startswith("avoid the replacement (revert the change that forces it)")
    assert len(engine.of("preview", "network")) == 1
    assert engine.of("up") == []


def test_a_preview_that_changes_nothing_stands_in_for_the_update() -> None:
    engine = FakeEngine(deployed=all_deployed("prod"), pending={"network": {}})
    report = Orchestrator(engine).deploy("prod", ["network"])
    assert report.outcome("network").result == "deployed"
    assert report.outcome("network").changes == Changes(same=3)
    assert engine.of("up") == []


def test_a_preview_whose_exports_cannot_be_compared_is_followed_by_the_update() -> None:
    engine = FakeEngine(deployed=all_deployed("prod"), pending={"network": {}}, reexports={"network"})
    report = Orchestrator(engine).deploy("prod", ["network"])
    assert report.outcome("network").result == "deployed"
    assert len(engine.of("up", "network")) == 1


def test_an_in_place_change_of_a_held_resource_deploys() -> None:
    engine = FakeEngine(deployed=all_deployed("prod"), pending={"network": {_SG: ("tags",)}, "edge": {}})
    report = Orchestrator(engine).deploy("prod", ["network"])
    assert report.outcome("network").result == "deployed"


def test_with_nothing_deployed_below_a_replacement_goes_ahead() -> None:
    engine = FakeEngine(deployed={("network", "dev"): 3}, pending={"network": {_SG: ("(replace)",)}})
    report = Orchestrator(engine).deploy("dev", ["network"])
    assert report.outcome("network").result == "deployed"
    assert [c.op for c in engine.calls if c.layer == "network"] == ["preview", "up"]


# Ctrl-C ------------------------------------------------------------------------------------------


class _CtrlCAfter(SilentReporter):
    """A terminal whose user presses Ctrl-C once `layer` has finished (the signal lands in the main thread)."""

    def __init__(self, layer: str) -> None:
        self.layer = layer

    def finished(self, outcome: Outcome) -> None:
        if outcome.layer == self.layer:
            raise KeyboardInterrupt


def test_ctrl_c_stops_starting_layers_and_reports_what_each_came_to() -> None:
    engine = FakeEngine()
    with pytest.raises(Interrupted) as stopped:
        Orchestrator(engine, reporter=_CtrlCAfter("network")).deploy("dev")
    report = stopped.value.report
    assert [(o.layer, o.result) for o in report.outcomes] == [
        ("network", "deployed"),
        ("data", "skipped"),
        ("edge", "skipped"),
        ("compute", "skipped"),
    ]
    assert report.outcome("data").reason == "not started: interrupted (Ctrl-C)"
    assert report.outcome("data").next_step == "run `invoke deploy-all --env dev` again to finish"
    assert [c.layer for c in engine.of("up")] == ["network"]
