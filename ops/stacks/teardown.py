"""Teardown policy: who must confirm what, and which protection flips a layer's teardown applies.

Protected environments (see `shared.environments`) are torn down only with `--yes` and the environment
name confirmed, and keep their final database snapshot: no flip may skip it.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from shared.environments import PROTECTED_ENVS
from shared.layers import lifecycle

# Settings teardown must never flip in a protected environment: prod keeps its final snapshot.
_KEEP_IN_PROTECTED = re.compile(r"finalsnapshot", re.IGNORECASE)


class TeardownRefused(Exception):
    """Teardown was not confirmed as the environment requires; the message says how to confirm."""


def confirm_teardown(
    env: str,
    *,
    yes: bool,
    confirm: str = "",
    interactive: bool = False,
    ask: Callable[[str], str] = input,
) -> None:
    """Raise `TeardownRefused` unless the user confirmed destroying `env` as its protection demands.

    Prod: `--yes` AND the environment name, from `--confirm prod` or typed at the prompt when
    stdin is a terminal. Other environments: `--yes`, or a "y" at the prompt.
    """
    if env in PROTECTED_ENVS:
        if not yes:
            raise TeardownRefused(
                f"refusing to destroy {env!r} without --yes: pass --yes --confirm {env} to destroy it"
            )
        typed = confirm
        if not typed and interactive:
            typed = ask(f"This destroys the {env} environment. Type its name to confirm: ").strip()
        if typed != env:
            how = f"--confirm {env}" if not interactive else f"--confirm {env}, or type {env} at the prompt"
            got = f" (got {typed!r})" if typed else ""
            raise TeardownRefused(
                f"refusing to destroy {env!r}: the environment name was not confirmed{got}; pass {how}"
            )
        return
    if yes:
        return
    if interactive and ask(f"Destroy the {env} environment? [y/N] ").strip().lower() in ("y", "yes"):
        return
    raise TeardownRefused(f"refusing to destroy {env!r} without confirmation: pass --yes")


def teardown_flips(layer: str, env: str) -> tuple[tuple[str, str], ...]:
    """Config `(<namespace>:<key>, value)` to set and apply on `layer` before destroying it in `env`.

    Exactly the layer's own teardown config (it lifts protection on what this stack owns);
    in a protected environment, never a flip that would skip the final snapshot.
    """
    flips = lifecycle(layer).teardown.config
    if env in PROTECTED_ENVS:
        flips = tuple((k, v) for k, v in flips if not _KEEP_IN_PROTECTED.search(k))
    return tuple((f"{layer}:{key}", value) for key, value in flips)
