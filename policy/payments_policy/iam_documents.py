"""Least privilege in IAM documents: no `*` action, `*` resource only where AWS allows nothing else.

Only `Allow` statements grant anything; a `Deny` with a broad action (e.g. "deny s3:* without
TLS") narrows access and is left alone.
"""

from __future__ import annotations

import json
from typing import Any

from payments_policy.model import is_unknown

# Actions that support no resource-level permission: AWS accepts only `"Resource": "*"` for them.
STAR_RESOURCE_ONLY_ACTIONS: frozenset[str] = frozenset(
    {
        "ecr:GetAuthorizationToken",
        # ECS Exec (SSM session channels) and metrics/traces the task may publish.
        "ssmmessages:CreateControlChannel",
        "ssmmessages:CreateDataChannel",
        "ssmmessages:OpenControlChannel",
        "ssmmessages:OpenDataChannel",
        "cloudwatch:PutMetricData",
        "xray:PutTelemetryRecords",
        "xray:PutTraceSegments",
    }
)


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]


def parse_document(document: Any) -> dict[str, Any] | None:
    """The document as a dict; None when it is not known yet (it depends on cloud-only values)."""
    if isinstance(document, dict):
        return document
    if not isinstance(document, str) or not document.strip():
        return None
    try:
        parsed = json.loads(document)
    except ValueError:
        return None if is_unknown(document) else {"Statement": "unparseable"}
    return parsed if isinstance(parsed, dict) else {"Statement": "unparseable"}


def document_violations(document: Any, *, key_policy: bool = False) -> list[str]:
    """Why `document` grants more than it should; [] when it is fine or not known yet.

    In a KMS key policy `"Resource": "*"` means "this key" and is the only form AWS accepts.
    """
    doc = parse_document(document)
    if doc is None:
        return []
    statements = doc.get("Statement")
    if isinstance(statements, dict):
        statements = [statements]
    if not isinstance(statements, list):
        return ["the policy document has no readable Statement list"]
    problems: list[str] = []
    for index, st in enumerate(statements):
        if not isinstance(st, dict) or st.get("Effect") != "Allow":
            continue
        label = f"statement {st.get('Sid') or index}"
        if "NotAction" in st or "NotResource" in st:
            problems.append(f"{label} allows with NotAction/NotResource (grants everything not listed)")
        actions = [str(a) for a in _as_list(st.get("Action"))]
        for action in actions:
            if action == "*" or action.endswith(":*"):
                problems.append(f"{label} allows action {action!r} (a wildcard over a whole service)")
        principals = st.get("Principal")
        if principals == "*" or (isinstance(principals, dict) and "*" in _as_list(principals.get("AWS"))):
            problems.append(f"{label} allows any principal ('*')")
        resources = [str(r) for r in _as_list(st.get("Resource"))]
        if "*" in resources and not key_policy:
            broad = sorted(a for a in actions if a not in STAR_RESOURCE_ONLY_ACTIONS)
            if broad:
                problems.append(
                    f"{label} grants {', '.join(broad)} on resource '*' "
                    "(only actions without resource-level permissions may use '*')"
                )
    return problems
