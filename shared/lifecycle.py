"""What a layer declares about itself, so the generic tooling never names a layer.

Each layer package has a `lifecycle` module whose `LIFECYCLE` says what only that layer knows:
its export contract and settings model, the checks preflight runs before it is deployed or torn
down, how its teardown lifts deletion protection, what `invoke verify` checks on the live
platform, what an ephemeral copy of an environment must change, the public DNS zone it serves
(what `invoke dns` checks), its owning team, and its colour in the diagram.
`shared.layers` lists the layers and finds each one's `LIFECYCLE`; the tools in `ops/` iterate
over whatever it lists.

The hooks receive small contexts (protocols below) rather than the tools' own classes, so a layer
package depends on `shared` only.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, Protocol

if TYPE_CHECKING:
    from shared.contracts import Contract
    from shared.ownership import Ownership
    from shared.settings import StackSettings


class AwsClientFactory(Protocol):
    """Hands out boto3 clients for the environment's region (tests point it at moto)."""

    def client(self, service: str) -> Any:
        """A boto3 client of `service`."""
        ...


# Preflight -----------------------------------------------------------------------------------

PreflightWhen = Literal["deploy", "deploy-only", "teardown"]


class PreflightContext(Protocol):
    """What a preflight check may look at: the environment's settings and AWS (read-only)."""

    @property
    def env(self) -> str:
        """The environment (stack name)."""
        ...

    @property
    def aws(self) -> AwsClientFactory:
        """boto3 clients for the environment's region."""
        ...

    def settings(self, layer: str) -> StackSettings | None:
        """A layer's validated settings in this environment, or None when they do not parse."""
        ...

    def value(self, key: str) -> str | None:
        """One config value (`<namespace>:<key>`) as the program would get it; None if unset or secret."""
        ...

    def delegation(self, domain: str, name_servers: Sequence[str]) -> str | None:
        """None when public DNS delegates `domain` to exactly `name_servers`; else one line saying what it sees."""
        ...


class GrantContext(Protocol):
    """Where a preflight check's reads happen: the environment's account and a layer's settings."""

    @property
    def partition(self) -> str:
        """The AWS partition (`aws`)."""
        ...

    @property
    def region(self) -> str:
        """The environment's region."""
        ...

    @property
    def account(self) -> str:
        """The environment's account id."""
        ...

    def settings(self, layer: str) -> StackSettings | None:
        """A layer's validated settings in this environment, or None when they do not parse."""
        ...


@dataclass(frozen=True)
class Grant:
    """IAM actions on resources (ARNs, or `*` where the action has no resource type)."""

    actions: tuple[str, ...]
    resources: tuple[str, ...]


@dataclass(frozen=True)
class PreflightCheck:
    """One read-only check before a deploy or a teardown; `run` returns None or one line."""

    name: str
    run: Callable[[PreflightContext], str | None]
    # "deploy": before a deploy/preview of the layer, and before a teardown that runs its program
    # (the update lifting deletion protection); "deploy-only": before a deploy/preview only (what
    # AWS offers for new resources, which an existing one need not be); "teardown": before its teardown.
    when: PreflightWhen = "deploy"
    # The AWS reads `run` makes, so the layer's deploy role may make them (`ops.roles`).
    grants: Callable[[GrantContext], Sequence[Grant]] | None = None


# Teardown ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Teardown:
    """How the layer's deletion protection is lifted right before its stack is destroyed."""

    # Config values (key in the layer's namespace, value) set, then applied, before `destroy`.
    config: tuple[tuple[str, str], ...] = ()
    # Resource types the flip updates (a targeted `up`): only these take the new values.
    targets: tuple[str, ...] = ()
    # The only input properties that targeted update may change; anything else pending means
    # undeployed code, and teardown stops instead of shipping it.
    properties: tuple[str, ...] = ()
    # What a protected environment's teardown leaves behind on purpose, and how to remove it later.
    leaves_in_protected: tuple[str, ...] = ()


# Verify --------------------------------------------------------------------------------------


class CheckFailed(Exception):
    """A verify check saw something other than what the layer promises: the message says what."""


class VerifyContext(Protocol):
    """What a verify check sees: the merged exports of every layer, AWS, and the expectations."""

    @property
    def exports(self) -> Mapping[str, Any]:
        """Every layer's exports merged (names are unique across the contracts)."""
        ...

    @property
    def aws(self) -> AwsClientFactory:
        """boto3 clients for the platform's region."""
        ...

    @property
    def expect(self) -> Any:
        """The numbers the platform promises (task floor, task size, retention, health path)."""
        ...

    @property
    def get(self) -> Callable[[str], Any]:
        """GET a URL over verified HTTPS; the result has `status` and `tls_version`."""
        ...

    @property
    def target_health(self) -> Callable[[Any, str], list[Any]]:
        """Read a target group's targets and their health states."""
        ...

    def settings(self, layer: str) -> StackSettings | None:
        """A layer's settings in the verified environment, None when its stack files are not at hand."""
        ...


@dataclass(frozen=True)
class VerifyCheck:
    """One named read-only check of the live platform; `run` returns what it saw or raises `CheckFailed`."""

    name: str
    title: str
    run: Callable[[VerifyContext], str]
    # Export names (from any layer's contract) the check reads.
    needs: tuple[str, ...] = ()


# The public DNS zone ---------------------------------------------------------------------


@dataclass(frozen=True)
class DnsZone:
    """Where `invoke dns` finds the domain, its zone and the zone's name servers in a layer.

    The keys are config keys of the layer's namespace; the output is a name of its contract.
    """

    # The domain the zone serves.
    domain_key: str
    # An existing zone's id; when empty the layer creates the zone for the domain.
    zone_id_key: str
    # The stack output listing the name servers of the zone the layer created.
    name_servers_output: str
    # A reusable delegation set's id: name servers reserved (and delegated) before the zone exists.
    delegation_set_key: str = ""


# Ephemeral copies ----------------------------------------------------------------------------

# (new env, source env, the source's merged config of this layer, the --set overrides) -> None or one line.
EphemeralCheck = Callable[[str, str, Mapping[str, str], Mapping[str, Any]], "str | None"]


@dataclass(frozen=True)
class LayerLifecycle:
    """Everything the tooling needs to know about one layer beyond its place in the graph."""

    contract: type[Contract]
    settings: type[StackSettings]
    # The owning team and who besides its CI job may deploy it, per environment.
    owner: Ownership
    preflight: tuple[PreflightCheck, ...] = ()
    teardown: Teardown = field(default_factory=Teardown)
    verify: tuple[VerifyCheck, ...] = ()
    ephemeral: EphemeralCheck | None = None
    # Config keys (of the layer's namespace) an ephemeral copy never takes from its source: they name
    # the source's own resources (its zone, its reserved name servers, its certificate). `--set` may
    # give the copy its own.
    not_copied: tuple[str, ...] = ()
    dns_zone: DnsZone | None = None
    # Fill and stroke colour of the layer's boxes in the architecture diagram.
    diagram_colors: tuple[str, str] = ("#f5f5f5", "#616161")
    # Resource types the layers below attach to (a security group on their ENIs, a target group
    # under their service): AWS refuses to delete one while it is attached, so a deploy that would
    # replace one while a dependent layer is deployed is stopped before any change.
    held_by_downstream: tuple[str, ...] = ()
