"""Where the stacks live (the Pulumi backend) and how each layer's workspace is opened.

`PULUMI_BACKEND_URL` when set (S3, Pulumi Cloud, another folder), otherwise the local file backend
`file://~/.pulumi-payments` - a folder of its own, so these stacks never mix with other projects' on the
same laptop (`pulumi login file://~/.pulumi-payments` reaches them with the plain CLI).
Secrets: the file and S3 backends encrypt stack secrets with `PULUMI_CONFIG_PASSPHRASE` (or
`PULUMI_CONFIG_PASSPHRASE_FILE`), or with a KMS key named by `PAYMENTS_SECRETS_PROVIDER`
(e.g. `awskms://alias/pulumi-payments?region=ap-northeast-2`).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from pulumi import automation as auto

from ops.environment.stack_files import PROJECTS_DIR, project_dir

DEFAULT_BACKEND_URL = "file://~/.pulumi-payments"


SECRETS_PROVIDER_VAR = "PAYMENTS_SECRETS_PROVIDER"


class BackendError(ValueError):
    """The backend cannot be used as configured: the message says how to fix it."""


@dataclass(frozen=True)
class Backend:
    """Where stacks live and how their secrets are encrypted."""

    url: str
    secrets_provider: str | None = None

    @property
    def uses_passphrase(self) -> bool:
        """The file and S3 backends default to passphrase encryption; Pulumi Cloud does not."""
        return self.secrets_provider is None and not self.url.startswith(("https://", "http://"))


def _expand_file_url(url: str) -> str:
    if url.startswith("file://~"):
        return "file://" + os.path.expanduser(url[len("file://") :])
    return url


def backend_settings(environ: Mapping[str, str] | None = None) -> Backend:
    """The backend the user chose (see the module docstring), or `BackendError` saying what is missing."""
    environ = os.environ if environ is None else environ
    url = _expand_file_url(environ.get("PULUMI_BACKEND_URL") or DEFAULT_BACKEND_URL)
    backend = Backend(url=url, secrets_provider=environ.get(SECRETS_PROVIDER_VAR) or None)
    # An empty passphrase is legal for Pulumi, so presence of the variable is what counts.
    has_passphrase = "PULUMI_CONFIG_PASSPHRASE" in environ or "PULUMI_CONFIG_PASSPHRASE_FILE" in environ
    if backend.uses_passphrase and not has_passphrase:
        raise BackendError(
            f"the backend {url} encrypts stack secrets with a passphrase, and none is set: "
            "export PULUMI_CONFIG_PASSPHRASE (or PULUMI_CONFIG_PASSPHRASE_FILE) - the same one every run - "
            f"or set {SECRETS_PROVIDER_VAR}=awskms://alias/<key>?region=ap-northeast-2 before the first deploy"
        )
    return backend


def workspace_options(layer: str, backend: Backend, projects_dir: Path = PROJECTS_DIR) -> auto.LocalWorkspaceOptions:
    """The `LocalWorkspace` of one layer: its project folder, the chosen backend, no update nags."""
    return auto.LocalWorkspaceOptions(
        work_dir=str(project_dir(layer, projects_dir)),
        env_vars={"PULUMI_BACKEND_URL": backend.url, "PULUMI_SKIP_UPDATE_CHECK": "true"},
        secrets_provider=backend.secrets_provider,
    )
