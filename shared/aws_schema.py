"""What the installed `pulumi_aws` SDK says about a resource type token.

Used by the offline engine (which outputs to invent for a resource) and by the checks that
every taggable resource is tagged: the answer comes from the SDK itself, never from a list we
would have to keep in sync by hand.
"""

from __future__ import annotations

import functools
import importlib
import typing
from collections.abc import Sequence
from typing import Any

import pulumi


@functools.cache
def resource_class(token: str) -> type | None:
    """The SDK class for a token like `aws:ec2/vpc:Vpc`, or None for non-AWS types."""
    package, _, rest = token.partition(":")
    if package != "aws" or ":" not in rest:
        return None
    module_path, _, class_name = rest.partition(":")
    module = module_path.split("/")[0]
    # Without the SDK every answer would be "not an AWS resource" and the tag rule would pass
    # everything: that is an installation error, not an answer.
    importlib.import_module("pulumi_aws")
    try:
        mod = importlib.import_module("pulumi_aws" if module == "index" else f"pulumi_aws.{module}")
    except ImportError:  # a module this SDK version does not have
        return None
    cls = getattr(mod, class_name, None)
    return cls if isinstance(cls, type) else None


def is_taggable(token: str) -> bool:
    """Whether resources of this type accept `tags`."""
    cls = resource_class(token)
    return cls is not None and isinstance(cls.__dict__.get("tags"), property)


def _shape(annotation: Any) -> str | None:
    """'str' or 'list[str]' for outputs we can stand in for; None for everything else."""
    if typing.get_origin(annotation) is pulumi.Output:
        (annotation,) = typing.get_args(annotation)
    if typing.get_origin(annotation) is typing.Union:
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        annotation = args[0] if len(args) == 1 else None
    if annotation is str:
        return "str"
    origin = typing.get_origin(annotation)
    if origin in (list, Sequence, typing.Sequence) and typing.get_args(annotation) == (str,):
        return "list[str]"
    return None


@functools.cache
def output_shapes(token: str) -> dict[str, str]:
    """Wire name (camelCase) -> shape, for every string or list-of-string output of the type."""
    cls = resource_class(token)
    if cls is None:
        return {}
    shapes: dict[str, str] = {}
    for attr in dir(cls):
        prop = getattr(cls, attr, None)
        if not isinstance(prop, property) or prop.fget is None:
            continue
        wire = getattr(prop.fget, "_pulumi_name", None)
        if wire is None:
            continue
        try:
            hints = typing.get_type_hints(prop.fget)
        except Exception:
            continue
        shape = _shape(hints.get("return"))
        if shape:
            shapes[wire] = shape
    return shapes
