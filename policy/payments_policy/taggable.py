"""Which AWS resource types take tags, from a table made from the pinned pulumi-aws SDK.

The tag rule must know whether a type accepts `tags`. Asking the SDK means installing it (some
270 MB) in the pack's virtualenv and importing a module of it per service on every preview; the
table (`taggable.json`, beside this module) holds the SDK's answer for every AWS type the layers'
programs register, with the SDK release it came from. `invoke docs` writes it again from the
offline plans, and a test holds it to the SDK and to the plans, so it can neither go stale nor
miss a type. A type missing from it is a violation that says so, never a silent pass.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

TABLE = Path(__file__).with_name("taggable.json")


class UnknownType(LookupError):
    """An AWS type the table has no answer for: the message says how to add it."""


@functools.cache
def _table() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(TABLE.read_text())
    return data


def taggable(token: str) -> bool:
    """Whether resources of this type accept `tags`; types outside AWS (components, providers) never do."""
    if not token.startswith("aws:"):
        return False
    types: dict[str, bool] = _table()["types"]
    if token not in types:
        raise UnknownType(
            f"{token} is not in {TABLE.name} (made from {_table()['sdk']}): regenerate it with `invoke docs`"
        )
    return types[token]


def table_text(types: dict[str, bool], sdk: str) -> str:
    """The table file's content for `types` (token -> taggable) made from `sdk` (e.g. pulumi-aws==7.51.1)."""
    return json.dumps({"sdk": sdk, "types": dict(sorted(types.items()))}, indent=1) + "\n"
