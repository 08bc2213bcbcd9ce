"""Which environments are protected, and what protection means: the one place that says so.

A protected environment (prod) holds customer data and audit evidence. Its settings are held to
stricter rules (deletion protection on, Multi-AZ, a NAT per AZ, fixed image tags, 30-day KMS
deletion windows), its teardown needs the name confirmed and keeps the final database snapshot,
and its state never lives on a laptop's file backend. Every such rule asks `is_protected(env)`.
"""

from __future__ import annotations

PROTECTED_ENVS: tuple[str, ...] = ("prod",)


def is_protected(env: str) -> bool:
    """Whether `env` is a protected environment (today: prod)."""
    return env in PROTECTED_ENVS
