"""How a planned value that is not a plain value is written, wherever a plan is read.

The offline plan marks a value only the cloud can assign as `(known after apply: <resource>.<prop>)`
and shows a secret as `[secret]`; the policy pack, the plan report and the stack tools read and
write these same spellings, so they are defined once here, where every one of them can import them.
"""

from __future__ import annotations

from typing import Any

COMPUTED_PREFIX = "(known after apply: "
SECRET_MASK = "[secret]"


def computed(resource: str, prop: str) -> str:
    """The stand-in for an output only the cloud knows."""
    return f"{COMPUTED_PREFIX}{resource}.{prop})"


def is_computed(value: Any) -> bool:
    """Whether `value` is (or contains, as a string) a stand-in for a cloud-only value."""
    return isinstance(value, str) and COMPUTED_PREFIX in value
