"""Invoke task that checks a deployed environment: `invoke verify --env E` (needs AWS credentials)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from invoke.context import Context
from invoke.exceptions import Exit
from invoke.tasks import task

from ops.cli.common import console, interruptible

if TYPE_CHECKING:
    from ops.environment.environment import Environment
    from shared.settings import StackSettings

DEFAULT_REGION = "ap-northeast-2"


def _read_exports(env: str, outputs_json: str) -> dict[str, Any]:
    from ops.verify.exports import exports_from_json, exports_from_stacks

    if outputs_json:
        return exports_from_json(Path(outputs_json))
    # Imported here: only this path needs the Automation API (and the Pulumi CLI on PATH).
    from ops.stacks.backend import BackendError, backend_settings
    from ops.stacks.engine import EngineError
    from ops.stacks.pulumi_engine import PulumiEngine

    try:
        return exports_from_stacks(PulumiEngine(backend_settings()), env)
    except (BackendError, EngineError) as e:
        raise Exit(f"cannot read the stacks' exports: {e}", code=2) from None


def _environment(env: str) -> Environment | None:
    """The environment's stack files, when they are here (verify may run without them)."""
    from ops.environment.environment import Environment, EnvironmentProblems

    try:
        return Environment.load(env)
    except EnvironmentProblems:
        return None


def _settings_reader(environment: Environment | None) -> Callable[[str], StackSettings | None]:
    """Each layer's settings from the loaded environment; None for every layer without one."""
    from shared.layers import lifecycle
    from shared.settings import ConfigError, parse_settings

    if environment is None:
        return lambda layer: None
    env = environment.name

    def read(layer: str) -> StackSettings | None:
        try:
            return parse_settings(lifecycle(layer).settings, environment.values(layer), namespace=layer, env=env)
        except (ConfigError, KeyError):
            return None

    return read


@task(
    auto_shortflags=False,
    help={
        "env": "Environment (stack name) to verify: prod (default), dev or an ephemeral CI environment.",
        "outputs_json": "Read the exports from this JSON file (what `invoke outputs --env E --json` writes) "
        "instead of the Pulumi stacks; needs no Pulumi CLI.",
        "region": f"AWS region of the platform (default {DEFAULT_REGION}).",
        "min_tasks": "Fewest running tasks and healthy targets accepted (the requirements: 3).",
        "health_path": "Path requested on the service URL (default /health); only the statuses the load "
        "balancer's health check accepts pass (its matcher in the stack config, else 200).",
        "ca_bundle": "PEM file of CA certificates to trust for the HTTPS check instead of the system's "
        "(verification stays on).",
        "connect_to": "HOST:PORT to connect to for the HTTPS check while the certificate is still verified "
        "for the URL's host (like curl --connect-to), e.g. before DNS delegation is live.",
        "endpoint_url": "Send every AWS call to this endpoint (a local emulator such as moto); normally unset.",
        "only": "Comma-separated names of the checks to run (a wrong name lists them all); default: all.",
        "timeout": "Seconds the HTTPS check waits for the service (default 10).",
        "grace_minutes": "Minutes an alarm may wait for its first datapoint after a deploy before it counts as "
        "stuck in INSUFFICIENT_DATA (default 30).",
    },
)
@interruptible
def verify(
    c: Context,
    env: str = "prod",
    outputs_json: str = "",
    region: str = DEFAULT_REGION,
    min_tasks: int = 3,
    health_path: str = "/health",
    ca_bundle: str = "",
    connect_to: str = "",
    endpoint_url: str = "",
    only: str = "",
    timeout: int = 10,
    grace_minutes: int = 30,
) -> None:
    """Check a deployed environment: one PASS/FAIL line per check, non-zero exit on any FAIL.

    Reads the data, edge and compute exports, then asks AWS (boto3, read-only) and the service
    itself: ECS running its desired count with every target healthy, the task definition's
    512 CPU / 1024 MiB / awsvpc / Fargate, RDS available, Multi-AZ and KMS-encrypted, the log
    group's 7-day retention, the HTTPS listener's certificate and TLS 1.2+ policy, the DNS alias
    pointing at the load balancer, and the URL answering over verified HTTPS.
    """
    # Imported here so `invoke --list` and `--help` need neither boto3 nor the layers' packages.
    from ops.aws import AwsClients
    from ops.environment.stack_files import service_of
    from ops.verify.checks import Expectations, Platform, all_checks, check_names, run_checks
    from ops.verify.exports import require_exports
    from ops.verify.https import https_get, parse_connect_to

    names = check_names()
    chosen = [name.strip() for name in only.split(",") if name.strip()] or list(names)
    unknown = [name for name in chosen if name not in names]
    if unknown:
        raise Exit(f"unknown check {', '.join(unknown)}: expected some of {', '.join(names)}", code=2)
    if not health_path.startswith("/"):
        raise Exit(f"--health-path {health_path!r} is invalid: expected a path starting with /", code=2)
    if ca_bundle and not Path(ca_bundle).is_file():
        raise Exit(f"--ca-bundle {ca_bundle!r} does not exist: expected a PEM file of CA certificates", code=2)
    try:
        address = parse_connect_to(connect_to) if connect_to else None
        needed = [n for c in all_checks() if c.name in chosen for n in c.needs]
        exports = require_exports(_read_exports(env, outputs_json), needed)
    except ValueError as e:  # VerifyInputError included
        raise Exit(str(e), code=2) from None

    environment = _environment(env)
    platform = Platform(
        exports=exports,
        aws=AwsClients(region, endpoint_url=endpoint_url or None),
        expect=Expectations(
            min_tasks=min_tasks,
            health_path=health_path,
            env=env,
            service=environment.service if environment else service_of(env),
            alarm_grace_minutes=grace_minutes,
        ),
        get=lambda url: https_get(url, ca_bundle=ca_bundle or None, connect_to=address, timeout=timeout),
        settings_of=_settings_reader(environment),
    )
    console.print(f"verifying {env} in {region}")
    results = run_checks(platform, chosen)
    for result in results:
        console.print(
            result.line(), style="green" if result.ok else "red", markup=False, highlight=False, soft_wrap=True
        )
    failed = [r.name for r in results if not r.ok]
    if failed:
        raise Exit(f"{len(failed)} of {len(results)} checks failed: {', '.join(failed)}", code=1)
    console.print(f"all {len(results)} checks passed")
