"""A role's rights on the team state backend (the S3 bucket and secrets key `invoke bootstrap` makes).

Pulumi's S3 ("DIY") backend keeps, for a project-scoped stack (`.pulumi/meta.yaml` version 1; read
from pulumi/pulumi `pkg/backend/diy`: `store.go`, `lock.go`, `state.go`, `meta.go`):

    .pulumi/meta.yaml                                   the layout version (bootstrap writes it)
    .pulumi/stacks/<project>/<stack>.json               the checkpoint (.gz/.zst, and .bak copies)
    .pulumi/stacks/<project>/<stack>.pulumi-tags        the stack's tags (stack_tags.go)
    .pulumi/history/<project>/<stack>/...               one entry per update
    .pulumi/backups/<project>/<stack>/...               checkpoint backups
    .pulumi/locks/organization/<project>/<stack>/...    the lock of a running update

Stacks and history carry no organization; locks carry the DIY backend's fixed `organization`.
A layer's role may read and write its own four places, read the stacks of the layers it reads
through StackReference, and use the environment's KMS key (stack secrets, and the bucket's
default encryption). It may list the bucket: S3 answers a read of a missing object with 403, not
404, to a caller without s3:ListBucket (GetObject in the S3 API reference), and Pulumi must tell
a stack that does not exist yet from one it may not read; listing shows object names only.
"""

from __future__ import annotations

from collections.abc import Iterable

from ops.roles.derive import Statement

META_KEY = ".pulumi/meta.yaml"
META_BODY = b"version: 1\n"
DIY_ORGANIZATION = "organization"


def stack_key(project: str, stack: str) -> str:
    """The checkpoint's key (plain JSON; Pulumi also writes `.gz`/`.zst` and `.bak` beside it)."""
    return f".pulumi/stacks/{project}/{stack}.json"


def stack_files(project: str, stack: str) -> tuple[str, str]:
    """The key patterns of a stack's own files: its checkpoint (and variants), its tags."""
    return (f"{stack_key(project, stack)}*", f".pulumi/stacks/{project}/{stack}.pulumi-tags")


def own_prefixes(project: str, stack: str) -> tuple[str, ...]:
    """Every key pattern of one stack's state: checkpoint, tags, history, backups, lock."""
    return (
        *stack_files(project, stack),
        f".pulumi/history/{project}/{stack}/*",
        f".pulumi/backups/{project}/{stack}/*",
        f".pulumi/locks/{DIY_ORGANIZATION}/{project}/{stack}/*",
    )


def backup_probe_key(project: str, stack: str) -> str:
    """Where preflight proves it may write a stack's state: its backups folder, which Pulumi only writes."""
    return f".pulumi/backups/{project}/{stack}/preflight-write-check"


def _objects(partition: str, bucket: str, keys: Iterable[str]) -> list[str]:
    return [f"arn:{partition}:s3:::{bucket}/{k}" for k in keys]


def layer_state_statements(
    *, partition: str, bucket: str, key_arn: str, project: str, stack: str, reads: Iterable[str]
) -> list[Statement]:
    """Read and write `project`'s `stack` state, read the stacks of `reads`, use the key."""
    reads = sorted(set(reads))
    statements: list[Statement] = [
        {
            "Sid": "StateListNamesOnly",
            "Effect": "Allow",
            "Action": "s3:ListBucket",
            "Resource": f"arn:{partition}:s3:::{bucket}",
        },
        {
            "Sid": "StateOwnStack",
            "Effect": "Allow",
            "Action": ["s3:DeleteObject", "s3:GetObject", "s3:PutObject"],
            "Resource": _objects(partition, bucket, own_prefixes(project, stack)),
        },
        {
            "Sid": "StateLayoutAndUpstream",
            "Effect": "Allow",
            "Action": "s3:GetObject",
            "Resource": _objects(partition, bucket, [META_KEY, *(f for p in reads for f in stack_files(p, stack))]),
        },
        {
            "Sid": "StateSecretsKey",
            "Effect": "Allow",
            "Action": ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"],
            "Resource": key_arn,
        },
    ]
    return statements


def drift_state_statements(
    *, partition: str, bucket: str, key_arn: str, projects: Iterable[str], stack: str
) -> list[Statement]:
    """Read every layer's stack and take its lock (a preview-only refresh holds it), decrypt secrets."""
    projects = sorted(set(projects))
    return [
        {
            "Sid": "StateListNamesOnly",
            "Effect": "Allow",
            "Action": "s3:ListBucket",
            "Resource": f"arn:{partition}:s3:::{bucket}",
        },
        {
            "Sid": "StateRead",
            "Effect": "Allow",
            "Action": "s3:GetObject",
            "Resource": _objects(partition, bucket, [META_KEY, *(f for p in projects for f in stack_files(p, stack))]),
        },
        {
            "Sid": "StateLockOnly",
            "Effect": "Allow",
            "Action": ["s3:DeleteObject", "s3:PutObject"],
            "Resource": _objects(
                partition, bucket, [f".pulumi/locks/{DIY_ORGANIZATION}/{p}/{stack}/*" for p in projects]
            ),
        },
        {
            "Sid": "StateSecretsKey",
            "Effect": "Allow",
            "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
            "Resource": key_arn,
        },
    ]
