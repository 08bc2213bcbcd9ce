"""A protected environment's state never lives on one machine's file backend."""

from __future__ import annotations

from collections.abc import Mapping

from shared.environments import is_protected

ALLOW_LOCAL_BACKEND_VAR = "PAYMENTS_ALLOW_LOCAL_BACKEND"


def check_team_backend(env: str, environ: Mapping[str, str]) -> str | None:
    """None when `env` may use the backend `environ` selects; otherwise one line saying what to do.

    An unset (or empty) `PULUMI_BACKEND_URL` means the tasks' local file backend. For a protected
    environment that is refused unless `PAYMENTS_ALLOW_LOCAL_BACKEND=1`: the state of prod on a
    laptop is lost with the laptop, and nobody else can deploy or tear down what it describes.
    """
    url = environ.get("PULUMI_BACKEND_URL", "")
    local = not url or url.startswith("file://")
    if not local or not is_protected(env) or environ.get(ALLOW_LOCAL_BACKEND_VAR) == "1":
        return None
    where = url or "the local file backend (PULUMI_BACKEND_URL is unset)"
    return (
        f"{env} state must not live on this machine ({where}): run `invoke bootstrap --env {env}` and export "
        f"the PULUMI_BACKEND_URL it prints, or set {ALLOW_LOCAL_BACKEND_VAR}=1 if you really mean a local backend"
    )
