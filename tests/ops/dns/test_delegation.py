"""The delegation check against a stub resolver and stub name servers: no packet leaves the machine."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import dns.exception
import dns.flags
import dns.message
import dns.rcode
import dns.rdata
import dns.resolver
import dns.rrset

from ops.dns.delegation import Delegation, PublicDns, check_delegation, ns_record_text, wait_for_delegation

DOMAIN = "api.payments.example.com"
ZONE_NS = ["ns-1.awsdns-01.org", "ns-2.awsdns-02.co.uk", "ns-3.awsdns-03.com", "ns-4.awsdns-04.net"]
PARENT_NS = {"a.iana-servers.net": "192.0.2.1", "b.iana-servers.net": "192.0.2.2"}


class StubResolver:
    """Answers `resolve(name, type)` from a table; names not in it do not exist."""

    def __init__(self, records: dict[tuple[str, str], list[str]], error: Exception | None = None) -> None:
        self.records = records
        self.error = error

    def resolve(self, qname: str, rdtype: str) -> Iterable[Any]:
        if self.error:
            raise self.error
        name = qname.rstrip(".").lower()
        if (name, rdtype) not in self.records:
            if any(n == name for n, _ in self.records):
                raise dns.resolver.NoAnswer()
            raise dns.resolver.NXDOMAIN()
        return [dns.rdata.from_text("IN", rdtype, value) for value in self.records[(name, rdtype)]]


def public_records(*, child_ns: list[str] | None = None) -> dict[tuple[str, str], list[str]]:
    """example.com is a zone with two servers; payments.example.com is not a zone."""
    records = {
        ("example.com", "NS"): [f"{n}." for n in PARENT_NS],
        ("payments.example.com", "TXT"): ['"not a zone, just a name"'],
        **{(name, "A"): [ip] for name, ip in PARENT_NS.items()},
    }
    if child_ns is not None:
        records[(DOMAIN, "NS")] = [f"{n}." for n in child_ns]
    return records


class StubServers:
    """The parent's authoritative servers: each IP answers a referral, NXDOMAIN, or fails."""

    def __init__(self, answers: dict[str, list[str] | Exception | None]) -> None:
        self.answers = answers
        self.asked: list[tuple[str, str, str, bool]] = []

    def __call__(self, query: dns.message.Message, server_ip: str, timeout: float) -> dns.message.Message:
        question = query.question[0]
        self.asked.append(
            (
                server_ip,
                question.name.to_text(),
                dns.rdatatype.to_text(question.rdtype),
                bool(query.flags & dns.flags.RD),
            )
        )
        answer = self.answers[server_ip]
        if isinstance(answer, Exception):
            raise answer
        response = dns.message.make_response(query)
        if answer is None:
            response.set_rcode(dns.rcode.NXDOMAIN)
        else:
            response.authority.append(
                dns.rrset.from_text(question.name, 172800, "IN", "NS", *[f"{n}." for n in answer])
            )
        return response


def check(
    parent_answers: dict[str, list[str] | Exception | None],
    *,
    resolver_sees: list[str] | None = None,
    resolver_error: Exception | None = None,
    expected: list[str] = ZONE_NS,
) -> tuple[Delegation, StubServers]:
    servers = StubServers(parent_answers)
    client = PublicDns(resolver=StubResolver(public_records(child_ns=resolver_sees), resolver_error), query=servers)
    return check_delegation(DOMAIN, expected, client), servers


def test_a_parent_naming_exactly_the_zone_servers_is_a_delegation():
    result, _ = check({"192.0.2.1": ZONE_NS}, resolver_sees=ZONE_NS)
    assert result.state == "delegated" and result.delegated
    assert (result.parent, result.parent_server) == ("example.com", "a.iana-servers.net")
    assert result.at_parent == tuple(sorted(ZONE_NS))
    assert result.line() == "api.payments.example.com is delegated by example.com to its zone's 4 name servers"


def test_the_parent_is_asked_without_recursion_for_the_domains_ns():
    _, servers = check({"192.0.2.1": ZONE_NS}, resolver_sees=ZONE_NS)
    assert servers.asked == [("192.0.2.1", "api.payments.example.com.", "NS", False)]


def test_the_parent_zone_is_the_closest_enclosing_zone_not_the_next_label():
    client = PublicDns(resolver=StubResolver(public_records()), query=StubServers({}))
    assert client.parent_zone(DOMAIN) == "example.com"  # payments.example.com exists but is no zone


def test_a_parent_without_an_ns_record_says_not_delegated_and_which_server_said_so():
    result, _ = check({"192.0.2.1": None})
    assert result.state == "not-delegated"
    assert result.missing == tuple(sorted(ZONE_NS)) and result.extra == ()
    assert result.line() == (
        "api.payments.example.com is not delegated: example.com has no NS record for it (asked a.iana-servers.net)"
    )


def test_a_delegation_to_other_servers_names_the_missing_and_the_extra_ones():
    old = ["ns-1.awsdns-01.org", "ns-2.awsdns-02.co.uk", "ns-900.awsdns-50.com"]
    result, _ = check({"192.0.2.1": old})
    assert result.state == "not-delegated"
    assert result.missing == ("ns-3.awsdns-03.com", "ns-4.awsdns-04.net")
    assert result.extra == ("ns-900.awsdns-50.com",)
    assert result.line() == (
        "api.payments.example.com is not delegated to its zone: example.com names other servers "
        "(missing ns-3.awsdns-03.com, ns-4.awsdns-04.net; extra ns-900.awsdns-50.com)"
    )


def test_server_names_compare_without_case_or_trailing_dot():
    result, _ = check({"192.0.2.1": ZONE_NS}, expected=[f"{n.upper()}." for n in ZONE_NS], resolver_sees=ZONE_NS)
    assert result.delegated


def test_a_resolver_still_caching_the_old_answer_is_noted_but_the_parent_decides():
    result, _ = check({"192.0.2.1": ZONE_NS}, resolver_sees=None)
    assert result.delegated
    assert result.at_resolver == ()
    assert result.line().endswith(
        "(a recursive resolver still sees no NS record: a cached answer, gone within its TTL)"
    )


def test_a_parent_server_that_times_out_is_skipped_for_the_next_one():
    result, servers = check({"192.0.2.1": dns.exception.Timeout(), "192.0.2.2": ZONE_NS}, resolver_sees=ZONE_NS)
    assert result.delegated and result.parent_server == "b.iana-servers.net"
    assert [ip for ip, *_ in servers.asked] == ["192.0.2.1", "192.0.2.2"]


def test_no_parent_server_answering_is_unreachable_in_one_line():
    result, _ = check({"192.0.2.1": dns.exception.Timeout(), "192.0.2.2": OSError("Network is unreachable")})
    assert result.state == "unreachable" and not result.delegated
    assert result.line() == (
        "cannot check the delegation of api.payments.example.com: no name server of example.com answered: "
        "a.iana-servers.net (timed out), b.iana-servers.net (Network is unreachable)"
    )


def test_an_unreachable_resolver_is_one_line():
    result, servers = check({}, resolver_error=dns.resolver.LifetimeTimeout(timeout=6.0, errors={}))
    assert result.state == "unreachable"
    assert result.line() == (
        "cannot check the delegation of api.payments.example.com: the DNS resolver did not answer (timed out)"
    )
    assert servers.asked == []


def test_a_refusing_parent_server_counts_as_not_answering():
    class Refusing(StubServers):
        def __call__(self, query, server_ip, timeout):
            response = dns.message.make_response(query)
            response.set_rcode(dns.rcode.REFUSED)
            return response

    client = PublicDns(resolver=StubResolver(public_records()), query=Refusing({}))
    result = check_delegation(DOMAIN, ZONE_NS, client)
    assert result.line().endswith(
        "a.iana-servers.net (192.0.2.1 answered REFUSED), b.iana-servers.net (192.0.2.2 answered REFUSED)"
    )


def test_the_ns_record_to_add_names_the_domain_the_four_servers_and_the_parent_zone():
    assert ns_record_text(DOMAIN, reversed(ZONE_NS), "example.com") == "\n".join(
        [
            "Add this NS record in the parent zone example.com (at its DNS host or registrar):",
            "  name:   api.payments.example.com",
            "  type:   NS",
            "  values: ns-1.awsdns-01.org",
            "          ns-2.awsdns-02.co.uk",
            "          ns-3.awsdns-03.com",
            "          ns-4.awsdns-04.net",
            "As zone-file lines:",
            "  api.payments.example.com. 172800 IN NS ns-1.awsdns-01.org.",
            "  api.payments.example.com. 172800 IN NS ns-2.awsdns-02.co.uk.",
            "  api.payments.example.com. 172800 IN NS ns-3.awsdns-03.com.",
            "  api.payments.example.com. 172800 IN NS ns-4.awsdns-04.net.",
        ]
    )


# Waiting -------------------------------------------------------------------------------------------


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


NOT_YET = Delegation(domain=DOMAIN, expected=tuple(ZONE_NS), parent="example.com")
DONE = Delegation(domain=DOMAIN, expected=tuple(ZONE_NS), parent="example.com", at_parent=tuple(ZONE_NS))


def test_waiting_returns_as_soon_as_the_delegation_appears_reporting_every_check():
    clock = FakeClock()
    results = iter([NOT_YET, NOT_YET, DONE, NOT_YET])
    ticks: list[tuple[str, float]] = []
    last = wait_for_delegation(
        lambda: next(results),
        timeout=600,
        interval=30,
        clock=clock,
        sleep=clock.sleep,
        on_tick=lambda status, left: ticks.append((status.state, left)),
    )
    assert last is DONE
    assert ticks == [("not-delegated", 600), ("not-delegated", 570), ("delegated", 540)]
    assert clock.sleeps == [30, 30]


def test_waiting_gives_up_at_the_timeout_with_the_last_result():
    clock = FakeClock()
    ticks: list[float] = []
    last = wait_for_delegation(
        lambda: NOT_YET,
        timeout=100,
        interval=30,
        clock=clock,
        sleep=clock.sleep,
        on_tick=lambda status, left: ticks.append(left),
    )
    assert last is NOT_YET
    assert ticks == [100, 70, 40, 10, 0]
    assert clock.sleeps == [30, 30, 30, 10]  # never sleeps past the deadline
    assert clock.now == 1100


def test_an_already_delegated_domain_does_not_wait_at_all():
    clock = FakeClock()
    assert wait_for_delegation(lambda: DONE, timeout=600, interval=30, clock=clock, sleep=clock.sleep) is DONE
    assert clock.sleeps == []
