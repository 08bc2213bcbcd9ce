"""Small helpers shared by the edge tests."""

from __future__ import annotations


def urn_name(urn: str) -> str:
    """The logical name at the end of a URN."""
    return urn.rsplit("::", 1)[-1]
