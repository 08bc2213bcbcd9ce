"""The real `StackEngine`: the Pulumi Automation API, one `LocalWorkspace` per project folder.

It drives each layer's project folder (`projects/<layer>/`) exactly as `pulumi up -s <env>` in that folder
would, so a team can keep using the plain CLI on its own layer. It needs the Pulumi CLI on PATH; nothing
else in `ops/` does, which is why the orchestration is tested with a fake engine and this module stays thin.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from pulumi import automation as auto

from ops.environment.stack_files import PROJECTS_DIR
from ops.stacks.backend import SECRETS_PROVIDER_VAR, Backend, workspace_options
from ops.stacks.drift_events import REFRESH_PREVIEW, DriftCollector
from ops.stacks.engine import Changes, Drift, EngineError, OnEvent, StackOutput, StackState
from ops.stacks.errors import explain
from ops.stacks.events import _event_sink


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


def keep_secrets_provider(ws: Any, env: str, wanted: str | None) -> None:
    """Make an existing stack open with the KMS secrets provider it was created with.

    `pulumi stack init --secrets-provider` records the provider and its encrypted data key in
    `Pulumi.<env>.yaml`; a fresh CI checkout whose stack file never had them committed would
    fall back to a passphrase (possibly empty) on `select`. The same two values are kept in the
    stack's state (`secrets_providers`), so they are copied from there into the stack file's
    settings, leaving its config untouched. A stack made with another provider is refused in one
    line rather than silently re-keyed.
    """
    if not wanted:
        return
    settings = ws.stack_settings(env)
    if settings.secrets_provider:
        if settings.secrets_provider != wanted:
            raise EngineError(
                f"stack {env} in {ws.work_dir} uses secrets provider {settings.secrets_provider}, but "
                f"{SECRETS_PROVIDER_VAR} is {wanted}: unset it, or move the stack with "
                f"`pulumi stack change-secrets-provider {wanted}`"
            )
        return
    state = (ws.export_stack(env).deployment or {}).get("secrets_providers") or {}
    url, key = (state.get("state") or {}).get("url"), (state.get("state") or {}).get("encryptedkey")
    if state.get("type") != "cloud" or not url or not key:
        return  # nothing recorded yet (a stack never deployed): the CLI uses the workspace's provider
    if url != wanted:
        raise EngineError(
            f"stack {env} in {ws.work_dir} was created with secrets provider {url}, but {SECRETS_PROVIDER_VAR} "
            f"is {wanted}: set {SECRETS_PROVIDER_VAR}={url}"
        )
    settings.secrets_provider, settings.encrypted_key = url, key
    ws.save_stack_settings(env, settings)


class PulumiEngine:
    """`StackEngine` over the Automation API: one `LocalWorkspace` per project folder."""

    def __init__(self, backend: Backend, projects_dir: Path = PROJECTS_DIR) -> None:
        self.backend = backend
        self.projects_dir = projects_dir
        self._lock = threading.Lock()
        self._command: auto.PulumiCommand | None = None
        self._workspaces: dict[str, auto.LocalWorkspace] = {}
        self._providers_kept: set[tuple[str, str]] = set()

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
        stack = auto.Stack.create_or_select(env, ws) if create else auto.Stack.select(env, ws)
        if (layer, env) not in self._providers_kept:
            keep_secrets_provider(ws, env, self.backend.secrets_provider)
            self._providers_kept.add((layer, env))
        return stack

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

    def drift(self, layer: str, env: str, *, on_event: OnEvent) -> Drift:
        with self._explained(layer, env, REFRESH_PREVIEW):
            collect, show = DriftCollector(), _event_sink(on_event)

            def sink(event: auto.EngineEvent) -> None:
                collect(event)
                show(event)

            # `pulumi refresh --preview-only` (the SDK's `preview_refresh`): the providers read every
            # resource and the engine diffs it against the state as a dry run, so no checkpoint and no
            # history entry is written (a file/S3 backend only holds the stack's lock meanwhile). The
            # program does not run (no --run-program): the state and the cloud alone are compared.
            self._stack(layer, env).preview_refresh(on_event=sink, color="never")
            return collect.drift()
