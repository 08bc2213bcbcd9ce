"""`policy/payments_policy/taggable.json`: for every AWS type the plans register, does it take tags?

Written by `invoke docs` from the offline plans of every environment; the policy pack reads it so
that its virtualenv needs no AWS SDK (`payments_policy.taggable`).
"""

from __future__ import annotations

from collections.abc import Iterable
from importlib import metadata
from pathlib import Path

from payments_policy.taggable import TABLE, table_text

from ops.plan.platform import PlatformPlan
from shared.aws_schema import is_taggable

SDK = "pulumi-aws"


def table_for(plans: Iterable[PlatformPlan]) -> str:
    """The table's content for the AWS types of `plans`, from the installed SDK."""
    types = {r.type for plan in plans for lp in plan.layers for r in lp.resources if r.type.startswith("aws:")}
    return table_text({t: is_taggable(t) for t in types}, f"{SDK}=={metadata.version(SDK)}")


def write_table(plans: Iterable[PlatformPlan], path: Path = TABLE) -> bool:
    """Write the table when it differs; True when it changed."""
    text = table_for(plans)
    if path.exists() and path.read_text() == text:
        return False
    path.write_text(text)
    return True
