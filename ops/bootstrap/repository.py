"""Which GitHub repository's deploy jobs the deploy roles trust: `owner/name`, checked before any cloud call."""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Mapping

from ops.roles.names import REPOSITORY

_REMOTE = re.compile(r"github\.com[:/]([^/\s]+/[^/\s]+?)(?:\.git)?/?$")


class RepositoryError(ValueError):
    """No usable repository name; the message names the value and what is expected."""


def _origin() -> str:
    try:
        url = subprocess.run(
            ["git", "remote", "get-url", "origin"], capture_output=True, text=True, check=True, timeout=10
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""
    match = _REMOTE.search(url)
    return match.group(1) if match else ""


def github_repository(given: str = "", environ: Mapping[str, str] | None = None) -> str:
    """`given`, else `$GITHUB_REPOSITORY`, else the github.com remote `origin`; it must be `owner/name`."""
    environ = os.environ if environ is None else environ
    value = given or environ.get("GITHUB_REPOSITORY", "") or _origin()
    if not value:
        raise RepositoryError(
            "--repository is required: expected the GitHub repository whose deploy jobs the roles trust, "
            "as owner/name (or set GITHUB_REPOSITORY)"
        )
    if not REPOSITORY.fullmatch(value):
        raise RepositoryError(f"--repository {value!r} is invalid: expected owner/name, e.g. acme/payments-infra")
    return value
