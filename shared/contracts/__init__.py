"""Each layer's exports: one module per layer, one documented field per output.

A producer builds its contract object and calls `.export()`, which exports exactly the fields
(no more, no fewer). A consumer calls `<Contract>.from_stack()`, which opens a StackReference to
`<org>/<layer>/<this stack>` and reads every field with `require_output`, so a missing export
fails loudly at preview instead of arriving as `None`.
"""

from __future__ import annotations

import dataclasses
from typing import Any, ClassVar, Self

import pulumi


def output(doc: str, *, secret: bool = False) -> Any:
    """Declare one contract field: its documentation and whether it is a secret."""
    return dataclasses.field(metadata={"doc": doc, "secret": secret})


def stack_reference_name(project: str) -> str:
    """`<organization>/<project>/<current stack>`: valid on the file, S3 and Cloud backends."""
    return f"{pulumi.get_organization()}/{project}/{pulumi.get_stack()}"


@dataclasses.dataclass(frozen=True)
class Contract:
    """Base of the per-layer contracts: subclasses are frozen dataclasses of `pulumi.Input`s."""

    LAYER: ClassVar[str]

    @classmethod
    def names(cls) -> tuple[str, ...]:
        """The exported output names, in declaration order."""
        return tuple(f.name for f in dataclasses.fields(cls))

    @classmethod
    def docs(cls) -> dict[str, str]:
        """Output name -> its documentation."""
        return {f.name: f.metadata["doc"] for f in dataclasses.fields(cls)}

    @classmethod
    def secret_names(cls) -> tuple[str, ...]:
        """The outputs that are Pulumi secrets on both sides of the boundary."""
        return tuple(f.name for f in dataclasses.fields(cls) if f.metadata.get("secret"))

    def export(self) -> None:
        """Export every field under its name; secret fields stay secret."""
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            pulumi.export(f.name, pulumi.Output.secret(value) if f.metadata.get("secret") else value)

    @classmethod
    def from_stack(cls, reference: pulumi.StackReference | None = None) -> Self:
        """Read this contract from the producing layer's stack of the same environment."""
        ref = reference or pulumi.StackReference(
            f"stackref-{cls.LAYER}-{pulumi.get_stack()}", stack_name=stack_reference_name(cls.LAYER)
        )
        values: dict[str, Any] = {}
        for name in cls.names():
            value = ref.require_output(name)
            values[name] = pulumi.Output.secret(value) if name in cls.secret_names() else value
        return cls(**values)
