"""Whether the identity at hand may deploy a layer: write its state and be (or assume) its deploy role.

On a team backend (`s3://`), before anything changes, preflight checks for each layer it runs:
- **its state**: the identity writes (and removes) a zero-byte object in the layer's own backups
  folder (`.pulumi/backups/<layer>/<env>/`, which Pulumi only ever writes), the same permission as
  its stack, history and lock (`ops.roles.state`); a preview only reads the stack's checkpoint;
- **its role** (not for a preview): the identity is the layer's deploy role (its CI job), or may
  assume it (STS AssumeRole; the short session is thrown away).

When either fails, one line names the layer, its owning team, the identity and what it lacked, so
a team that runs another team's layer is stopped before any change and told whose it is. The
local file backend has no IAM: nothing is checked there.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlparse

from botocore.exceptions import BotoCoreError, ClientError

from ops.aws import AwsClients, describe_aws_error, error_code
from ops.roles.names import deploy_role_name, github_environment, role_arn
from ops.roles.state import backup_probe_key, stack_key
from shared.layers import lifecycle

_DENIED = ("AccessDenied", "403", "Forbidden", "AllAccessDisabled")


def _is_role(identity_arn: str, role_name: str) -> bool:
    """Whether the caller is a session of `role_name` (`arn:...:sts::<account>:assumed-role/<name>/<session>`)."""
    parts = identity_arn.split(":")[-1].split("/")
    return len(parts) >= 2 and parts[0] == "assumed-role" and parts[1] == role_name


def _state_problem(s3: Any, bucket: str, layer: str, env: str, writes: bool) -> str | None:
    """None when the identity may write (or, for a preview, read) the layer's state; else what it lacked."""
    try:
        if writes:
            key = backup_probe_key(layer, env)
            s3.put_object(Bucket=bucket, Key=key, Body=b"")
            s3.delete_object(Bucket=bucket, Key=key)
        else:
            s3.head_object(Bucket=bucket, Key=stack_key(layer, env))
    except ClientError as e:
        if not writes and error_code(e) in ("404", "NoSuchKey", "NotFound"):
            return None  # not deployed yet, and the identity may see so
        what = "write" if writes else "read"
        if error_code(e) in _DENIED:
            return f"may not {what} its state in s3://{bucket}"
        return f"cannot {what} its state in s3://{bucket} ({describe_aws_error(e)})"
    return None


def check_layer_access(
    aws: AwsClients, *, layer: str, env: str, service: str, backend_url: str, writes: bool = True
) -> str | None:
    """None when the identity of `aws` may deploy `layer` of `env` (see the module docstring); else one line."""
    if not backend_url.startswith("s3://"):
        return None
    bucket = urlparse(backend_url).netloc
    try:
        identity = aws.client("sts").get_caller_identity()
    except (BotoCoreError, ClientError):
        return None  # the credentials check reports it
    caller, account = str(identity["Arn"]), str(identity["Account"])
    name = deploy_role_name(service, layer, env)
    arn = role_arn(caller.split(":")[1], account, name)
    lacks: list[str] = []
    state = _state_problem(aws.client("s3"), bucket, layer, env, writes)
    if state:
        lacks.append(state)
    # A preview runs under the preview role of its own workflow: it needs to read, not to be the deployer.
    if writes and not _is_role(caller, name):
        try:
            aws.client("sts").assume_role(RoleArn=arn, RoleSessionName=f"preflight-{layer}-{env}", DurationSeconds=900)
        except ClientError as e:
            lacks.append(f"may not assume {name} ({error_code(e)})")
        except BotoCoreError as e:
            lacks.append(f"cannot assume {name} ({e})")
    if not lacks:
        return None
    team = lifecycle(layer).owner.team
    return (
        f"{layer} is owned by {team}: {caller} {' and '.join(lacks)}; deploy it from the GitHub environment "
        f"{github_environment(env, layer)} or as {arn}, or ask {team}"
    )
