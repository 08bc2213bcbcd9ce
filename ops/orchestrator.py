"""Deploy, preview and tear down the layers in graph order over a `StackEngine` (SPEC §6).

Plain Python with no Pulumi CLI behind it: the engine is injected (`ops.automation.PulumiEngine`
for real, a recording fake in tests), so the ordering, the failure rules and the teardown
policy are tested here, offline.

- Deploy: a layer starts as soon as every layer it depends on is deployed, so independent layers
  (data and edge) run at the same time, at most `max_parallel` at once. A failed layer stops
  the layers that depend on it; the others finish.
- Teardown: the reverse. A layer is destroyed only once nothing that depends on it exists; before
  `destroy`, the layer's `teardown_config` flips (deletion protection off) are set and applied by
  an `up` targeted at its `teardown_targets` resources alone, and restored afterwards so the
  stack file in git keeps its values. A targeted preview runs first: if those resources would
  change in anything but `teardown_properties` (undeployed code), teardown stops before any
  change. A failure after the flip says that protection is off on the live resources and how to
  turn it back on.
- Prod is torn down only with `--yes` and the environment name confirmed, and keeps its final
  database snapshot (no flip may skip it).
"""

from __future__ import annotations

import difflib
import re
import time
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Protocol

import yaml

from ops.automation import Changes, EngineError, StackEngine, StackOutput, StackState
from ops.stack_config import (
    PROJECTS_DIR,
    StackConfigError,
    as_config_string,
    layer_exists,
    project_dir,
    project_file,
    settings_model,
)
from shared.environments import PROTECTED_ENVS
from shared.layers import LAYER_NAMES, deploy_order, downstream, get_layer, teardown_order, upstream
from shared.naming import ENV_PATTERN
from shared.settings import ConfigError, parse_settings

Action = Literal["deploy", "preview", "destroy"]
Result = Literal[
    "deployed", "previewed", "destroyed", "not deployed", "failed", "skipped", "upstream not deployed", "not built"
]

# Results after which the next layer may go ahead (its upstream, or for teardown its dependent, is settled).
_DEPLOY_OK: frozenset[str] = frozenset({"deployed"})
_TEARDOWN_OK: frozenset[str] = frozenset({"destroyed", "not deployed", "not built"})

# Settings teardown must never flip in a protected environment: prod keeps its final snapshot.
_KEEP_IN_PROTECTED = re.compile(r"finalsnapshot", re.IGNORECASE)

EPHEMERAL_MARKER = "# Ephemeral environment:"
EPHEMERAL_DIR = ".ephemeral"  # under projects/: one marker file per ephemeral environment


@dataclass(frozen=True)
class Outcome:
    """What happened to one layer, and for anything but success, why and what to do next."""

    layer: str
    result: Result
    changes: Changes = field(default_factory=Changes)
    duration: float = 0.0
    reason: str = ""
    next_step: str = ""


@dataclass(frozen=True)
class RunReport:
    """Every selected layer's outcome, in graph order."""

    action: Action
    env: str
    outcomes: tuple[Outcome, ...]

    def outcome(self, layer: str) -> Outcome:
        """The outcome of one layer."""
        return next(o for o in self.outcomes if o.layer == layer)

    @property
    def failed(self) -> tuple[str, ...]:
        """Layers whose operation failed."""
        return tuple(o.layer for o in self.outcomes if o.result == "failed")

    @property
    def skipped(self) -> tuple[str, ...]:
        """Layers not attempted because of another layer (failed, not built, not deployed)."""
        return tuple(o.layer for o in self.outcomes if o.result in ("skipped", "upstream not deployed"))

    @property
    def ok(self) -> bool:
        """Nothing failed and nothing was held back."""
        return not self.failed and not self.skipped


class Reporter(Protocol):
    """Receives progress as layers run (called from worker threads)."""

    def started(self, layer: str, what: str) -> None:
        """A layer's operation began; `what` is e.g. "deploying"."""
        ...

    def event(self, layer: str, text: str) -> None:
        """One engine event of a running layer, already a short line."""
        ...

    def finished(self, outcome: Outcome) -> None:
        """A layer reached its outcome (including skipped ones, which never started)."""
        ...


class SilentReporter:
    """A `Reporter` that shows nothing."""

    def started(self, layer: str, what: str) -> None:
        """Ignore."""

    def event(self, layer: str, text: str) -> None:
        """Ignore."""

    def finished(self, outcome: Outcome) -> None:
        """Ignore."""


# Policy ------------------------------------------------------------------------------------


class LayerFailed(EngineError):
    """A layer failed in a way the generic "fix it and run again" does not cover; `next_step` says what to do."""

    def __init__(self, reason: str, next_step: str) -> None:
        super().__init__(reason)
        self.next_step = next_step


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

    Exactly the layer's own `teardown_config` (it lifts protection on what this stack owns);
    in a protected environment, never a flip that would skip the final snapshot.
    """
    flips = get_layer(layer).teardown_config
    if env in PROTECTED_ENVS:
        flips = tuple((k, v) for k, v in flips if not _KEEP_IN_PROTECTED.search(k))
    return tuple((f"{layer}:{key}", value) for key, value in flips)


# Ephemeral environments --------------------------------------------------------------------


class EphemeralEnvError(ValueError):
    """An ephemeral environment cannot be created or removed as asked."""


def _stack_file(layer: str, env: str, projects_dir: Path) -> Path:
    return project_dir(layer, projects_dir) / f"Pulumi.{env}.yaml"


def _marker(env: str, projects_dir: Path) -> Path:
    # Kept outside the stack files: Pulumi rewrites those (encryption salt, config set) and may drop comments.
    return projects_dir / EPHEMERAL_DIR / f"{env}.yaml"


def _config_of(path: Path) -> dict[str, Any]:
    return dict((yaml.safe_load(path.read_text()) or {}).get("config") or {})


def is_ephemeral(env: str, projects_dir: Path = PROJECTS_DIR) -> bool:
    """Whether `env` was created by `create_ephemeral` (so teardown may remove its stacks and files)."""
    return _marker(env, projects_dir).is_file()


# The only `aws:` key the programs read (as `StackSettings.region`); other provider keys stay out of --set.
_AWS_KEYS: tuple[str, ...] = ("region",)
_OVERRIDE = re.compile(r"^(?P<ns>[A-Za-z0-9_-]+):(?P<key>[A-Za-z][A-Za-z0-9_]*)=(?P<value>.*)$", re.DOTALL)
DOMAIN_KEY = "edge:domainName"


def parse_overrides(items: Iterable[str]) -> dict[str, Any]:
    """`["edge:domainName=pr42.ci.example.com", ...]` -> `{"edge:domainName": "pr42.ci.example.com"}`.

    Values are YAML as in a stack file (`true` is a boolean, `[a, b]` or `["a","b"]` a list, `5`
    an integer); an empty value is the empty string. The same key given twice must agree.
    """
    parsed: dict[str, Any] = {}
    for item in items:
        m = _OVERRIDE.match(item)
        if not m:
            raise EphemeralEnvError(
                f"--set {item!r} is malformed: expected LAYER:KEY=VALUE, e.g. edge:domainName=pr42.ci.example.com"
            )
        try:
            value = yaml.safe_load(m["value"]) if m["value"].strip() else ""
        except yaml.YAMLError:
            raise EphemeralEnvError(f"--set {item!r}: the value is not valid YAML") from None
        full = f"{m['ns']}:{m['key']}"
        if full in parsed and parsed[full] != value:
            raise EphemeralEnvError(f"--set {full} is given twice with different values: give it once")
        parsed[full] = value
    return parsed


def _declared(layer: str, projects_dir: Path) -> dict[str, Any]:
    """The `config` declarations of the layer's `Pulumi.yaml`."""
    try:
        return dict(project_file(layer, projects_dir).get("config") or {})
    except StackConfigError as e:
        raise EphemeralEnvError(str(e)) from None


def _check_override_keys(overrides: Mapping[str, Any], built: list[str], projects_dir: Path) -> None:
    """Every override names a built layer (or `aws`) and a key that layer's `Pulumi.yaml` declares."""
    for full in overrides:
        ns, _, key = full.partition(":")
        if ns == "aws":
            known: tuple[str, ...] = _AWS_KEYS
        elif ns in built:
            known = tuple(_declared(ns, projects_dir))
        else:
            raise EphemeralEnvError(
                f"--set {full}: {ns!r} is not a built layer: expected one of {', '.join([*built, 'aws'])}"
            )
        if key not in known:
            hint = difflib.get_close_matches(key, known, n=1)
            raise EphemeralEnvError(
                f"--set {full}: {ns} has no setting {key!r}"
                + (f" (did you mean {ns}:{hint[0]}?)" if hint else f"; known: {', '.join(known) or 'none'}")
            )


def _layer_overrides(layer: str, overrides: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in overrides.items() if k.partition(":")[0] in (layer, "aws")}


def _merged_values(layer: str, config: Mapping[str, Any], projects_dir: Path) -> dict[str, str]:
    """What the CLI would hand the program: project defaults, then the stack's config, as strings."""
    values = {
        f"{layer}:{key}": as_config_string(decl["default"])
        for key, decl in _declared(layer, projects_dir).items()
        if isinstance(decl, dict) and "default" in decl
    }
    values.update({(k if ":" in k else f"{layer}:{k}"): as_config_string(v) for k, v in config.items()})
    return values


def _check_domain(
    env: str, source: str, source_edge: Mapping[str, Any], overrides: Mapping[str, Any], projects_dir: Path
) -> None:
    """An ephemeral edge stack must not create a second zone and certificate for the source's domain."""
    source_domain = _merged_values("edge", source_edge, projects_dir).get(DOMAIN_KEY, "")
    if not source_domain:
        return
    example = f"--set edge:domainName={env}.ci.payments.example.com --set edge:hostedZoneId=Z0123456789ABCDEFGHIJ"
    if DOMAIN_KEY not in overrides:
        raise EphemeralEnvError(
            f"an ephemeral environment needs its own domain ({source} uses {source_domain}, whose zone and "
            f"certificate it would duplicate): pass e.g. {example}"
        )
    if as_config_string(overrides[DOMAIN_KEY]) == source_domain:
        raise EphemeralEnvError(f"--set {DOMAIN_KEY} must differ from {source}'s {source_domain}: pass e.g. {example}")


def _validate(layer: str, env: str, config: Mapping[str, Any], projects_dir: Path) -> None:
    """The layer's settings model accepts the new stack's config, or one line per bad key."""
    try:
        parse_settings(settings_model(layer), _merged_values(layer, config, projects_dir), namespace=layer, env=env)
    except ConfigError as e:
        raise EphemeralEnvError(f"cannot create {env!r}: " + "; ".join(str(e).splitlines())) from None


def create_ephemeral(
    env: str, source: str, projects_dir: Path = PROJECTS_DIR, *, overrides: Mapping[str, Any] | None = None
) -> list[Path]:
    """Write `Pulumi.<env>.yaml` in every built layer with `source`'s settings; return the files.

    Only the `config` map is copied: encryption salts and keys belong to the source stack, and
    secret values cannot move with them, so a source with secret config is refused. `overrides`
    (`{"<layer|aws>:<key>": value}`, see `parse_overrides`) are applied on top; each must be a
    key the layer declares, and every layer they touch must pass its settings model, all before
    any file is written. Unless the source has no domain, `edge:domainName` must be overridden:
    a copy of it would make a second zone and certificate for the source's domain. Running it
    again with the same source and overrides keeps the files (and what Pulumi added to them), so
    a CI job can retry.
    """
    if not ENV_PATTERN.match(env):
        raise EphemeralEnvError(
            f"environment name {env!r} is invalid: expected 2-10 lowercase letters or digits starting with a letter"
        )
    if env in PROTECTED_ENVS:
        raise EphemeralEnvError(f"{env!r} cannot be an ephemeral environment: choose another name, e.g. pr42")
    overrides = dict(overrides or {})
    built = [n for n in LAYER_NAMES if layer_exists(n, projects_dir)]
    _check_override_keys(overrides, built, projects_dir)
    ours = is_ephemeral(env, projects_dir)
    plans: list[tuple[Path, dict[str, Any]]] = []
    for layer in built:
        src = _stack_file(layer, source, projects_dir)
        if not src.is_file():
            raise EphemeralEnvError(f"cannot copy {source!r}: projects/{layer} has no Pulumi.{source}.yaml")
        config = _config_of(src)
        secret = sorted(k for k, v in config.items() if isinstance(v, dict) and "secure" in v)
        if secret:
            raise EphemeralEnvError(
                f"cannot copy {source!r}: projects/{layer} holds secret config ({', '.join(secret)}) "
                f"that only {source}'s stack can decrypt; set it on the new stack with `pulumi config set --secret`"
            )
        if layer == "edge":
            _check_domain(env, source, config, overrides, projects_dir)
        mine = _layer_overrides(layer, overrides)
        for full, value in mine.items():
            config.pop(full.partition(":")[2], None)  # a bare key in the source file is the same setting
            config[full] = value
        if mine:
            _validate(layer, env, config, projects_dir)
        dst = _stack_file(layer, env, projects_dir)
        if dst.is_file() and not (ours and _config_of(dst) == config):
            raise EphemeralEnvError(
                f"environment {env!r} already exists (projects/{layer}/Pulumi.{env}.yaml)"
                + (" with other settings" if ours else "")
                + ": choose a new name, or deploy it without --from"
            )
        plans.append((dst, config))
    sets = "".join(f" --set {k}={as_config_string(v)}" for k, v in sorted(overrides.items()))
    for dst, config in plans:
        if not dst.is_file():
            dst.write_text(
                f"{EPHEMERAL_MARKER} copied from {source} by `invoke deploy-all --env {env} --from {source}{sets}`;\n"
                f"# `invoke destroy-all --env {env}` destroys its stacks and deletes this file.\n"
                + yaml.safe_dump({"config": config}, sort_keys=True, default_flow_style=None)
            )
    marker = _marker(env, projects_dir)
    marker.parent.mkdir(exist_ok=True)
    marker.write_text(yaml.safe_dump({"environment": env, "source": source}, sort_keys=True))
    return [dst for dst, _ in plans]


def remove_ephemeral(env: str, projects_dir: Path = PROJECTS_DIR) -> list[Path]:
    """Delete an ephemeral environment's stack files and marker (nothing for any other environment)."""
    if not is_ephemeral(env, projects_dir):
        return []
    removed = []
    for layer in LAYER_NAMES:
        path = _stack_file(layer, env, projects_dir)
        if path.is_file():
            path.unlink()
            removed.append(path)
    _marker(env, projects_dir).unlink()
    return removed


# Scheduling --------------------------------------------------------------------------------


def _elapsed(start: float) -> float:
    return round(time.monotonic() - start, 1)


class Orchestrator:
    """Runs an action over the layers of one environment, in graph order, with bounded concurrency."""

    def __init__(
        self,
        engine: StackEngine,
        *,
        reporter: Reporter | None = None,
        max_parallel: int = 2,
        projects_dir: Path = PROJECTS_DIR,
    ) -> None:
        if max_parallel < 1:
            raise ValueError("max_parallel must be at least 1")
        self.engine = engine
        self.reporter = reporter or SilentReporter()
        self.max_parallel = max_parallel
        self.projects_dir = projects_dir

    # The one scheduler -------------------------------------------------------------------

    def _schedule(
        self,
        order: list[str],
        waits_for: Mapping[str, Iterable[str]],
        ok: frozenset[str],
        work: Callable[[str], Outcome],
        blocked: Callable[[str, list[tuple[str, Outcome]]], Outcome],
    ) -> dict[str, Outcome]:
        """Start each layer once everything it waits for is settled `ok`; block it if any is not."""
        done: dict[str, Outcome] = {}
        pending = list(order)
        running: dict[Future[Outcome], str] = {}
        with ThreadPoolExecutor(max_workers=self.max_parallel) as pool:
            while pending or running:
                for layer in list(pending):
                    deps = [d for d in waits_for[layer]]
                    if not all(d in done for d in deps):
                        continue
                    pending.remove(layer)
                    bad = [(d, done[d]) for d in deps if done[d].result not in ok]
                    if bad:
                        done[layer] = blocked(layer, bad)
                        self.reporter.finished(done[layer])
                    else:
                        running[pool.submit(self._guarded, layer, work)] = layer
                if not running:
                    continue
                finished, _ = wait(running, return_when=FIRST_COMPLETED)
                for fut in finished:
                    layer = running.pop(fut)
                    done[layer] = fut.result()
                    self.reporter.finished(done[layer])
        return done

    def _guarded(self, layer: str, work: Callable[[str], Outcome]) -> Outcome:
        """Run one layer's work; any error becomes a failed outcome with its one-line message."""
        start = time.monotonic()
        try:
            return work(layer)
        except EngineError as e:
            next_step = e.next_step if isinstance(e, LayerFailed) else ""
            return Outcome(layer, "failed", duration=_elapsed(start), reason=str(e), next_step=next_step)
        except Exception as e:  # a bug must not take the other layers down with a traceback
            return Outcome(layer, "failed", duration=_elapsed(start), reason=f"{type(e).__name__}: {e}")

    def _sink(self, layer: str) -> Callable[[str], None]:
        return lambda text: self.reporter.event(layer, text)

    def _report(self, action: Action, env: str, order: list[str], done: Mapping[str, Outcome]) -> RunReport:
        return RunReport(action, env, tuple(done[n] for n in order))

    def _not_built(self, layer: str) -> Outcome | None:
        if layer_exists(layer, self.projects_dir):
            return None
        return Outcome(
            layer, "not built", reason=f"projects/{layer} has no program yet", next_step="nothing to do until it exists"
        )

    def _missing_upstream(self, layer: str, env: str, settled: Iterable[str] = ()) -> list[str]:
        """Upstream layers (outside `settled`) whose stack holds no resources in `env`."""
        return [u for u in upstream(layer) if u not in settled and not self.engine.state(u, env).deployed]

    # Deploy ------------------------------------------------------------------------------

    def deploy(self, env: str, layers: Iterable[str] | None = None, *, refresh: bool = False) -> RunReport:
        """Deploy `layers` (default: all) in graph order; upstream layers outside the selection must exist."""
        order = deploy_order(layers)
        chosen = set(order)

        def work(layer: str) -> Outcome:
            start = time.monotonic()
            if (nb := self._not_built(layer)) is not None:
                return nb
            missing = self._missing_upstream(layer, env, settled=chosen)
            if missing:
                return Outcome(
                    layer,
                    "upstream not deployed",
                    reason=f"upstream not deployed in {env}: {', '.join(missing)}",
                    next_step=f"deploy them first: `invoke deploy-all --env {env}`",
                )
            self.reporter.started(layer, "deploying")
            if refresh and self.engine.state(layer, env).exists:
                self.engine.refresh(layer, env, on_event=self._sink(layer))
            changes = self.engine.up(layer, env, on_event=self._sink(layer), refresh=False)
            return Outcome(layer, "deployed", changes, _elapsed(start))

        def blocked(layer: str, bad: list[tuple[str, Outcome]]) -> Outcome:
            return Outcome(
                layer,
                "skipped",
                reason="; ".join(f"upstream {d} {o.result}" for d, o in bad),
                next_step=f"fix {', '.join(d for d, _ in bad)}, then run `invoke deploy-all --env {env}` again",
            )

        waits = {n: [u for u in upstream(n) if u in chosen] for n in order}
        done = self._schedule(order, waits, _DEPLOY_OK, work, blocked)
        return self._report("deploy", env, order, self._with_failure_hints(done, "deploy", env))

    def _with_failure_hints(self, done: dict[str, Outcome], action: str, env: str) -> dict[str, Outcome]:
        for layer, o in done.items():
            if o.result == "failed" and not o.next_step:
                done[layer] = Outcome(
                    o.layer,
                    o.result,
                    o.changes,
                    o.duration,
                    o.reason,
                    next_step=f"fix the cause above, then `invoke {action} --layer {layer} --env {env}`",
                )
        return done

    # Preview -----------------------------------------------------------------------------

    def preview(self, env: str, layers: Iterable[str] | None = None) -> RunReport:
        """Preview `layers` (default: all) against what is deployed; each needs its upstream stacks to exist."""
        order = deploy_order(layers)

        def work(layer: str) -> Outcome:
            start = time.monotonic()
            if (nb := self._not_built(layer)) is not None:
                return nb
            missing = self._missing_upstream(layer, env)
            if missing:
                return Outcome(
                    layer,
                    "upstream not deployed",
                    reason=f"upstream not deployed in {env}: {', '.join(missing)}",
                    next_step=(
                        f"`invoke plan --env {env}` shows the whole platform offline; "
                        f"deploy {', '.join(missing)} to preview against the cloud"
                    ),
                )
            self.reporter.started(layer, "previewing")
            changes = self.engine.preview(layer, env, on_event=self._sink(layer))
            return Outcome(layer, "previewed", changes, _elapsed(start))

        # Previews change nothing, so none waits for another (the engine reads deployed upstreams).
        done = self._schedule(order, {n: [] for n in order}, _DEPLOY_OK, work, _never_blocked)
        return self._report("preview", env, order, self._with_failure_hints(done, "preview", env))

    # Teardown ----------------------------------------------------------------------------

    def destroy(self, env: str, layers: Iterable[str] | None = None, *, remove_stacks: bool = False) -> RunReport:
        """Destroy `layers` (default: all), dependents first; a layer still depended on is never destroyed.

        `remove_stacks` also deletes the stacks (history and config) - for ephemeral environments.
        """
        order = teardown_order(layers)
        chosen = set(order)

        def work(layer: str) -> Outcome:
            start = time.monotonic()
            if (nb := self._not_built(layer)) is not None:
                return nb
            # Dependents outside this run must be gone too (those inside it settled before we started).
            alive = [
                d
                for d in downstream(layer)
                if d not in chosen and layer_exists(d, self.projects_dir) and self.engine.state(d, env).deployed
            ]
            if alive:
                return Outcome(
                    layer,
                    "skipped",
                    reason=f"still used by {', '.join(alive)}, which is deployed in {env}",
                    next_step=f"destroy {', '.join(alive)} first, or run `invoke destroy-all --env {env}`",
                )
            state = self.engine.state(layer, env)
            if not state.exists:
                return Outcome(layer, "not deployed", duration=_elapsed(start), reason=f"no {env} stack")
            self.reporter.started(layer, "destroying")
            if not state.deployed:
                # Already empty: no protection to lift (an `up` here would recreate everything).
                if not remove_stacks:
                    return Outcome(layer, "not deployed", duration=_elapsed(start), reason="stack holds no resources")
                changes = self.engine.destroy(layer, env, on_event=self._sink(layer), remove=True)
            else:
                changes = self._lift_protection_and_destroy(layer, env, remove_stacks)
            return Outcome(layer, "destroyed", changes, _elapsed(start))

        def blocked(layer: str, bad: list[tuple[str, Outcome]]) -> Outcome:
            return Outcome(
                layer,
                "skipped",
                reason="; ".join(f"still used by {d} ({o.result})" for d, o in bad),
                next_step=f"destroy {', '.join(d for d, _ in bad)} first, then `invoke destroy-all --env {env}` again",
            )

        waits = {n: [d for d in downstream(n) if d in chosen] for n in order}
        done = self._schedule(order, waits, _TEARDOWN_OK, work, blocked)
        return self._report("destroy", env, order, self._with_failure_hints(done, "destroy", env))

    def _lift_protection_and_destroy(self, layer: str, env: str, remove: bool) -> Changes:
        """Apply the layer's flips to its protected resources alone, then destroy the stack.

        The flip is a targeted `up` of the layer's `teardown_targets` types: a full `up` would also
        apply every committed-but-undeployed change of the layer right before the destroy.
        """
        flips = teardown_flips(layer, env)
        targets = get_layer(layer).teardown_targets
        if flips and not targets:
            raise EngineError(
                f"{layer} has teardown_config but no teardown_targets in shared/layers.py: "
                "name the resource types the flip must update"
            )
        before = {key: self.engine.get_config(layer, env, key) for key, _ in flips}
        removed = False
        flipping = applied = False
        try:
            if flips:
                for key, value in flips:
                    self.engine.set_config(layer, env, key, value)
                self.reporter.event(
                    layer,
                    "lifting deletion protection: "
                    + ", ".join(k for k, _ in flips)
                    + f" (update of {', '.join(targets)} only)",
                )
                self._refuse_undeployed_changes(layer, env, targets)
                flipping = True
                self.engine.up(layer, env, on_event=self._sink(layer), targets=targets)
                applied = True
            changes = self.engine.destroy(layer, env, on_event=self._sink(layer), remove=remove)
            removed = remove
            return changes
        except Exception as e:
            if not flipping:
                raise
            reason = str(e) if isinstance(e, EngineError) else f"{type(e).__name__}: {e}"
            state = "is OFF" if applied else "may be OFF"
            raise LayerFailed(
                reason,
                f"deletion protection {state} on the live {', '.join(targets)} of {layer} in {env} "
                f"(the stack file keeps it on): restore it with `invoke deploy --layer {layer} --env {env}`, "
                f"or fix the cause above and `invoke destroy --layer {layer} --env {env}` again",
            ) from e
        finally:
            # The stack file in git keeps its protected values (a later deploy re-protects);
            # a removed stack took its file with it.
            if not removed:
                for key, old in before.items():
                    if old is None:
                        self.engine.remove_config(layer, env, key)
                    else:
                        self.engine.set_config(layer, env, key, old)

    def _refuse_undeployed_changes(self, layer: str, env: str, targets: tuple[str, ...]) -> None:
        """Stop the teardown if the flip would also ship something other than the protection switch.

        A targeted `up` applies every current input of its targets: an instance class or engine
        version committed but never deployed would go out right before the destroy.
        """
        allowed = set(get_layer(layer).teardown_properties)
        pending = self.engine.pending_changes(layer, env, targets=targets)
        extra = {urn: [p for p in props if p not in allowed] for urn, props in sorted(pending.items())}
        extra = {urn: props for urn, props in extra.items() if props}
        if extra:
            what = "; ".join(f"{urn.rsplit('::', 1)[-1]}: {', '.join(props)}" for urn, props in extra.items())
            raise LayerFailed(
                f"teardown stopped before any change: {layer} has undeployed changes "
                f"besides deletion protection ({what})",
                f"deploy them first (`invoke deploy --layer {layer} --env {env}`) or revert them in code, "
                f"then `invoke destroy --layer {layer} --env {env}` again",
            )

    # Read-only ---------------------------------------------------------------------------

    def status(self, env: str) -> dict[str, StackState | None]:
        """Each layer's stack state in `env`; None for a layer not built yet."""
        return {n: (self.engine.state(n, env) if layer_exists(n, self.projects_dir) else None) for n in LAYER_NAMES}

    def outputs(self, env: str) -> dict[str, StackOutput]:
        """Every deployed layer's outputs merged into one mapping (output names are unique across contracts)."""
        merged: dict[str, StackOutput] = {}
        owner: dict[str, str] = {}
        for layer in LAYER_NAMES:
            if not layer_exists(layer, self.projects_dir) or not self.engine.state(layer, env).exists:
                continue
            for name, out in self.engine.outputs(layer, env).items():
                if name in owner:
                    raise EngineError(
                        f"output {name!r} is exported by both {owner[name]} and {layer}: rename one contract field"
                    )
                owner[name] = layer
                merged[name] = out
        return merged


def _never_blocked(layer: str, bad: list[tuple[str, Outcome]]) -> Outcome:  # pragma: no cover - no waits
    raise AssertionError(f"{layer} waited on {bad}")


def plain_outputs(outputs: Mapping[str, StackOutput], *, show_secrets: bool) -> dict[str, Any]:
    """Output values for printing: secrets masked unless asked for."""
    return {k: (o.value if show_secrets or not o.secret else "[secret]") for k, o in sorted(outputs.items())}
