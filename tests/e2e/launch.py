"""`python -m tests.e2e.launch ARGS`: the `invoke` command line, with public DNS read from a file.

Everything a journey runs is the real `invoke` program (the same `Program` the console script
runs, loading `tasks.py` from the working directory) over the real Pulumi CLI. Public DNS is the
one thing the harness stands in for, since no packet may leave the machine: the delegation check
(`invoke dns`, edge's first-deploy preflight) asks the records in `$PAYMENTS_TEST_DNS`, a JSON file
the test writes as a DNS host would serve them:

    {"example.com": ["ns1.example.net", ...],            # a zone and its name servers
     "api.payments.example.com": ["ns-1.awsdns-00.com", ...]}   # an NS record at the parent: a delegation

A name's parent is the closest enclosing name in the file; every server answers for the parent.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import dns.message
import dns.name
import dns.rdatatype
import dns.resolver
import dns.rrset


def _records() -> dict[str, list[str]]:
    path = Path(os.environ["PAYMENTS_TEST_DNS"])
    data = json.loads(path.read_text()) if path.exists() else {}
    return {k.rstrip(".").lower(): v for k, v in data.items()}


class FileResolver:
    """The recursive resolver: NS records from the file, every server at 127.0.0.1."""

    def resolve(self, qname: str, rdtype: str) -> Iterable[Any]:
        name = qname.rstrip(".").lower()
        if rdtype == "A":
            return [SimpleNamespace(address="127.0.0.1")]
        found = _records().get(name)
        if not found:
            raise dns.resolver.NXDOMAIN()
        return [SimpleNamespace(target=dns.name.from_text(ns)) for ns in found]


def file_query(query: dns.message.Message, server_ip: str, timeout: float) -> dns.message.Message:
    """The parent's answer: a referral carrying the domain's NS record when the file has one."""
    response = dns.message.make_response(query)
    qname = query.question[0].name
    servers = _records().get(qname.to_text().rstrip(".").lower())
    if servers:
        response.authority.append(dns.rrset.from_text_list(qname, 172800, "IN", "NS", [f"{s}." for s in servers]))
    return response


def main(argv: list[str]) -> None:
    """Stand public DNS in, then run invoke as its console script does."""
    from ops.dns import delegation

    class FileDns(delegation.PublicDns):
        def __init__(self, **_: Any) -> None:
            super().__init__(resolver=FileResolver(), query=file_query)

    delegation.PublicDns = FileDns  # type: ignore[misc]
    from invoke.main import program

    sys.argv = ["invoke", *argv]
    program.run()


if __name__ == "__main__":
    main(sys.argv[1:])
