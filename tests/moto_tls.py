"""moto's bucket policies, as S3 judges a request made over TLS.

moto evaluates a bucket policy's conditions only for `StringEquals` and treats every other
condition as met, so the state bucket's `Deny` of requests without TLS (`Bool aws:SecureTransport
false`) refuses every request it sees. boto3 reaches moto's mock and the in-process server as S3
would be reached (TLS, or an endpoint these tests own), so `aws:SecureTransport` is true: a
`Deny` that only applies to requests without TLS never applies here. Every other statement is
judged by moto as before.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from unittest import mock

from moto.s3.models import FakeBucket

_original = FakeBucket.get_permission


def _applies_over_tls(statement: dict[str, Any]) -> bool:
    return statement.get("Condition") != {"Bool": {"aws:SecureTransport": "false"}}


def _get_permission(self: FakeBucket, action: str, resource: str) -> Any:
    if self.policy is None:
        return _original(self, action, resource)
    policy = json.loads(self.policy.decode())
    kept = [s for s in policy.get("Statement", []) if _applies_over_tls(s)]
    saved = self.policy
    self.policy = json.dumps({**policy, "Statement": kept}).encode() if kept else None
    try:
        return _original(self, action, resource)
    finally:
        self.policy = saved


@contextmanager
def requests_over_tls() -> Iterator[None]:
    """Within: moto's bucket policies see requests made over TLS."""
    with mock.patch.object(FakeBucket, "get_permission", _get_permission):
        yield
