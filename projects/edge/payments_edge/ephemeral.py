"""What an ephemeral copy of an environment must change in the edge layer: its domain."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

DOMAIN_KEY = "edge:domainName"


def check_own_domain(
    env: str, source: str, source_config: Mapping[str, str], overrides: Mapping[str, Any]
) -> str | None:
    """An ephemeral edge stack must not create a second zone and certificate for the source's domain.

    `source_config` is the source's merged edge config; `overrides` the `--set` values. Returns
    None when the copy has a domain of its own (or the source has none), else one line.
    """
    source_domain = source_config.get(DOMAIN_KEY, "")
    if not source_domain:
        return None
    example = f"--set edge:domainName={env}.ci.payments.example.com --set edge:hostedZoneId=Z0123456789ABCDEFGHIJ"
    if DOMAIN_KEY not in overrides:
        return (
            f"an ephemeral environment needs its own domain ({source} uses {source_domain}, whose zone and "
            f"certificate it would duplicate): pass e.g. {example}"
        )
    if str(overrides[DOMAIN_KEY]) == source_domain:
        return f"--set {DOMAIN_KEY} must differ from {source}'s {source_domain}: pass e.g. {example}"
    return None
