"""moto's server for the journeys, with what AWS offers in ap-northeast-2 that moto does not model.

`python -m tests.e2e.moto_server` serves on 127.0.0.1 and a port the system picks, and prints
`Running on http://127.0.0.1:<port>` (werkzeug's line) on stderr.

moto answers `DescribeOrderableDBInstanceOptions` only for Aurora and Neptune; RDS for PostgreSQL
offers the classes of the repository's region table (read from the RDS console and API on the
date the table states), Multi-AZ capable, so the server answers those for `postgres`. And
Route53's hosted zones and reusable delegation sets get ids in AWS's form. It serves TLS only,
as AWS does, and judges an S3 bucket policy's conditions as IAM does (a statement applies only
when its condition holds; every request here is over secure transport). moto does not implement
ECR's `GetDownloadUrlForLayer`, which preflight uses to read the image's configuration (does it
declare `VOLUME /tmp`?): the server hands out a `data:` URL of the configuration the journeys'
image stands for, one built as the operations guide asks (non-root, `VOLUME /tmp`).
"""

from __future__ import annotations

import base64
import json
import os
import re
import sys
from typing import Any

from moto.core.responses import ActionResult
from moto.ecr.responses import ECRResponse
from moto.iam.access_control import IAMPolicy, IAMPolicyStatement, PermissionResult
from moto.rds.models import RDSBackend
from moto.route53 import models as route53_models
from moto.route53.models import DelegationSet
from moto.s3.models import FakeBucket
from moto.server import main

from shared.aws_catalog import region_catalog

_original = RDSBackend.describe_orderable_db_instance_options


def _orderable(self: RDSBackend, engine: str, engine_version: str) -> list[dict[str, Any]]:
    if engine != "postgres":
        return _original(self, engine, engine_version)
    catalog = region_catalog(self.region_name)
    return [
        {
            "Engine": "postgres",
            "EngineVersion": f"{major}.4",
            "DBInstanceClass": cls,
            "MultiAZCapable": True,
            "StorageType": "gp3",
            "AvailabilityZones": [{"Name": z} for z in catalog.availability_zones],
        }
        for major, classes in catalog.rds_postgres_classes.items()
        for cls in classes
    ]


RDSBackend.describe_orderable_db_instance_options = _orderable  # type: ignore[method-assign]

_original_set = DelegationSet.__init__


def _aws_set_id(self: DelegationSet, caller_reference: str, name_servers: Any, delegation_set_id: Any) -> None:
    # Route53 names a reusable delegation set N + 13 or more capitals and digits (N1PA6795SAMPLE in
    # its API reference); moto's five random characters would fail the edge settings' own check.
    number = sum(ord(c) for c in caller_reference) * 7919 % 10**13
    _original_set(self, caller_reference, name_servers, delegation_set_id or f"N{number:013d}")


DelegationSet.__init__ = _aws_set_id  # type: ignore[method-assign]

_original_zone_id = route53_models.create_route53_zone_id


def _aws_zone_id(*args: Any, **kwargs: Any) -> str:
    # A hosted zone id starts with Z (Z1D633PJN98FT9 in Route53's API reference); moto's has no Z.
    return "Z" + _original_zone_id(*args, **kwargs)[:20]


route53_models.create_route53_zone_id = _aws_zone_id

_original_statement = IAMPolicyStatement.is_action_permitted


def _statement_applies_only_when_its_condition_holds(
    self: IAMPolicyStatement,
    action: str,
    resource: str = "*",
    principal: str | None = None,
    incoming_condition_values: dict[str, str] | None = None,
) -> PermissionResult:
    # A statement whose condition does not hold does not apply (IAM's policy evaluation logic).
    # moto takes every Bool and StringEquals condition as holding, and answers DENIED for one that
    # does not, whatever the statement's Effect: a conditional Deny would deny everything.
    if not _conditions_hold(self._statement.get("Condition") or {}, incoming_condition_values or {}):
        return PermissionResult.NEUTRAL
    return _original_statement(self, action, resource, principal, incoming_condition_values)


def _conditions_hold(conditions: dict[str, dict[str, Any]], context: dict[str, str]) -> bool:
    """Bool and StringEquals conditions judged against the request's context (a missing key never matches)."""
    for operator, tests in conditions.items():
        for key, wanted in tests.items():
            values = {
                str(v).lower() if operator == "Bool" else str(v)
                for v in (wanted if isinstance(wanted, list) else [wanted])
            }
            if operator in ("Bool", "StringEquals"):
                actual = context.get(key)
                if actual is None or (actual.lower() if operator == "Bool" else actual) not in values:
                    return False
    return True


IAMPolicyStatement.is_action_permitted = _statement_applies_only_when_its_condition_holds  # type: ignore[method-assign]


def _iam_wildcard_match(pattern: str, string: str) -> re.Match[str] | None:
    # IAM's wildcards: `*` any run of characters, `?` exactly one, everything else literal (Secrets
    # Manager's documented `secret:name-??????` ARN suffix). moto turns only `*` into a regex and
    # fails on `?` with a server error. Outside S3, moto cannot name the resource a request acts on
    # and hands "*": there only the action can be judged, so any Resource matches it.
    if string == "*":
        return re.match(".*", string)
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, string)


IAMPolicyStatement._match = staticmethod(_iam_wildcard_match)  # type: ignore[method-assign,assignment]


def _over_tls(self: FakeBucket, action: str, resource: str) -> Any:
    # moto judges a bucket policy's conditions only from what it is handed, and hands none. This
    # server serves TLS alone, so every request it judges came over secure transport.
    if self.policy is None:
        return PermissionResult.NEUTRAL
    return IAMPolicy(self.policy.decode()).is_action_permitted(
        action, resource, incoming_condition_values={"aws:SecureTransport": "true"}
    )


FakeBucket.get_permission = _over_tls  # type: ignore[method-assign]

# The configuration of the journeys' image: a Node.js server run as a non-root user, /tmp declared.
IMAGE_CONFIG = {
    "architecture": "amd64",
    "os": "linux",
    "config": {"User": "node", "Volumes": {"/tmp": {}}, "Cmd": ["node", "server.js"]},
}


def _download_url(self: ECRResponse) -> ActionResult:
    blob = base64.b64encode(json.dumps(IMAGE_CONFIG).encode()).decode()
    return ActionResult(
        {"downloadUrl": f"data:application/json;base64,{blob}", "layerDigest": self._get_param("layerDigest")}
    )


ECRResponse.get_download_url_for_layer = _download_url  # type: ignore[method-assign,assignment]

if __name__ == "__main__":
    os.environ.setdefault("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")
    sys.exit(main(["-H", "127.0.0.1", "-p", "0", *sys.argv[1:]]))
