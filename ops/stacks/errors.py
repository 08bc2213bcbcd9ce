"""A failed Pulumi call explained in one line: what went wrong on which stack and what to do next."""

from __future__ import annotations

import re

from pulumi import automation as auto

from ops.aws import CREDENTIAL_FAILURE_TEXT
from ops.stacks.backend import SECRETS_PROVIDER_VAR

PULUMI_INSTALL_COMMAND = "curl -fsSL https://get.pulumi.com | sh"


PULUMI_INSTALL_HINT = (
    f"install it with `{PULUMI_INSTALL_COMMAND}` (or see https://www.pulumi.com/docs/install/), "
    "then open a new shell so ~/.pulumi/bin is on PATH"
)


_PENDING = re.compile(r"pending operations?|was interrupted|interrupted while", re.IGNORECASE)


_LOCKED = ("Another update is currently in progress", "the stack is currently locked by")


_PASSPHRASE = re.compile(r"passphrase must be set|incorrect passphrase|PULUMI_CONFIG_PASSPHRASE", re.IGNORECASE)


_GENERIC_ERROR = re.compile(r"^error: (update|preview|destroy|refresh) failed$")


def first_error_line(text: str) -> str:
    """The most telling `error:` line of Pulumi's output (not the closing "update failed")."""
    lines = [ln.strip() for ln in text.splitlines()]
    errors = [ln for ln in lines if "error:" in ln and not _GENERIC_ERROR.match(ln)]
    line = errors[0] if errors else next((ln for ln in reversed(lines) if ln), "no output")
    line = line[line.index("error:") + len("error:") :].strip() if "error:" in line else line
    return line if len(line) <= 300 else line[:297] + "..."


def explain(error: BaseException, *, layer: str, env: str, op: str) -> str:
    """One actionable line for a failed Automation API call; never a traceback."""
    where = f"{layer} stack {env!r}"
    text = str(error)
    folder = f"projects/{layer}"
    if isinstance(error, auto.ConcurrentUpdateError) or any(s in text for s in _LOCKED):
        return (
            f"another update is running on the {where}: wait for it to finish; if none is running "
            f"(a killed run left the lock), `invoke cancel --layer {layer} --env {env}` "
            f"(`pulumi cancel -s {env}` in {folder}; on a file/S3 backend remove the stale lock under "
            f".pulumi/locks), then run again"
        )
    if CREDENTIAL_FAILURE_TEXT.search(text):
        return (
            f"AWS rejected the credentials during {op} of the {where} (missing, invalid or expired): "
            "refresh them (`aws sso login`, or export fresh AWS_* variables) until "
            "`aws sts get-caller-identity` works, then run again"
        )
    if _PENDING.search(text):
        return (
            f"a previous run on the {where} was interrupted and left pending operations: run "
            f"`invoke deploy --layer {layer} --env {env} --refresh` (refreshes state and clears pending creates, "
            f"then deploys); check the AWS console for resources the run created, or edit state with "
            f"`pulumi stack export -s {env} > state.json` / `pulumi stack import -s {env} --file state.json` "
            f"in {folder}"
        )
    if _PASSPHRASE.search(text):
        return (
            f"Pulumi cannot decrypt the {where}: export the PULUMI_CONFIG_PASSPHRASE the stack was created "
            f"with (or PULUMI_CONFIG_PASSPHRASE_FILE), or set {SECRETS_PROVIDER_VAR}"
        )
    if isinstance(error, auto.StackNotFoundError):
        return f"the {where} does not exist on this backend: deploy it first (`invoke deploy-all --env {env}`)"
    if isinstance(error, FileNotFoundError):
        return f"the Pulumi CLI is not installed: {PULUMI_INSTALL_HINT}"
    if isinstance(error, auto.InvalidVersionError):
        return f"the Pulumi CLI is too old for this SDK ({error}): update it with `{PULUMI_INSTALL_COMMAND}`"
    if isinstance(error, auto.CommandError):
        return (
            f"pulumi {op} failed on the {where}: {first_error_line(text)} "
            f"(full output: `pulumi {op} -s {env}` in {folder})"
        )
    return f"{op} of the {where} failed: {type(error).__name__}: {error}"
