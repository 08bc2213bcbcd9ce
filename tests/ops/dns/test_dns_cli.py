"""`invoke dns` in-process: the zone's servers from a fake engine, public DNS from stubs, and its exit codes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import dns.exception
import pytest
from invoke.context import Context
from invoke.exceptions import Exit

import ops.cli.dns as dns_cli
from ops.dns.delegation import PublicDns
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
        "the zone of api.dev.payments.example.com does not exist yet: `invoke deploy --layer edge --env dev` creates it",
    )


def test_an_unknown_environment_is_one_line_on_the_command_line() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "invoke", "dns", "--env", "qa"], cwd=REPO, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 2
    assert result.stderr.strip().startswith("unknown environment 'qa': expected one of")
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1
