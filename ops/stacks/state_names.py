"""Whether a stack exists, from the names of a self-managed backend's objects alone.

`pulumi stack ls` reads the checkpoint of every stack of a project, to count its resources. A
layer's deploy role may read only its own stack and those it consumes (`ops.roles.state`), so on a
team backend a listing of another layer's project is refused (S3 AccessDenied on the first
checkpoint it may not read). The orchestrator still has to know whether the layers below exist
before it replaces what they hold or destroys what they use, and the role may list the bucket's
names: a checkpoint object under the stack's own key is the stack.

What this cannot tell is how many resources the stack holds: an existing stack counts as deployed,
the safe answer for "may I replace or remove what it may be using?".
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import parse_qs, urlparse

from botocore.exceptions import BotoCoreError, ClientError

from ops.aws import AwsClients
from ops.roles.state import stack_key

# Pulumi writes a checkpoint plain or compressed; `.bak` files are backups, not the stack.
_CHECKPOINTS = ("", ".gz", ".zst")


def stack_exists(backend_url: str, project: str, stack: str, aws: AwsClients | None = None) -> bool | None:
    """Whether `project`'s `stack` has a checkpoint in the backend; None when the names cannot tell."""
    key = stack_key(project, stack)
    wanted = {key + suffix for suffix in _CHECKPOINTS}
    parsed = urlparse(backend_url)
    if parsed.scheme == "file":
        folder = Path(parsed.path)
        return any((folder / name).is_file() for name in wanted)
    if parsed.scheme != "s3":
        return None
    region = (parse_qs(parsed.query).get("region") or [os.environ.get("AWS_REGION", "us-east-1")])[0]
    try:
        s3 = (aws or AwsClients(region)).client("s3")
        found = s3.list_objects_v2(Bucket=parsed.netloc, Prefix=key)
    except (BotoCoreError, ClientError):
        return None
    return any(obj.get("Key") in wanted for obj in found.get("Contents") or [])
