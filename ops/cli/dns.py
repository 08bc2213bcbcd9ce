"""Invoke task that checks the domain's delegation in public DNS: `invoke dns --env E`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from invoke.context import Context
from invoke.exceptions import Exit
from invoke.tasks import task

from ops.cli.common import check_env, console

if TYPE_CHECKING:
    from ops.stacks.engine import StackEngine


def _engine() -> StackEngine:
    """The Automation API engine (needs the Pulumi CLI), made only when a stack output is read."""
    from ops.stacks.backend import BackendError, backend_settings
    from ops.stacks.pulumi_engine import PulumiEngine

    try:
        return PulumiEngine(backend_settings())
    except BackendError as e:
        raise Exit(str(e), code=2) from None


def _route53(env: str) -> Any:
    """A Route53 client in the environment's account (as its role, when the stacks name one)."""
    from ops.aws import AwsClients
    from ops.bootstrap.accounts import AccountGuardError, enter_account
    from ops.environment.account import AccountConfigError, environment_account

    try:
        account = environment_account(env)
        return enter_account(AwsClients(account.region), account, purpose="dns").client("route53")
    except (AccountConfigError, AccountGuardError) as e:
        raise Exit(str(e), code=2) from None


def _public_dns() -> Any:
    """Public DNS through the system's resolver."""
    from ops.dns.delegation import PublicDns

    return PublicDns()


@task(help={"env": "Environment whose domain to check, e.g. prod or dev."})
def dns(c: Context, env: str = "") -> None:
    """Show the zone's name servers and whether the parent domain delegates to them.

    Exit 0 when it does, 1 when it does not (the NS record to add is printed), 2 when it could not
    be checked (no zone yet, AWS or DNS unreachable).
    """
    check_env(env)
    # Imported here so `invoke --list` and `--help` need neither dnspython nor the layers' packages.
    from ops.dns.delegation import check_delegation, ns_record_text
    from ops.dns.zone import ZoneLookupError, zone_config, zone_servers

    try:
        zone = zone_servers(zone_config(env), env, engine=_engine, route53=lambda: _route53(env))
    except ZoneLookupError as e:
        raise Exit(str(e), code=2) from None
    console.print(
        f"{zone.domain}: the zone's name servers ({zone.source}): {', '.join(zone.name_servers)}",
        markup=False,
        highlight=False,
        soft_wrap=True,
    )
    result = check_delegation(zone.domain, zone.name_servers, _public_dns())
    if result.state == "unreachable":
        raise Exit(result.line(), code=2)
    console.print(result.line(), markup=False, highlight=False, soft_wrap=True)
    if not result.delegated:
        record = ns_record_text(zone.domain, zone.name_servers, result.parent)
        console.print(record, markup=False, highlight=False, soft_wrap=True)
        raise Exit(code=1)
