"""Invoke tasks that change or read real stacks through the Automation API.

They need the Pulumi CLI and AWS credentials; preflight says exactly what is missing before
anything changes. Every user mistake ends in one line (`invoke.Exit`), never a traceback.
"""

from __future__ import annotations

import json as jsonlib
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from invoke.context import Context
from invoke.exceptions import Exit
from invoke.tasks import task

from ops.cli.common import check_env, check_layer, console, interruptible, pulumi_engine, writable_file
from shared.environments import is_protected
from shared.layers import deploy_order, layer_names, lifecycle, teardown_order

if TYPE_CHECKING:
    from ops.environment.environment import Environment
    from ops.stacks.preflight import PreflightReport
    from ops.stacks.pulumi_engine import PulumiEngine
    from ops.stacks.report import RunReport

# The orchestration (Pulumi's Automation API, boto3, the layers' packages) is imported inside the
# tasks that run it, so `invoke --list` and `--help` stay instant.

_LAYERS = ", ".join(layer_names())
_ENV_HELP = "Environment (stack name in every project), e.g. prod or dev."
_PARALLEL_HELP = "How many layers may run at the same time when the graph allows (default 2: data and edge)."
_JSON_HELP = (
    "Also write the run to this file as JSON: each layer's result, and every resource's operation, start and duration."
)


def run_preflight(
    environment: Environment, layers: Iterable[str], *, changes_config: bool, writes_state: bool = True
) -> PreflightReport:
    """Preflight of `layers` in the loaded `environment` (see `ops.stacks.preflight`)."""
    from ops.stacks.preflight import run_preflight as run

    return run(environment, layers, changes_config=changes_config, writes_state=writes_state)


def _engine(*, policies: bool = False) -> PulumiEngine:
    return pulumi_engine(exit_code=1, policies=policies)


def _preflight(
    environment: Environment, layers: Iterable[str], *, changes_config: bool, writes_state: bool = True
) -> None:
    with console.status("preflight: Pulumi CLI, backend, AWS credentials and account, config, the layers' own checks…"):
        report = run_preflight(environment, layers, changes_config=changes_config, writes_state=writes_state)
    if not report.ok:
        for line in report.problems:
            console.print(f"[red]✗[/red] {line}", highlight=False, soft_wrap=True)
        raise Exit(f"preflight found {len(report.problems)} problem(s) above; nothing was changed", code=1)


def _orchestrate(
    action: str,
    env: str,
    layers: list[str],
    parallel: int,
    *,
    remove_stacks: bool = False,
    refresh: bool = False,
    ripple: bool = True,
    json_path: Path | None = None,
) -> RunReport:
    from ops.stacks.progress import LiveProgress, print_summary
    from ops.stacks.report import Interrupted
    from ops.stacks.scheduler import Orchestrator

    if parallel < 1:
        raise Exit("--parallel must be at least 1", code=2)
    # Deploys and previews run the policy pack; a teardown cannot (it lifts what the rules protect).
    engine = _engine(policies=action in ("deploy", "preview"))
    try:
        with LiveProgress(console, layers) as progress:
            orch = Orchestrator(engine, reporter=progress, max_parallel=parallel)
            if action == "deploy":
                report = orch.deploy(env, layers, refresh=refresh, follow_ripples=ripple)
            elif action == "preview":
                report = orch.preview(env, layers)
            else:
                report = orch.destroy(env, layers, remove_stacks=remove_stacks)
    except Interrupted as stopped:
        print_summary(stopped.report, console)
        _write_json(stopped.report, json_path)
        finished = [o.layer for o in stopped.report.outcomes if o.result not in ("interrupted", "skipped")]
        cut = [o.layer for o in stopped.report.outcomes if o.result == "interrupted"]
        raise Exit(
            f"interrupted (Ctrl-C): {action} of {env} stopped"
            + (f" during {', '.join(cut)}" if cut else "")
            + (f" after {', '.join(finished)}" if finished else "")
            + ": see the table above for what to run next",
            code=130,
        ) from None
    print_summary(report, console)
    _write_json(report, json_path)
    return report


def _json_path(json: str) -> Path | None:
    """`--json FILE` checked before anything runs (a folder that exists, writable), or None."""
    return writable_file(json, "--json") if json else None


def _write_json(report: RunReport, path: Path | None) -> None:
    from ops.stacks.progress import report_json

    if path is not None:
        path.write_text(jsonlib.dumps(report_json(report), indent=2) + "\n")
        console.print(f"every resource's operation and timing: {path}", highlight=False)


def _finish(report: RunReport) -> None:
    # A preview held back by an undeployed upstream is the expected state of a new environment.
    if report.action == "preview" and not report.failed:
        return
    if not report.ok:
        parts = [f"failed: {', '.join(report.failed)}"] if report.failed else []
        parts += [f"not done: {', '.join(report.skipped)}"] if report.skipped else []
        raise Exit(f"{report.action} of {report.env} incomplete ({'; '.join(parts)}): see the table above", code=1)


def _confirm(env: str, yes: bool, confirm: str) -> None:
    from ops.stacks.teardown import TeardownRefused, confirm_teardown

    try:
        confirm_teardown(env, yes=yes, confirm=confirm, interactive=sys.stdin.isatty())
    except TeardownRefused as e:
        raise Exit(str(e), code=1) from None
    except (EOFError, KeyboardInterrupt):
        raise Exit(f"teardown of {env} not confirmed", code=1) from None


def _note_left_behind(report: RunReport) -> None:
    """The teardown's last lines: what a protected environment's destroyed layers keep on purpose, and how
    the next deploy uses it, as each layer declares it."""
    if is_protected(report.env):
        for outcome in report.outcomes:
            if outcome.result == "destroyed":
                for note in lifecycle(outcome.layer).teardown.leaves_in_protected:
                    console.print(f"{report.env}: {note}")


@task(
    help={
        "layer": f"Layer to deploy ({_LAYERS}); the layers it depends on must already be deployed.",
        "env": _ENV_HELP,
        "refresh": "Refresh the stack's state from AWS first (clears pending operations of an interrupted run).",
        "ripple": "Also deploy, right after, the deployed layers below it whose inputs (this layer's exports) "
        "changed, e.g. a replaced security group (default: off; the summary names them and the command to run).",
        "json": _JSON_HELP,
    }
)
@interruptible
def deploy(
    c: Context, layer: str = "", env: str = "", refresh: bool = False, ripple: bool = False, json: str = ""
) -> None:
    """Deploy one layer (`pulumi up` in its project folder), after preflight."""
    check_layer(layer)
    json_file = _json_path(json)
    _preflight(check_env(env), [layer], changes_config=True)
    _finish(_orchestrate("deploy", env, [layer], 1, refresh=refresh, ripple=ripple, json_path=json_file))


@task(
    name="deploy-all",
    help={
        "env": _ENV_HELP,
        "from_": "Create ENV as an ephemeral environment with this environment's settings (e.g. --from dev); "
        "`destroy-all` removes it entirely.",
        "set_": "LAYER:KEY=VALUE, repeatable, with --from only: config set in the new stacks on top of the "
        "copied settings (a key the layer's Pulumi.yaml declares, or aws:region; VALUE is YAML, e.g. true or "
        "[a, b]). The source's edge:domainName must be replaced, e.g. "
        "--set edge:domainName=pr42.ci.payments.example.com --set edge:hostedZoneId=Z0123456789ABCDEFGHIJ "
        "(an existing zone that validates the certificate).",
        "parallel": _PARALLEL_HELP,
        "refresh": "Refresh each stack's state from AWS before its update.",
        "json": _JSON_HELP,
    },
    iterable=["set_"],
)
@interruptible
def deploy_all(
    c: Context,
    env: str = "",
    from_: str = "",
    set_: list[str] | None = None,
    parallel: int = 2,
    refresh: bool = False,
    json: str = "",
) -> None:
    """Deploy every layer in dependency order: network, then data and edge together, then compute."""
    from ops.stacks.ephemeral import (
        EphemeralEnvError,
        create_ephemeral,
        is_ephemeral,
        parse_overrides,
        remove_ephemeral,
    )

    if not env:
        check_env(env)  # exits: --env is required
    if set_ and not from_:
        raise Exit("--set only applies with --from: it sets config in a new ephemeral environment's stacks", code=2)
    json_file = _json_path(json)
    written = False  # this run wrote a new ephemeral environment's stack files
    if from_:
        check_env(from_)
        written = not is_ephemeral(env)
        try:
            for path in create_ephemeral(env, from_, overrides=parse_overrides(set_ or [])):
                console.print(f"ephemeral {env}: {path.relative_to(path.parents[2])} (from {from_})")
        except EphemeralEnvError as e:
            raise Exit(str(e), code=2) from None
    try:
        layers = deploy_order()
        _preflight(check_env(env), layers, changes_config=True)
    except (Exit, KeyboardInterrupt):
        if written:  # nothing was deployed: leave no stack files behind a refused command
            for path in remove_ephemeral(env):
                console.print(f"removed {path.relative_to(path.parents[2])}: preflight refused the new environment")
        raise
    _finish(_orchestrate("deploy", env, layers, parallel, refresh=refresh, json_path=json_file))


@task(
    help={
        "layer": f"Preview only this layer ({_LAYERS}); default: every layer.",
        "env": _ENV_HELP,
        "parallel": _PARALLEL_HELP,
    }
)
@interruptible
def preview(c: Context, layer: str = "", env: str = "prod", parallel: int = 2) -> None:
    """Show what a deploy would change, against the deployed upstream stacks (`pulumi preview`)."""
    layers = [check_layer(layer)] if layer else deploy_order()
    _preflight(check_env(env), layers, changes_config=True, writes_state=False)
    _finish(_orchestrate("preview", env, layers, parallel))


@task(
    help={
        "layer": f"Layer to destroy ({_LAYERS}); refused while a layer depending on it is deployed.",
        "env": _ENV_HELP,
        "yes": "Confirm the teardown (required; prod also needs --confirm prod).",
        "confirm": "The environment name again, required to destroy prod (or type it at the prompt).",
        "json": _JSON_HELP,
    }
)
@interruptible
def destroy(c: Context, layer: str = "", env: str = "", yes: bool = False, confirm: str = "", json: str = "") -> None:
    """Destroy one layer, lifting its deletion protection first; prod keeps its final DB snapshot."""
    check_layer(layer)
    environment = check_env(env)
    json_file = _json_path(json)
    _confirm(env, yes, confirm)
    _preflight(environment, [layer], changes_config=False)
    report = _orchestrate("destroy", env, [layer], 1, json_path=json_file)
    _note_left_behind(report)
    _finish(report)


@task(
    name="destroy-all",
    help={
        "env": _ENV_HELP,
        "yes": "Confirm the teardown (required; prod also needs --confirm prod).",
        "confirm": "The environment name again, required to destroy prod (or type it at the prompt).",
        "parallel": _PARALLEL_HELP,
        "json": _JSON_HELP,
    },
)
@interruptible
def destroy_all(
    c: Context, env: str = "", yes: bool = False, confirm: str = "", parallel: int = 2, json: str = ""
) -> None:
    """Destroy every layer in reverse order (compute first, network last); removes ephemeral environments."""
    from ops.stacks.ephemeral import is_ephemeral, remove_ephemeral

    environment = check_env(env)
    json_file = _json_path(json)
    _confirm(env, yes, confirm)
    layers = teardown_order()
    _preflight(environment, layers, changes_config=False)
    ephemeral = is_ephemeral(env)
    report = _orchestrate("destroy", env, layers, parallel, remove_stacks=ephemeral, json_path=json_file)
    _note_left_behind(report)
    _finish(report)
    if ephemeral:
        for path in remove_ephemeral(env):
            console.print(f"removed {path.relative_to(path.parents[2])}")


@task(
    help={
        "env": _ENV_HELP,
        "json": "Print the merged outputs as JSON only (for integration tests).",
        "show_secrets": "Print secret outputs in clear instead of [secret].",
    }
)
@interruptible
def outputs(c: Context, env: str = "prod", json: bool = False, show_secrets: bool = False) -> None:
    """Every deployed layer's outputs, merged (ALB DNS name, URL, database endpoint, ...)."""
    from rich.table import Table

    from ops.stacks.engine import EngineError
    from ops.stacks.report import plain_outputs
    from ops.stacks.scheduler import Orchestrator

    check_env(env)
    try:
        merged = plain_outputs(Orchestrator(_engine()).outputs(env), show_secrets=show_secrets)
    except EngineError as e:
        raise Exit(str(e), code=1) from None
    if json:
        print(jsonlib.dumps(merged, indent=2, sort_keys=True))
        return
    table = Table(title=f"Outputs of {env}", title_justify="left")
    table.add_column("Output")
    table.add_column("Value")
    for name, value in merged.items():
        table.add_row(name, value if isinstance(value, str) else jsonlib.dumps(value))
    console.print(table)


@task(help={"env": _ENV_HELP})
@interruptible
def status(c: Context, env: str = "prod") -> None:
    """Which layers' stacks exist in ENV, how many resources each holds, when each was last updated."""
    from rich.table import Table

    from ops.stacks.engine import EngineError
    from ops.stacks.scheduler import Orchestrator

    check_env(env)
    engine = _engine()
    try:
        states = Orchestrator(engine).status(env)
    except EngineError as e:
        raise Exit(str(e), code=1) from None
    table = Table(title=f"Stacks of {env}", caption=f"backend: {engine.backend.url}", title_justify="left")
    table.add_column("Layer", no_wrap=True)
    table.add_column("Stack", no_wrap=True)
    for col in ("Resources", "Last update", "Last operation"):
        table.add_column(col, overflow="fold")
    for layer, (st, last) in states.items():
        when = (last.when if last and last.when else None) or st.last_update
        table.add_row(
            layer,
            ("update running" if st.update_in_progress else "exists") if st.exists else "absent",
            "-" if not st.exists else "?" if st.resource_count is None else str(st.resource_count),
            when.strftime("%Y-%m-%d %H:%M:%S") if when else "-",
            f"{last.kind} {last.result}" if last else "-",
        )
    console.print(table)


@task(help={"layer": f"Layer whose running update to cancel ({_LAYERS}).", "env": _ENV_HELP})
@interruptible
def cancel(c: Context, layer: str = "", env: str = "") -> None:
    """Cancel the update running on one stack (`pulumi cancel`); run `deploy --refresh` afterwards."""
    from ops.stacks.engine import EngineError

    check_layer(layer)
    check_env(env)
    try:
        _engine().cancel(layer, env)
    except EngineError as e:
        raise Exit(str(e), code=1) from None
    console.print(f"cancelled the update on {layer}/{env}: run `invoke deploy --layer {layer} --env {env} --refresh`")


__all__ = ["cancel", "deploy", "deploy_all", "destroy", "destroy_all", "outputs", "preview", "status"]
