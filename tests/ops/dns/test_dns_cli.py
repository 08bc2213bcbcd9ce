"""`invoke dns` in-process: the zone's servers from a fake engine, public DNS from stubs, and its exit codes."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import boto3
import dns.exception
import pytest
from invoke.context import Context
from invoke.exceptions import Exit
from moto import mock_aws

import ops.cli.dns as dns_cli
import ops.dns.zone as dns_cli_zone
from ops.dns.delegation import PublicDns
from ops.dns.zone import zone_config as dns_cli_zone_config
from ops.environment.environment import Environment
from tests.cli import run_invoke
from tests.ops.dns.dns_fakes import OutputsEngine
from tests.ops.dns.test_delegation import ZONE_NS, StubResolver, StubServers, public_records

REPO = Path(__file__).resolve().parents[3]
DOMAIN = "api.payments.example.com"  # prod's edge:domainName


@pytest.fixture
def engine(monkeypatch: pytest.MonkeyPatch) -> OutputsEngine:
    """prod's edge stack exists and exports its zone's name servers."""
    fake = OutputsEngine({("edge", "prod"): {"name_servers": ZONE_NS}})
    monkeypatch.setattr(dns_cli, "_engine", lambda: fake)
    return fake


def _parent_answers(monkeypatch: pytest.MonkeyPatch, answers: dict[str, list[str] | Exception | None]) -> None:
    """example.com's two servers answer the referral for the domain as given (None: no NS record)."""
    client = PublicDns(resolver=StubResolver(public_records(child_ns=ZONE_NS)), query=StubServers(answers))
    monkeypatch.setattr(dns_cli, "_public_dns", lambda: client)


def test_a_delegated_domain_prints_its_servers_and_exits_zero(
    engine: OutputsEngine, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _parent_answers(monkeypatch, {"192.0.2.1": ZONE_NS})
    dns_cli.dns(Context(), env="prod")  # returns: exit 0
    assert capsys.readouterr().out.splitlines() == [
        f"{DOMAIN}: the zone's name servers (output name_servers of edge/prod): {', '.join(ZONE_NS)}",
        f"{DOMAIN} is delegated by example.com to its zone's 4 name servers",
    ]


def test_a_missing_delegation_prints_the_ns_record_to_add_and_exits_one(
    engine: OutputsEngine, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _parent_answers(monkeypatch, {"192.0.2.1": None})
    with pytest.raises(Exit) as e:
        dns_cli.dns(Context(), env="prod")
    assert e.value.code == 1
    out = capsys.readouterr().out.splitlines()
    assert out[1] == f"{DOMAIN} is not delegated: example.com has no NS record for it (asked a.iana-servers.net)"
    assert out[2] == "Add this NS record in the parent zone example.com (at its DNS host or registrar):"
    assert [line.split()[-1] for line in out if " IN NS " in line] == [f"{n}." for n in ZONE_NS]


def test_dns_that_cannot_be_asked_is_one_line_and_exits_two(
    engine: OutputsEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    _parent_answers(monkeypatch, {"192.0.2.1": dns.exception.Timeout(), "192.0.2.2": dns.exception.Timeout()})
    with pytest.raises(Exit) as e:
        dns_cli.dns(Context(), env="prod")
    assert (e.value.code, e.value.message) == (
        2,
        f"cannot check the delegation of {DOMAIN}: no name server of example.com answered: "
        "a.iana-servers.net (timed out), b.iana-servers.net (timed out)",
    )


def test_an_environment_whose_zone_does_not_exist_yet_exits_two_saying_what_creates_it(
    engine: OutputsEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    _parent_answers(monkeypatch, {})
    with pytest.raises(Exit) as e:
        dns_cli.dns(Context(), env="dev")  # only prod's stack exists
    assert (e.value.code, e.value.message) == (
        2,
        "the zone of api.dev.payments.example.com does not exist yet: reserve its name servers first with "
        "`invoke dns --env dev --reserve`, add the NS record it prints, then `invoke deploy --layer edge --env dev`",
    )


def test_an_unknown_environment_is_one_line_on_the_command_line() -> None:
    result = run_invoke("dns", "--env", "qa")
    assert result.returncode == 2
    assert result.stderr.strip().startswith("unknown environment 'qa': expected one of")
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_reserve_before_the_first_deploy_prints_the_servers_the_config_line_and_the_record(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with mock_aws():
        route53 = boto3.client("route53", region_name="us-east-1")
        monkeypatch.setattr(dns_cli, "_engine", lambda: OutputsEngine())  # no edge stack yet
        monkeypatch.setattr(dns_cli, "_route53", lambda env: route53)
        _parent_answers(monkeypatch, {"192.0.2.1": None})
        with pytest.raises(Exit) as e:
            dns_cli.dns(Context(), env="prod", reserve=True)
        [reserved] = route53.list_reusable_delegation_sets()["DelegationSets"]
    assert e.value.code == 1  # reserved, not yet delegated
    out = capsys.readouterr().out.splitlines()
    servers = ", ".join(reserved["NameServers"])
    assert out[0] == f"reserved: delegation set {reserved['Id']} ({servers})"
    assert out[1] == (
        f"set `edge:delegationSetId: {reserved['Id']}` in projects/edge/Pulumi.prod.yaml (and commit it): "
        "the zone the first deploy creates then uses these servers"
    )
    assert out[2] == f"{DOMAIN}: the zone's name servers (reusable delegation set {reserved['Id']}): {servers}"
    assert [line.split()[-1] for line in out if " IN NS " in line] == [f"{n}." for n in reserved["NameServers"]]


def test_reserve_for_an_existing_zone_is_refused_in_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    config = dns_cli_zone_config(Environment.load("prod"))
    monkeypatch.setattr(dns_cli_zone, "zone_config", lambda env: dataclasses.replace(config, zone_id="Z0123456789AB"))
    with pytest.raises(Exit) as e:
        dns_cli.dns(Context(), env="prod", reserve=True)
    assert (e.value.code, e.value.message) == (
        2,
        "edge:hostedZoneId names an existing zone: its name servers are already fixed, there is nothing to reserve",
    )
