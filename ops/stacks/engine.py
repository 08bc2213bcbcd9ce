"""What the orchestration needs from Pulumi: the `StackEngine` protocol and the values it returns.

Everything above the seam works on this protocol; `ops.stacks.pulumi_engine.PulumiEngine` implements it over
the Automation API, and the tests use a recording fake.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol


def urn_name(urn: str) -> str:
    """A resource's logical name: the last part of its URN."""
    return urn.rsplit("::", 1)[-1]


@dataclass(frozen=True)
class StepEvent:
    """A resource step of an update, a refresh or a destroy starting, ending or failing (from the engine's events).

    `at` is when the tooling heard of it (`time.monotonic()`): the engine's own timestamps are whole seconds.
    """

    urn: str
    type: str
    op: str
    phase: str  # "start", "done" or "failed"
    at: float

    @property
    def name(self) -> str:
        """The resource's logical name, the last part of its URN."""
        return urn_name(self.urn)


# What the engine tells a running layer: a short line (a diagnostic, the summary) or a resource step.
EngineNote = str | StepEvent
OnEvent = Callable[[EngineNote], None]


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
    """Whether a layer's stack exists for an environment, what it holds, and whether an update holds it."""

    exists: bool
    resource_count: int | None = None
    last_update: datetime | None = None
    update_in_progress: bool = False

    @property
    def deployed(self) -> bool:
        """The stack holds resources (a destroyed stack keeps its history but has none).

        An unknown count (some backends do not report it) counts as deployed: the safe answer
        for "may I destroy what this depends on?".
        """
        return self.exists and (self.resource_count is None or self.resource_count > 0)


@dataclass(frozen=True)
class LastOperation:
    """The newest entry of a stack's history: `update succeeded`, `destroy failed`, ..."""

    kind: str
    result: str
    when: datetime | None = None


# Step ops that remove a resource AWS still holds until the replacement is done (create-before-delete).
REPLACING_OPS = frozenset({"replace", "create-replacement", "delete-replaced"})


@dataclass(frozen=True)
class Step:
    """One resource operation a preview announced (resources that stay the same are not steps)."""

    urn: str
    type: str
    op: str
    diffs: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        """The resource's logical name, the last part of its URN."""
        return urn_name(self.urn)

    @property
    def replaces(self) -> bool:
        """A new resource takes this one's place, and the old one is deleted afterwards."""
        return self.op in REPLACING_OPS


@dataclass(frozen=True)
class Violation:
    """A resource (or the stack) breaking a CrossGuard policy during a real preview or update."""

    policy: str
    level: str  # "mandatory" stops the operation; "advisory" is reported
    message: str
    urn: str = ""

    @property
    def resource(self) -> str:
        """The resource's logical name, or the stack's when the policy judged the whole stack."""
        return urn_name(self.urn) if self.urn else "(stack)"

    def line(self) -> str:
        """`policy on resource: message`, one line."""
        return f"{self.policy} ({self.level}) on {self.resource}: {' '.join(self.message.split())}"


@dataclass(frozen=True)
class Preview:
    """What `up` would do: the counts, each resource step, and the stack's exports before and after.

    `outputs` (after) and `outputs_before` (as the stack's state holds them) are None when the
    preview cannot tell them all: a value known only after the update, a secret (previews show it
    masked), or, before, a stack never deployed.
    """

    changes: Changes
    steps: tuple[Step, ...] = ()
    outputs: Mapping[str, Any] | None = None
    violations: tuple[Violation, ...] = ()
    outputs_before: Mapping[str, Any] | None = None

    def changes_nothing(self) -> bool:
        """No resource step, and the exports stay exactly as they are (an `up` would only rewrite the same)."""
        return (
            not self.steps
            and self.outputs is not None
            and self.outputs_before is not None
            and dict(self.outputs) == dict(self.outputs_before)
        )


@dataclass(frozen=True)
class StackOutput:
    """One stack output and whether Pulumi holds it as a secret."""

    value: Any
    secret: bool = False


@dataclass(frozen=True)
class PropertyDrift:
    """One property whose value in the cloud differs from the stack's state.

    `path` is Pulumi's property path (`tags.owner`, `ingress[0].cidrBlocks`); `state` and `cloud`
    are short renderings of the two values: `[secret]` for a secret, `(absent)` where it is not set.
    """

    path: str
    state: str = ""
    cloud: str = ""


@dataclass(frozen=True)
class ResourceDrift:
    """A resource the cloud no longer matches: changed (`update`) or gone (`delete`)."""

    urn: str
    type: str
    operation: str
    properties: tuple[PropertyDrift, ...] = ()

    @property
    def name(self) -> str:
        """The resource's logical name, the last part of its URN."""
        return urn_name(self.urn)


@dataclass(frozen=True)
class Drift:
    """What a read-only refresh of one stack found, resources sorted by URN."""

    resources: tuple[ResourceDrift, ...] = ()

    @property
    def clean(self) -> bool:
        """The cloud matches the state."""
        return not self.resources


class EngineError(Exception):
    """A failed engine call, already explained: the message says what to do next."""


class StackEngine(Protocol):
    """What the orchestrator needs from Pulumi, one layer's stack at a time."""

    def state(self, layer: str, env: str) -> StackState:
        """Whether the stack exists, how many resources it holds, whether an update holds its lock."""
        ...

    def last_operation(self, layer: str, env: str) -> LastOperation | None:
        """The newest entry of the stack's history (None for a stack never updated)."""
        ...

    def up(
        self,
        layer: str,
        env: str,
        *,
        on_event: OnEvent,
        targets: tuple[str, ...] | None = None,
    ) -> Changes:
        """Create the stack if needed and apply the program (`pulumi up`).

        `targets`: resource TYPES (e.g. `aws:rds/instance:Instance`); only the deployed resources
        of those types are updated (`pulumi up --target <urn>...`), nothing else - and nothing at
        all when the stack holds none of them. None updates the whole stack.
        """
        ...

    def preview(self, layer: str, env: str, *, on_event: OnEvent) -> Preview:
        """What `up` would change (`pulumi preview`), step by step, and the exports it would leave."""
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

    def drift(self, layer: str, env: str, *, on_event: OnEvent) -> Drift:
        """What differs between the cloud and the stack's state (`pulumi refresh --preview-only`).

        Never writes state. A missing stack raises `EngineError` like every other failure.
        """
        ...
