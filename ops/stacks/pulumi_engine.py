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

import yaml
from pulumi import automation as auto

from ops.environment.stack_files import PROJECTS_DIR
from ops.stacks.backend import SECRETS_PROVIDER_VAR, Backend, workspace_options
from ops.stacks.drift_events import REFRESH_PREVIEW, DriftCollector
from ops.stacks.engine import Changes, Drift, EngineError, LastOperation, OnEvent, Preview, StackOutput, StackState
from ops.stacks.errors import explain
from ops.stacks.events import PreviewCollector, _event_sink
from ops.stacks.policy import PolicyPacks
from ops.stacks.state_names import stack_exists
from shared.layers import layer_names


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
    stack's state (`secrets_providers`), so they are appended from there to the stack file, as
    `stack init` writes them; the rest of the file stays byte for byte (a round trip through the
    SDK's `StackSettings` would drop list values and comments). A stack made with another
    provider is refused in one line rather than silently re-keyed.
    """
    if not wanted:
        return
    path = Path(ws.work_dir) / f"Pulumi.{env}.yaml"
    text = path.read_text() if path.is_file() else ""
    recorded = (yaml.safe_load(text) or {}).get("secretsprovider") if text.strip() else None
    if recorded:
        if recorded != wanted:
            raise EngineError(
                f"stack {env} in {ws.work_dir} uses secrets provider {recorded}, but "
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
    ending = "" if not text or text.endswith("\n") else "\n"
    path.write_text(f"{text}{ending}secretsprovider: {url}\nencryptedkey: {key}\n")


class PulumiEngine:
    """`StackEngine` over the Automation API: one `LocalWorkspace` per project folder.

    One engine serves one run of a task, so it remembers what the CLI already told it: each project's
    stack listing, each selected stack and its outputs, until an operation on that stack changes them.
    A no-op `deploy-all` then costs the updates themselves and a few reads, not hundreds of CLI calls.
    """

    def __init__(
        self, backend: Backend, projects_dir: Path = PROJECTS_DIR, *, policies: PolicyPacks | None = None
    ) -> None:
        self.backend = backend
        self.projects_dir = projects_dir
        # CrossGuard packs for previews (each deploy's first step); never for teardown.
        self.policies = policies or PolicyPacks()
        self._lock = threading.Lock()
        self._command: auto.PulumiCommand | None = None
        self._workspaces: dict[str, auto.LocalWorkspace] = {}
        self._providers_kept: set[tuple[str, str]] = set()
        # What the CLI answered, per layer or (layer, env), until an operation on that stack changes it.
        self._listings: dict[str, dict[str, auto.StackSummary]] = {}
        self._listed_all = threading.Lock()  # held by the first listing, which lists every project at once
        self._first_listing_done = False
        self._stacks: dict[tuple[str, str], auto.Stack] = {}
        self._outputs: dict[tuple[str, str], dict[str, StackOutput]] = {}
        self._named: dict[tuple[str, str], StackState] = {}  # stacks known by their names alone

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

    def _project(self, layer: str) -> str:
        """The Pulumi project name of a layer's folder (its `Pulumi.yaml`), as the backend names its stacks."""
        return self._workspace(layer).project_settings().name

    def _forget(self, layer: str, env: str, *, stack: bool = False) -> None:
        """Drop what an operation on the stack may have changed (its listing entry and outputs)."""
        with self._lock:
            self._listings.pop(layer, None)
            self._named.pop((layer, env), None)
            self._outputs.pop((layer, env), None)
            if stack:
                self._stacks.pop((layer, env), None)

    @contextmanager
    def _explained(self, layer: str, env: str, op: str) -> Iterator[None]:
        try:
            yield
        except EngineError:
            raise
        except Exception as e:
            raise EngineError(explain(e, layer=layer, env=env, op=op)) from e

    def _list_every_project(self) -> None:
        """One `pulumi stack ls --all` for every layer's listing, where the backend is a bucket or a folder.

        A self-managed backend names each stack `organization/<project>/<stack>` (those of the project
        the CLI runs in by their own name), so one call answers for the four projects: each listing
        costs a CLI start and a read of every checkpoint. On Pulumi Cloud `--all` would list every
        project of the organization: each layer lists its own. Anything unexpected (a team's role
        may not read the other layers' checkpoints) leaves the listings to each layer.
        """
        if self.backend.url.startswith(("https://", "http://")):
            return
        here = layer_names()[0]
        try:
            projects = {self._project(layer): layer for layer in layer_names()}
            summaries = self._workspace(here).list_stacks(include_all=True)
        except Exception:
            return
        found: dict[str, dict[str, auto.StackSummary]] = {layer: {} for layer in projects.values()}
        for summary in summaries:
            parts = summary.name.split("/")
            if len(parts) == 1:  # the CLI names the stacks of the project it runs in by their own name
                found[here][parts[0]] = summary
            elif len(parts) == 3:
                if parts[1] in projects:
                    found[projects[parts[1]]][parts[2]] = summary
            else:
                return
        with self._lock:
            for layer, listing in found.items():
                self._listings.setdefault(layer, listing)

    def _listing(self, layer: str) -> dict[str, auto.StackSummary]:
        with self._listed_all:
            if not self._first_listing_done:
                self._first_listing_done = True
                self._list_every_project()
        with self._lock:
            cached = self._listings.get(layer)
        if cached is None:
            cached = {s.name.rsplit("/", 1)[-1]: s for s in self._workspace(layer).list_stacks()}
            with self._lock:
                self._listings[layer] = cached
        return cached

    def _stack(self, layer: str, env: str, *, create: bool = False) -> auto.Stack:
        with self._lock:
            stack = self._stacks.get((layer, env))
        if stack is None:
            ws = self._workspace(layer)
            if create and env not in self._listing(layer):
                stack = auto.Stack.create(env, ws)
                self._forget(layer, env)
            else:
                stack = auto.Stack.select(env, ws)
            with self._lock:
                self._stacks[(layer, env)] = stack
        if (layer, env) not in self._providers_kept:
            keep_secrets_provider(self._workspace(layer), env, self.backend.secrets_provider)
            self._providers_kept.add((layer, env))
        return stack

    def state(self, layer: str, env: str) -> StackState:
        with self._explained(layer, env, "stack ls"):
            with self._lock:
                named = self._named.get((layer, env))
            if named is not None:
                return named
            try:
                listing = self._listing(layer)
            except Exception:
                # A team's role may not read another layer's checkpoints, which a listing reads; the
                # backend's object names still tell whether the stack exists (ops.stacks.state_names).
                exists = stack_exists(self.backend.url, self._project(layer), env)
                if exists is None:
                    raise
                with self._lock:
                    named = self._named[(layer, env)] = StackState(exists=exists)
                return named
            summary = listing.get(env)
            if summary is None:
                return StackState(exists=False)
            return StackState(
                exists=True,
                resource_count=summary.resource_count,
                last_update=summary.last_update,
                update_in_progress=bool(summary.update_in_progress),
            )

    def last_operation(self, layer: str, env: str) -> LastOperation | None:
        with self._explained(layer, env, "stack history"):
            history = self._stack(layer, env).history(page_size=1, show_secrets=False)
            if not history:
                return None
            last = history[0]
            return LastOperation(last.kind, last.result, last.end_time or last.start_time)

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
            try:
                # No policy pack here: the orchestrator's preview judged this very change just before,
                # and the pack costs a few seconds of every run (its own process and rules).
                result = stack.up(
                    on_event=_event_sink(on_event),
                    target=urns,
                    target_dependents=False,  # exactly the targets, never what depends on them
                    color="never",
                    # The SDK reads the history entry of the update afterwards: without secrets it
                    # needs no decryption (half the time with a passphrase), and we use only its counts.
                    show_secrets=False,
                )
            finally:
                self._forget(layer, env)
            with self._lock:
                # The SDK read the outputs right after the update: the next reader needs no CLI call.
                self._outputs[(layer, env)] = {n: StackOutput(o.value, o.secret) for n, o in result.outputs.items()}
            return Changes.from_op_map(result.summary.resource_changes)

    def preview(self, layer: str, env: str, *, on_event: OnEvent) -> Preview:
        # The stack is created if missing: previewing a first deploy needs one (it holds no resources).
        with self._explained(layer, env, "preview"):
            collect, show = PreviewCollector(), _event_sink(on_event, steps=False)

            def sink(event: auto.EngineEvent) -> None:
                collect(event)
                show(event)

            try:
                result = self._stack(layer, env, create=True).preview(
                    on_event=sink,
                    color="never",
                    policy_packs=list(self.policies.packs) or None,
                    policy_pack_configs=list(self.policies.configs) or None,
                )
            except auto.CommandError:
                if collect.mandatory:
                    broken = "; ".join(v.line() for v in collect.mandatory)
                    raise EngineError(f"stopped before any change by the policy pack: {broken}") from None
                raise
            return collect.preview(Changes.from_op_map(result.change_summary))

    def pending_changes(self, layer: str, env: str, *, targets: tuple[str, ...]) -> dict[str, tuple[str, ...]]:
        with self._explained(layer, env, "preview"):
            stack = self._stack(layer, env)
            urns = target_urns(stack.export_stack().deployment or {}, targets)
            if not urns:
                return {}
            collect = PreviewCollector()
            stack.preview(target=urns, target_dependents=False, on_event=collect, color="never")
            return {
                step.urn: (*sorted(step.diffs), *(("(replace)",) if step.replaces else ()))
                for step in collect.preview(Changes()).steps
            }

    def refresh(self, layer: str, env: str, *, on_event: OnEvent) -> Changes:
        with self._explained(layer, env, "refresh"):
            try:
                result = self._stack(layer, env).refresh(
                    on_event=_event_sink(on_event), clear_pending_creates=True, color="never"
                )
            finally:
                self._forget(layer, env)
            return Changes.from_op_map(result.summary.resource_changes)

    def destroy(self, layer: str, env: str, *, on_event: OnEvent, remove: bool = False) -> Changes:
        with self._explained(layer, env, "destroy"):
            try:
                result = self._stack(layer, env).destroy(
                    on_event=_event_sink(on_event), remove=remove or None, color="never"
                )
            finally:
                self._forget(layer, env, stack=remove)
            return Changes.from_op_map(result.summary.resource_changes)

    def cancel(self, layer: str, env: str) -> None:
        with self._explained(layer, env, "cancel"):
            try:
                self._stack(layer, env).cancel()
            finally:
                self._forget(layer, env)

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
        with self._lock:
            cached = self._outputs.get((layer, env))
        if cached is not None:
            return dict(cached)
        with self._explained(layer, env, "stack output"):
            found = {
                name: StackOutput(out.value, out.secret) for name, out in self._stack(layer, env).outputs().items()
            }
        with self._lock:
            self._outputs[(layer, env)] = found
        return dict(found)

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
