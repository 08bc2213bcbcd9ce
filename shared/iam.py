"""IAM policy documents (identity, resource, trust and key policies) in one deterministic form."""

from __future__ import annotations

import json
from typing import Any

POLICY_VERSION = "2012-10-17"


def policy_document(*statements: dict[str, Any]) -> str:
    """A policy document holding `statements`, as JSON with sorted keys.

    The same statements always give the same bytes, so a preview shows no change where none was made.
    """
    return json.dumps({"Version": POLICY_VERSION, "Statement": list(statements)}, sort_keys=True)
