"""Is `domain` delegated to its hosted zone's name servers? Asked of public DNS, as ACM will.

A new Route53 zone answers nothing until the parent zone (the registrar's, or a parent hosted
zone) holds an NS record for the domain naming the zone's four servers; until then ACM's DNS
validation waits in vain. Two views are checked:

- the parent: its authoritative servers are asked, without recursion, for the domain's NS (the
  referral they hand out), which is the delegation itself, visible the moment it is made;
- a recursive resolver: what clients (and ACM) see, which may lag behind by a cached answer's TTL.

`check_delegation` returns a `Delegation` whose `line()` is the one line to show. `PublicDns`
talks to DNS through an injectable dnspython resolver and query function, so tests give it stub
answers and no packet leaves the machine. `wait_for_delegation` re-checks until the delegation is
in place or a bounded time is over, reporting every attempt.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from typing import Any, Literal, Protocol

import dns.exception
import dns.flags
import dns.message
import dns.name
import dns.query
import dns.rcode
import dns.rdatatype
import dns.resolver

from shared.route53 import dns_name as normalize  # a name server as compared here

# Seconds to wait for one DNS answer before calling a server unreachable.
QUERY_TIMEOUT_SECONDS = 3.0

State = Literal["delegated", "not-delegated", "unreachable"]


class DnsUnreachable(Exception):
    """No answer from the DNS servers needed for the check (one line saying which)."""


def _sorted(servers: Iterable[str]) -> tuple[str, ...]:
    return tuple(sorted({normalize(s) for s in servers}))


@dataclass(frozen=True)
class Delegation:
    """What the parent and a resolver say about `domain`, against the zone's `expected` servers."""

    domain: str
    expected: tuple[str, ...]
    parent: str = ""
    at_parent: tuple[str, ...] = ()
    parent_server: str = ""  # which of the parent's servers answered
    at_resolver: tuple[str, ...] = ()
    unreachable: str = ""  # why the check could not be made, when it could not

    @property
    def state(self) -> State:
        """delegated / not-delegated / unreachable (the parent's view decides)."""
        if self.unreachable:
            return "unreachable"
        return "delegated" if set(self.at_parent) == set(self.expected) else "not-delegated"

    @property
    def delegated(self) -> bool:
        """Whether the parent delegates the domain to exactly the expected servers."""
        return self.state == "delegated"

    @property
    def missing(self) -> tuple[str, ...]:
        """Expected servers the parent does not name."""
        return tuple(s for s in self.expected if s not in self.at_parent)

    @property
    def extra(self) -> tuple[str, ...]:
        """Servers the parent names that are not the zone's (an old or another zone's delegation)."""
        return tuple(s for s in self.at_parent if s not in self.expected)

    def line(self) -> str:
        """The result as one line."""
        if self.state == "unreachable":
            return f"cannot check the delegation of {self.domain}: {self.unreachable}"
        if self.state == "delegated":
            text = f"{self.domain} is delegated by {self.parent} to its zone's {len(self.expected)} name servers"
            if set(self.at_resolver) != set(self.expected):
                seen = ", ".join(self.at_resolver) or "no NS record"
                text += f" (a recursive resolver still sees {seen}: a cached answer, gone within its TTL)"
            return text
        if not self.at_parent:
            return f"{self.domain} is not delegated: {self.parent} has no NS record for it (asked {self.parent_server})"
        parts = []
        if self.missing:
            parts.append(f"missing {', '.join(self.missing)}")
        if self.extra:
            parts.append(f"extra {', '.join(self.extra)}")
        return f"{self.domain} is not delegated to its zone: {self.parent} names other servers ({'; '.join(parts)})"


def ns_record_text(domain: str, servers: Iterable[str], parent: str) -> str:
    """The NS record the user must add, and where, as text to print."""
    names = _sorted(servers)
    owner = f"{normalize(domain)}."
    lines = [
        f"Add this NS record in the parent zone {normalize(parent)} (at its DNS host or registrar):",
        f"  name:   {normalize(domain)}",
        "  type:   NS",
        f"  values: {names[0] if names else ''}",
        *(f"          {n}" for n in names[1:]),
        "As zone-file lines:",
        *(f"  {owner} 172800 IN NS {n}." for n in names),
    ]
    return "\n".join(lines)


class Resolver(Protocol):
    """The part of `dns.resolver.Resolver` used here (a stub in tests)."""

    def resolve(self, qname: str, rdtype: str) -> Iterable[Any]: ...


Query = Callable[[dns.message.Message, str, float], dns.message.Message]


def _udp_with_tcp_fallback(query: dns.message.Message, server_ip: str, timeout: float) -> dns.message.Message:
    return dns.query.udp_with_fallback(query, server_ip, timeout=timeout)[0]


def _system_resolver() -> dns.resolver.Resolver:
    resolver = dns.resolver.Resolver()
    resolver.lifetime = QUERY_TIMEOUT_SECONDS * 2
    return resolver


_UNREACHABLE_ERRORS = (dns.exception.Timeout, dns.resolver.NoNameservers, OSError)


@dataclass
class PublicDns:
    """Public DNS through a recursive resolver (the system's by default) and direct queries."""

    resolver: Resolver = field(default_factory=_system_resolver)
    query: Query = _udp_with_tcp_fallback
    timeout: float = QUERY_TIMEOUT_SECONDS

    def _ns(self, name: str) -> tuple[str, ...]:
        """NS of `name` from the resolver; () when the name has none or does not exist."""
        try:
            return _sorted(str(r.target) for r in self.resolver.resolve(name, "NS"))
        except (dns.resolver.NXDOMAIN, dns.resolver.NoAnswer):
            return ()

    def parent_zone(self, domain: str) -> str:
        """The closest enclosing zone above `domain` (the one that must delegate it)."""
        name = dns.name.from_text(domain).parent()
        while name != dns.name.root:
            if self._ns(name.to_text()):
                return normalize(name.to_text())
            name = name.parent()
        raise DnsUnreachable(f"no zone above {domain} has name servers")

    def parent_servers(self, parent: str) -> list[tuple[str, str]]:
        """(name, IPv4 address) of the parent zone's authoritative servers, sorted by name."""
        servers: list[tuple[str, str]] = []
        for server in self._ns(parent):
            try:
                servers.extend((server, str(r.address)) for r in self.resolver.resolve(server, "A"))
            except (dns.resolver.NXDOMAIN, dns.resolver.NoAnswer):
                continue
        return sorted(servers)

    def referral(self, domain: str, server_ip: str) -> tuple[str, ...]:
        """The NS the server hands out for `domain`, asked without recursion (its own data only)."""
        query = dns.message.make_query(domain, "NS")
        query.flags &= ~dns.flags.RD
        response = self.query(query, server_ip, self.timeout)
        rcode = response.rcode()
        if rcode == dns.rcode.NXDOMAIN:
            return ()
        if rcode != dns.rcode.NOERROR:
            raise DnsUnreachable(f"{server_ip} answered {dns.rcode.to_text(rcode)}")
        owner = dns.name.from_text(domain)
        # A referral carries the NS in AUTHORITY; a server that also hosts the child answers in ANSWER.
        return _sorted(
            str(r.target)
            for section in (response.answer, response.authority)
            for rrset in section
            if rrset.rdtype == dns.rdatatype.NS and rrset.name == owner
            for r in rrset
        )

    def recursive(self, domain: str) -> tuple[str, ...]:
        """What a recursive resolver answers for the domain's NS."""
        return self._ns(domain)


def check_delegation(domain: str, expected: Iterable[str], dns_client: PublicDns | None = None) -> Delegation:
    """Ask the parent's servers and a resolver whether `domain` is delegated to `expected`."""
    client = dns_client or PublicDns()
    base = Delegation(domain=normalize(domain), expected=_sorted(expected))
    try:
        parent = client.parent_zone(domain)
        servers = client.parent_servers(parent)
        if not servers:
            return replace(base, parent=parent, unreachable=f"no address for any name server of {parent}")
        failures = []
        for name, ip in servers:  # the first server that answers speaks for the parent
            try:
                at_parent = client.referral(domain, ip)
            except (*_UNREACHABLE_ERRORS, DnsUnreachable) as e:
                failures.append(f"{name} ({_reason(e)})")
                continue
            return replace(
                base,
                parent=parent,
                at_parent=at_parent,
                parent_server=name,
                at_resolver=client.recursive(domain),
            )
        return replace(base, parent=parent, unreachable=f"no name server of {parent} answered: {', '.join(failures)}")
    except DnsUnreachable as e:
        return replace(base, unreachable=str(e))
    except _UNREACHABLE_ERRORS as e:
        return replace(base, unreachable=f"the DNS resolver did not answer ({_reason(e)})")


def _reason(error: BaseException) -> str:
    if isinstance(error, dns.exception.Timeout):
        return "timed out"
    return str(error).splitlines()[0] if str(error) else type(error).__name__


def wait_for_delegation(
    check: Callable[[], Delegation],
    *,
    timeout: float,
    interval: float,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
    on_tick: Callable[[Delegation, float], None] = lambda status, remaining: None,
) -> Delegation:
    """Check until delegated or `timeout` seconds have passed; return the last result.

    `on_tick(result, seconds_left)` is called after every check, so the wait is visible.
    """
    deadline = clock() + timeout
    while True:
        status = check()
        remaining = max(0.0, deadline - clock())
        on_tick(status, remaining)
        if status.delegated or remaining <= 0:
            return status
        sleep(min(interval, remaining))
