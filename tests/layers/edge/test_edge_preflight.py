"""Preflight of a new zone: the first deploy waits for nothing it cannot get (moto Route53, a stub DNS verdict)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

import boto3
import pytest
from moto import mock_aws

from payments_edge.preflight import check_new_zone_delegated
from tests.layers.layer_settings import layer_settings
from tests.layers.preflight_context import FakePreflightContext, StubClients

DOMAIN = "api.payments.example.com"


@dataclass
class DnsVerdicts(FakePreflightContext):
    """A preflight context whose public DNS answers from a table instead of the network."""

    delegated: dict[str, tuple[str, ...]] = field(default_factory=dict)
    asked: list[tuple[str, tuple[str, ...]]] = field(default_factory=list)

    def delegation(self, domain: str, name_servers: Sequence[str]) -> str | None:
        self.asked.append((domain, tuple(name_servers)))
        if tuple(sorted(name_servers)) == tuple(sorted(self.delegated.get(domain, ()))):
            return None
        return f"{domain} is not delegated to {', '.join(sorted(name_servers))}"


@pytest.fixture
def route53() -> Iterator[object]:
    with mock_aws():
        yield boto3.client("route53", region_name="us-east-1")


def _context(route53: object, **edge: object) -> DnsVerdicts:
    settings = layer_settings("edge", "prod", **edge)
    return DnsVerdicts(aws=StubClients({"route53": route53}), layer_settings={"edge": settings})


def test_a_first_deploy_without_reserved_name_servers_stops_before_anything_is_created(route53):
    problem = check_new_zone_delegated(_context(route53))
    assert problem == (
        f"edge:domainName = '{DOMAIN}': the first deploy would create a zone whose name servers nobody has "
        "delegated to, and the certificate would wait 45 minutes for a validation that cannot resolve: run "
        "`invoke dns --env prod --reserve`, add the NS record it prints at the parent domain, set "
        "edge:delegationSetId, then deploy again (nothing was created)"
    )


def test_reserved_name_servers_not_yet_delegated_stop_the_deploy_with_the_wait_to_run(route53):
    reserved = route53.create_reusable_delegation_set(CallerReference="edge-prod")["DelegationSet"]  # type: ignore[attr-defined]
    ctx = _context(route53, delegationSetId="N0123456789ABCDEF")
    ctx.aws = StubClients({"route53": _ReservedAs(route53, "N0123456789ABCDEF", reserved["Id"])})
    problem = check_new_zone_delegated(ctx)
    assert ctx.asked == [(DOMAIN, tuple(reserved["NameServers"]))]
    assert problem is not None and problem.startswith(f"edge:domainName = '{DOMAIN}': {DOMAIN} is not delegated to")
    assert problem.endswith(
        "wait for it with `invoke dns --env prod --wait 30`, then deploy again (nothing was created)"
    )


def test_reserved_and_delegated_name_servers_let_the_first_deploy_go(route53):
    reserved = route53.create_reusable_delegation_set(CallerReference="edge-prod")["DelegationSet"]  # type: ignore[attr-defined]
    ctx = _context(route53, delegationSetId="N0123456789ABCDEF")
    ctx.aws = StubClients({"route53": _ReservedAs(route53, "N0123456789ABCDEF", reserved["Id"])})
    ctx.delegated = {DOMAIN: tuple(reserved["NameServers"])}
    assert check_new_zone_delegated(ctx) is None


def test_a_zone_that_already_exists_is_not_a_first_deploy(route53):
    route53.create_hosted_zone(Name=DOMAIN, CallerReference="earlier-deploy")  # type: ignore[attr-defined]
    ctx = _context(route53)
    assert check_new_zone_delegated(ctx) is None and ctx.asked == []


@pytest.mark.parametrize(
    "edge",
    [
        {"hostedZoneId": "Z0123456789ABCDEFGHIJ"},
        {"certificateArn": "arn:aws:acm:ap-northeast-2:123456789012:certificate/0b8c8c55-1111-2222-3333-444455556666"},
    ],
)
def test_an_existing_zone_or_certificate_needs_no_new_delegation(route53, edge):
    assert check_new_zone_delegated(_context(route53, **edge)) is None


class _ReservedAs:
    """moto names delegation sets its own way; answer for the configured id with moto's set."""

    def __init__(self, route53: object, configured: str, actual: str) -> None:
        self._route53, self._configured, self._actual = route53, configured, actual

    def get_reusable_delegation_set(self, Id: str) -> dict:
        assert Id == self._configured
        return self._route53.get_reusable_delegation_set(Id=self._actual)  # type: ignore[attr-defined]

    def __getattr__(self, name: str) -> object:
        return getattr(self._route53, name)
