"""Parsing a private ECR image URI: the only kind of image the payment API runs from.

`<12-digit account>.dkr.ecr.<region>.amazonaws.com/<repository>:<tag>` or `...@sha256:<64 hex>`.
The parts feed the execution role: it may pull from exactly this repository and no other.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Repository names: lowercase path components separated by `/`, each `[a-z0-9]` runs joined by
# `.`, `_` or `-` (the ECR naming rule); tags: up to 128 characters, not starting with `.` or `-`.
_COMPONENT = r"[a-z0-9]+(?:[._-][a-z0-9]+)*"
_ECR_IMAGE = re.compile(
    r"^(?P<account>\d{12})\.dkr\.ecr\.(?P<region>[a-z]{2}(?:-[a-z]+)+-\d)\.amazonaws\.com/"
    rf"(?P<repository>{_COMPONENT}(?:/{_COMPONENT})*)"
    r"(?::(?P<tag>[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})|@(?P<digest>sha256:[a-f0-9]{64}))$"
)

EXPECTED_IMAGE = (
    "expected a private ECR image URI <12-digit account>.dkr.ecr.<region>.amazonaws.com/<repository>:<tag> "
    "(or @sha256:<64 hex digits>), e.g. 123456789012.dkr.ecr.ap-northeast-2.amazonaws.com/payments-api:1.0.0"
)


@dataclass(frozen=True)
class EcrImage:
    """A parsed private ECR image reference (exactly one of `tag` and `digest` is set)."""

    uri: str
    account_id: str
    region: str
    repository: str
    tag: str | None
    digest: str | None

    @classmethod
    def parse(cls, uri: str) -> EcrImage:
        """Parse `uri`, or raise ValueError("expected ...") for anything but a private ECR URI."""
        m = _ECR_IMAGE.match(uri)
        if m is None:
            raise ValueError(EXPECTED_IMAGE)
        return cls(uri, m["account"], m["region"], m["repository"], m["tag"], m["digest"])

    def repository_arn(self, partition: str) -> str:
        """The ARN of the repository the image lives in (what the execution role may pull from)."""
        return f"arn:{partition}:ecr:{self.region}:{self.account_id}:repository/{self.repository}"
