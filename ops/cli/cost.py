"""`invoke cost`: the monthly cost of an environment's offline plan, from the repository's price table.

Heavy imports (the mock engine, rich) stay inside the task: importing the module costs only invoke.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from invoke.context import Context
from invoke.exceptions import Exit
from invoke.tasks import task

if TYPE_CHECKING:
    from ops.cost.model import CostEstimate
    from ops.environment.environment import Environment


def _estimate(environment: Environment) -> CostEstimate:
    """Plan the environment offline and price it; exit 1 with one line per problem when either fails."""
    from ops.cli.common import console
    from ops.cost import estimate
    from ops.cost.assumptions import UsageError
    from ops.cost.prices import PriceTableError
    from ops.plan.platform import plan_platform

    env = environment.name
    with console.status(f"planning {env} offline…"):
        plan = plan_platform(environment)
    if not plan.ok:
        for lp in plan.layers:
            if lp.status in ("failed", "skipped"):
                console.print(f"[red]{lp.layer}: {lp.status}: {(lp.error or '').splitlines()[0]}[/]")
        raise Exit(f"the plan of {env} failed, so it cannot be priced: fix the settings named above", code=1)
    try:
        return estimate(plan)
    except (PriceTableError, UsageError) as e:
        raise Exit(str(e), code=1) from None


@task(
    help={
        "env": "Environment (stack) to price, e.g. prod or dev.",
        "compare": "A second environment to show side by side, per layer and in total, with the difference.",
        "json": "Also write the estimate of --env (resources, layers, total, assumptions) to this JSON file.",
    }
)
def cost(c: Context, env: str = "prod", compare: str = "", json: str = "") -> None:
    """Estimate the monthly cost (USD, on-demand) of an environment from its offline plan.

    Prices: ops/cost/prices-ap-northeast-2.yaml. Usage assumptions (requests, GB, queries):
    ops/cost/usage.yaml, per environment. No cloud call is made.
    """
    from ops.cli.common import check_env, console, writable_file
    from ops.cost.report import print_comparison, print_estimate, total_line, write_json

    environment = check_env(env)
    other = check_env(compare) if compare else None
    if json:
        writable_file(json, "--json")  # before the plan, not after it
    main = _estimate(environment)
    if other:
        print_comparison(main, _estimate(other), console)
    else:
        print_estimate(main, console)
    if json:
        try:
            write_json(main, Path(json))
        except OSError as e:
            raise Exit(f"cannot write the estimate to {json}: {e.strerror or e}", code=1) from None
        console.print(f"estimate of {env} written to {json}")
    if compare:
        console.print(total_line(main))
