"""One HTTPS request with the certificate and host name verified, optionally to a pinned address."""

from __future__ import annotations

import http.client
import socket
import ssl
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from shared.lifecycle import CheckFailed


@dataclass(frozen=True)
class HttpsResult:
    """What the service answered: the HTTP status and the TLS version negotiated."""

    status: int
    tls_version: str


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """HTTPS to a fixed address while the certificate is verified for the URL's host (curl's --connect-to)."""

    def __init__(self, host: str, port: int, *, address: tuple[str, int], context: ssl.SSLContext, timeout: float):
        super().__init__(host, port, context=context, timeout=timeout)
        self._address = address
        self._tls_context = context

    def connect(self) -> None:
        sock = socket.create_connection(self._address, self.timeout)
        self.sock = self._tls_context.wrap_socket(sock, server_hostname=self.host)


def parse_connect_to(value: str) -> tuple[str, int]:
    """`HOST:PORT` (e.g. `127.0.0.1:8443`) -> (host, port), or ValueError saying what is expected."""
    host, sep, port = value.rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError(f"--connect-to {value!r} is invalid: expected HOST:PORT, e.g. 127.0.0.1:8443")
    return host.strip("[]"), int(port)


def https_get(
    url: str, *, ca_bundle: str | None = None, connect_to: tuple[str, int] | None = None, timeout: float = 10.0
) -> HttpsResult:
    """GET `url` over HTTPS with the certificate and host name verified (TLS 1.2 at least); no redirects followed."""
    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.hostname:
        raise CheckFailed(f"{url} is not an https:// URL")
    context = ssl.create_default_context(cafile=ca_bundle)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    port = parts.port or 443
    conn = _PinnedHTTPSConnection(
        parts.hostname, port, address=connect_to or (parts.hostname, port), context=context, timeout=timeout
    )
    try:
        conn.request("GET", parts.path or "/", headers={"User-Agent": "payments-verify"})
        # Read before the response: http.client drops the socket once a closing response is read.
        tls_version = conn.sock.version() if isinstance(conn.sock, ssl.SSLSocket) else None
        return HttpsResult(status=conn.getresponse().status, tls_version=tls_version or "?")
    finally:
        conn.close()


HttpsGet = Callable[[str], HttpsResult]
