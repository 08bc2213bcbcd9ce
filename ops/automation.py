"""The one seam to the Pulumi Automation API: everything above it works on `StackEngine`.

`PulumiEngine` drives each layer's project folder (`projects/<layer>/`) through a
`LocalWorkspace`, exactly as `pulumi up -s <env>` in that folder would, so a team can keep
using the plain CLI on its own layer. It needs the Pulumi CLI on PATH; nothing else in `ops/`
does, which is why the orchestration is tested with a fake engine and this module stays thin.

Backend: `PULUMI_BACKEND_URL` when set (S3, Pulumi Cloud, another folder), otherwise the local
file backend `file://~/.pulumi-payments` - a folder of its own, so these stacks never mix with
other projects' on the same laptop. To reach the same stacks with the plain CLI, run
`pulumi login file://~/.pulumi-payments` (or export `PULUMI_BACKEND_URL`).
Secrets: the file and S3 backends encrypt stack secrets with `PULUMI_CONFIG_PASSPHRASE`
(or `PULUMI_CONFIG_PASSPHRASE_FILE`), or with a KMS key named by `PAYMENTS_SECRETS_PROVIDER`
(e.g. `awskms://alias/pulumi-payments?region=ap-northeast-2`), used when a stack is created.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from pulumi import automation as auto

from ops.stack_config import PROJECTS_DIR, project_dir

DEFAULT_BACKEND_URL = "file://~/.pulumi-payments"
SECRETS_PROVIDER_VAR = "PAYMENTS_SECRETS_PROVIDER"
PULUMI_INSTALL_COMMAND = "curl -fsSL https://get.pulumi.com | sh"
PULUMI_INSTALL_HINT = (
    f"install it with `{PULUMI_INSTALL_COMMAND}` (or see https://www.pulumi.com/docs/install/), "
    "then open a new shell so ~/.pulumi/bin is on PATH"
)

OnEvent = Callable[[str], None]


# What the orchestrator sees --------------------------------------------------------------


@dataclass(frozen=True)
class Changes:
    """Resource operations of one update, preview or destroy."""

    created: int = 0
    updated: int = 0
    replaced: int = 0
    deleted: int = 0
    same: int = 0

    @classmethod
    def from_op_map(cls, ops: Mapping[Any, int] | None) -> Changes:
        """Read Pulumi's `{"create": n, "update": n, ...}` (keys are `OpType`s or strings)."""
        counts = {getattr(k, "value", k): v for k, v in (ops or {}).items()}
        return cls(
            created=counts.get("create", 0),
            updated=counts.get("update", 0),
            replaced=counts.get("replace", 0),
            deleted=counts.get("delete", 0),
            same=counts.get("same", 0),
        )


@dataclass(frozen=True)
class StackState:
    """Whether a layer's stack exists for an environment, and its last operation."""

    exists: bool
    resource_count: int | None = None
    last_update: datetime | None = None
    last_kind: str | None = None
    last_result: str | None = None
    update_in_progress: bool = False

    @property
    def deployed(self) -> bool:
        """The stack holds resources (a destroyed stack keeps its history but has none).

        An unknown count (some backends do not report it) counts as deployed: the safe answer
        for "may I destroy what this depends on?".
        """
        return self.exists and (self.resource_count is None or self.resource_count > 0)


@dataclass(frozen=True)
class StackOutput:
    """One stack output and whether Pulumi holds it as a secret."""

    value: Any
    secret: bool = False


class EngineError(Exception):
    """A failed engine call, already explained: the message says what to do next."""


class StackEngine(Protocol):
    """What the orchestrator needs from Pulumi, one layer's stack at a time."""

    def state(self, layer: str, env: str) -> StackState:
        """Whether the stack exists, how many resources it holds, its last operation."""
        ...

    def up(
        self,
        layer: str,
        env: str,
        *,
        on_event: OnEvent,
        refresh: bool = False,
        targets: tuple[str, ...] | None = None,
    ) -> Changes:
        """Create the stack if needed and apply the program (`pulumi up`).

        `targets`: resource TYPES (e.g. `aws:rds/instance:Instance`); only the deployed resources
        of those types are updated (`pulumi up --target <urn>...`), nothing else - and nothing at
        all when the stack holds none of them. None updates the whole stack.
        """
        ...

    def preview(self, layer: str, env: str, *, on_event: OnEvent) -> Changes:
        """What `up` would change (`pulumi preview`)."""
        ...

    def pending_changes(self, layer: str, env: str, *, targets: tuple[str, ...]) -> dict[str, tuple[str, ...]]:
        """URN -> input properties an `up` targeted at these resource TYPES would change.

        A replacement is reported as `(replace)` besides its properties. Nothing is changed.
        """
        ...

    def refresh(self, layer: str, env: str, *, on_event: OnEvent) -> Changes:
        """Reconcile state with the cloud, clearing pending creates of an interrupted run."""
        ...

    def destroy(self, layer: str, env: str, *, on_event: OnEvent, remove: bool = False) -> Changes:
        """Delete every resource of the stack; `remove` also deletes the stack itself."""
        ...

    def cancel(self, layer: str, env: str) -> None:
        """Cancel the update running on the stack (`pulumi cancel`)."""
        ...

    def get_config(self, layer: str, env: str, key: str) -> str | None:
        """One config value (`<namespace>:<key>`) of the stack, None when unset."""
        ...

    def set_config(self, layer: str, env: str, key: str, value: str) -> None:
        """Set one plain config value (`pulumi config set`), written to `Pulumi.<env>.yaml`."""
        ...

    def remove_config(self, layer: str, env: str, key: str) -> None:
        """Remove one config value (`pulumi config rm`)."""
        ...

    def outputs(self, layer: str, env: str) -> dict[str, StackOutput]:
        """The stack's outputs (`pulumi stack output --json --show-secrets`)."""
        ...


# Backend -----------------------------------------------------------------------------------


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


# Errors -> what to do next -----------------------------------------------------------------

_CREDENTIALS = re.compile(
    r"ExpiredToken|InvalidClientTokenId|UnrecognizedClientException|SignatureDoesNotMatch|"
    r"no valid credential sources|NoCredentialProviders|security token included in the request is|"
    r"token has expired|failed to refresh cached credentials|InvalidGrantException",
    re.IGNORECASE,
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
    if _CREDENTIALS.search(text):
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


# Engine events -> one status line ----------------------------------------------------------


def describe_event(event: auto.EngineEvent) -> str | None:
    """A short status line for one engine event, or None for events not worth showing."""
    if event.resource_pre_event is not None:
        meta = event.resource_pre_event.metadata
        if meta.op in (auto.OpType.SAME, auto.OpType.READ) or meta.type == "pulumi:pulumi:Stack":
            return None
        return f"{meta.op.value} {meta.type} {meta.urn.rsplit('::', 1)[-1]}"
    if event.res_op_failed_event is not None:
        meta = event.res_op_failed_event.metadata
        return f"failed to {meta.op.value} {meta.urn.rsplit('::', 1)[-1]}"
    if event.diagnostic_event is not None and event.diagnostic_event.severity == "error":
        return f"error: {event.diagnostic_event.message.strip()}"
    if event.summary_event is not None:
        changes = Changes.from_op_map(event.summary_event.resource_changes)
        return f"done: +{changes.created} ~{changes.updated} -{changes.deleted}"
    return None


def _event_sink(on_event: OnEvent) -> Callable[[auto.EngineEvent], None]:
    def sink(event: auto.EngineEvent) -> None:
        line = describe_event(event)
        if line:
            on_event(line)

    return sink


# Targeted updates --------------------------------------------------------------------------


def target_urns(deployment: Mapping[str, Any], types: Iterable[str]) -> list[str]:
    """URNs of the live resources of `types` in an exported deployment (`pulumi stack export`).

    Resources pending deletion (the old half of a replacement) are left out: they are on their way out.
    """
    wanted = set(types)
    return [
        r["urn"]
        for r in deployment.get("resources") or []
        if r.get("type") in wanted and not r.get("delete") and r.get("urn")
    ]


# The real engine ---------------------------------------------------------------------------


class PulumiEngine:
    """`StackEngine` over the Automation API: one `LocalWorkspace` per project folder."""

    def __init__(self, backend: Backend, projects_dir: Path = PROJECTS_DIR) -> None:
        self.backend = backend
        self.projects_dir = projects_dir
        self._lock = threading.Lock()
        self._command: auto.PulumiCommand | None = None
        self._workspaces: dict[str, auto.LocalWorkspace] = {}

    def _workspace(self, layer: str) -> auto.LocalWorkspace:
        with self._lock:
            if self._command is None:
                # Runs `pulumi version` once: FileNotFoundError here means no CLI.
                self._command = auto.PulumiCommand()
                if self.backend.url.startswith("file://"):
                    Path(self.backend.url[len("file://") :]).mkdir(parents=True, exist_ok=True)
            if layer not in self._workspaces:
                opts = workspace_options(layer, self.backend, self.projects_dir)
                self._workspaces[layer] = auto.LocalWorkspace(
                    work_dir=opts.work_dir,
                    env_vars=opts.env_vars,
                    secrets_provider=opts.secrets_provider,
                    pulumi_command=self._command,
                )
            return self._workspaces[layer]

    @contextmanager
    def _explained(self, layer: str, env: str, op: str) -> Iterator[None]:
        try:
            yield
        except EngineError:
            raise
        except Exception as e:
            raise EngineError(explain(e, layer=layer, env=env, op=op)) from e

    def _stack(self, layer: str, env: str, *, create: bool = False) -> auto.Stack:
        ws = self._workspace(layer)
        return auto.Stack.create_or_select(env, ws) if create else auto.Stack.select(env, ws)

    def state(self, layer: str, env: str) -> StackState:
        with self._explained(layer, env, "stack ls"):
            summary = next((s for s in self._workspace(layer).list_stacks() if s.name.rsplit("/", 1)[-1] == env), None)
            if summary is None:
                return StackState(exists=False)
            history = self._stack(layer, env).history(page_size=1, show_secrets=False)
            last = history[0] if history else None
            return StackState(
                exists=True,
                resource_count=summary.resource_count,
                last_update=(last.end_time or last.start_time) if last else summary.last_update,
                last_kind=last.kind if last else None,
                last_result=last.result if last else None,
                update_in_progress=bool(summary.update_in_progress),
            )

    def up(
        self,
        layer: str,
        env: str,
        *,
        on_event: OnEvent,
        refresh: bool = False,
        targets: tuple[str, ...] | None = None,
    ) -> Changes:
        with self._explained(layer, env, "up"):
            stack = self._stack(layer, env, create=targets is None)
            urns: list[str] | None = None
            if targets is not None:
                urns = target_urns(stack.export_stack().deployment or {}, targets)
                if not urns:
                    # An empty target list would mean "everything" to the CLI: never that.
                    on_event(f"nothing to update: no {', '.join(targets)} in the stack")
                    return Changes()
            result = stack.up(
                on_event=_event_sink(on_event),
                refresh=refresh or None,
                target=urns,
                target_dependents=False,  # exactly the targets, never what depends on them
                color="never",
            )
            return Changes.from_op_map(result.summary.resource_changes)

    def preview(self, layer: str, env: str, *, on_event: OnEvent) -> Changes:
        # The stack is created if missing: previewing a first deploy needs one (it holds no resources).
        with self._explained(layer, env, "preview"):
            result = self._stack(layer, env, create=True).preview(on_event=_event_sink(on_event), color="never")
            return Changes.from_op_map(result.change_summary)

    def pending_changes(self, layer: str, env: str, *, targets: tuple[str, ...]) -> dict[str, tuple[str, ...]]:
        with self._explained(layer, env, "preview"):
            stack = self._stack(layer, env)
            urns = target_urns(stack.export_stack().deployment or {}, targets)
            if not urns:
                return {}
            found: dict[str, tuple[str, ...]] = {}

            def collect(event: auto.EngineEvent) -> None:
                pre = event.resource_pre_event
                if pre is None or pre.metadata.op in (auto.OpType.SAME, auto.OpType.READ):
                    return
                meta = pre.metadata
                replaced = meta.op in (auto.OpType.REPLACE, auto.OpType.CREATE_REPLACEMENT)
                found[meta.urn] = (*sorted(meta.diffs or ()), *(("(replace)",) if replaced else ()))

            stack.preview(target=urns, target_dependents=False, on_event=collect, color="never")
            return found

    def refresh(self, layer: str, env: str, *, on_event: OnEvent) -> Changes:
        with self._explained(layer, env, "refresh"):
            result = self._stack(layer, env).refresh(
                on_event=_event_sink(on_event), clear_pending_creates=True, color="never"
            )
            return Changes.from_op_map(result.summary.resource_changes)

    def destroy(self, layer: str, env: str, *, on_event: OnEvent, remove: bool = False) -> Changes:
        with self._explained(layer, env, "destroy"):
            result = self._stack(layer, env).destroy(
                on_event=_event_sink(on_event), remove=remove or None, color="never"
            )
            return Changes.from_op_map(result.summary.resource_changes)

    def cancel(self, layer: str, env: str) -> None:
        with self._explained(layer, env, "cancel"):
            self._stack(layer, env).cancel()

    def get_config(self, layer: str, env: str, key: str) -> str | None:
        with self._explained(layer, env, "config get"):
            config = self._stack(layer, env).get_all_config()
            return config[key].value if key in config else None

    def set_config(self, layer: str, env: str, key: str, value: str) -> None:
        with self._explained(layer, env, "config set"):
            self._stack(layer, env).set_config(key, auto.ConfigValue(value=value))

    def remove_config(self, layer: str, env: str, key: str) -> None:
        with self._explained(layer, env, "config rm"):
            self._stack(layer, env).remove_config(key)

    def outputs(self, layer: str, env: str) -> dict[str, StackOutput]:
        with self._explained(layer, env, "stack output"):
            return {name: StackOutput(out.value, out.secret) for name, out in self._stack(layer, env).outputs().items()}
