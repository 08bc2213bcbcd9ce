"""Invoke tasks that need neither the Pulumi CLI nor AWS: the offline plan and the diagram."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from invoke.context import Context
from invoke.exceptions import Exit
from invoke.tasks import task

from ops.cli.common import check_env, check_layer, console, interruptible, writable_file
from shared.layers import layer_names

if TYPE_CHECKING:
    from payments_policy.verdicts import Verdict
    from rich.console import Console

    from ops.environment.environment import Environment
    from ops.plan.platform import PlatformPlan

# The mock engine, the layers' programs and the policy pack are imported inside the tasks, so
# `invoke --list` and `--help` stay instant.


def plan_platform(environment: Environment, **kwargs: Any) -> PlatformPlan:
    """The offline plan of the loaded `environment` (see `ops.plan.platform`)."""
    from ops.plan.platform import plan_platform as plan

    return plan(environment, **kwargs)


def verdict_label(v: Verdict) -> str:
    """FAILED, PASSED, or NOT APPLICABLE for a rule that found nothing of its kind to check."""
    if not v.passed:
        return "FAILED"
    return "PASSED" if v.checked else "NOT APPLICABLE"


def print_verdicts(verdicts: list[Verdict], out: Console) -> None:
    """One row per rule (its verdict and how many resources it checked), then one line per offender.

    Offenders go below the table, not in a column, so the table stays readable at 80 columns.
    """
    from rich.table import Table
    from rich.text import Text

    styles = {"PASSED": "green", "FAILED": "bold red", "NOT APPLICABLE": "yellow"}
    table = Table(title="policy verdicts (the CrossGuard pack's rules)", title_justify="left")
    table.add_column("rule", style="bold", no_wrap=True)
    table.add_column("verdict", no_wrap=True)
    table.add_column("resources checked", justify="right", no_wrap=True)
    for v in verdicts:
        label = verdict_label(v)
        table.add_row(v.rule.id, Text(label, style=styles[label]), str(v.checked))
    out.print(table)
    for v in verdicts:
        for x in v.violations:
            out.print(Text(f"✗ {v.rule.id}: {x.resource} ({x.type}): {x.message}", style="red"), soft_wrap=False)
    counts = {label: sum(verdict_label(v) == label for v in verdicts) for label in styles}
    out.print(
        f"{len(verdicts)} rules: {counts['PASSED']} passed, {counts['FAILED']} failed, "
        f"{counts['NOT APPLICABLE']} found nothing to check"
    )


@task(
    help={
        "env": "Environment (stack) to plan, e.g. prod or dev.",
        "json": "Also write the whole plan (every resource with all inputs, every export) to this JSON file.",
        "layer": f"Plan only this layer and what it depends on ({', '.join(layer_names())}); default: all.",
        "policy": "With --layer: also print the layer's deploy role as `invoke bootstrap` would make it from this "
        "plan (trust, and every IAM statement: its resources' rights, its state, its secrets key), as JSON.",
    }
)
@interruptible
def plan(c: Context, env: str = "prod", json: str = "", layer: str = "", policy: bool = False) -> None:
    """Plan the whole platform offline: every layer's program under Pulumi's mock engine, in order.

    Ends with the policy verdicts; exits non-zero when a layer fails or a mandatory rule is broken.
    """
    if policy and not layer:
        raise Exit(f"--policy needs --layer: expected one of {', '.join(layer_names())}", code=2)
    from payments_policy.verdicts import plan_verdicts

    from ops.plan.report import print_plan, write_json

    environment = check_env(env)
    layers = [check_layer(layer)] if layer else None
    json_path = writable_file(json, "--json") if json else None
    with console.status(f"planning {env} offline…"):
        result = plan_platform(environment, layers=layers)
    print_plan(result, console)
    if json_path:
        write_json(result, json_path)
        console.print(f"plan written to {json}")
    if not result.ok:
        raise Exit("the plan failed: fix the settings named above and run it again", code=1)
    verdicts = plan_verdicts(result)
    print_verdicts(verdicts, console)
    failed = [v.rule.id for v in verdicts if not v.passed]
    if failed:
        raise Exit(f"mandatory policy violated: {', '.join(failed)} (offending resources listed above)", code=1)
    if policy:
        print_layer_policy(result, layer, environment)


def print_layer_policy(result: PlatformPlan, layer: str, environment: Environment) -> None:
    """The layer's derived deploy role, as JSON (one line refusal when a resource type has no IAM rights)."""
    import json as jsonlib

    from ops.bootstrap.repository import RepositoryError, github_repository
    from ops.roles.derive import DerivationError
    from ops.roles.show import layer_policy

    try:
        repository = github_repository()
    except RepositoryError:
        repository = "<owner>/<repo>"
    try:
        shown = layer_policy(result, layer, environment, repository)
    except DerivationError as e:
        raise Exit(str(e), code=1) from None
    console.print(f"deploy role of {layer} in {environment.name} (account {shown['account']}):", highlight=False)
    console.print_json(jsonlib.dumps(shown))


@task(help={"env": "Environment (stack) whose plan to draw, e.g. prod or dev."})
@interruptible
def diagram(c: Context, env: str = "prod") -> None:
    """Regenerate the architecture diagram (Mermaid in docs, and an SVG) from the offline plan."""
    from ops.docs.diagram import diagram_paths, write_diagram
    from ops.plan.report import print_plan

    environment = check_env(env)
    with console.status(f"planning {env} offline…"):
        result = plan_platform(environment)
    if not result.ok:
        print_plan(result, console)
        raise Exit("the plan failed, so there is nothing to draw: fix the settings named above", code=1)
    markdown, svg = diagram_paths(env)
    write_diagram(result, markdown, svg)
    console.print(f"diagram of {env} written to {markdown} and {svg}")


@task
def docs(c: Context) -> None:
    """Regenerate the config, exports and contracts tables in the READMEs and docs, CODEOWNERS, and the
    policy pack's table of which AWS types take tags (from the offline plans and the SDK)."""
    from payments_policy.taggable import TABLE

    from ops.docs.tables import write_all
    from ops.docs.taggable_table import write_table
    from ops.environment.environment import Environment
    from ops.environment.stack_files import environments
    from ops.plan.platform import plan_platform

    changed = write_all()
    if write_table(plan_platform(Environment.load(env)) for env in environments()):
        changed.append(TABLE)
    for path in changed:
        console.print(f"updated {path.relative_to(Path.cwd()) if path.is_relative_to(Path.cwd()) else path}")
    if not changed:
        console.print("docs already match the code")
