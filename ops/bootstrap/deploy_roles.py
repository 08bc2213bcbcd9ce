"""Each layer's deploy role and the drift role, created and kept in line with boto3 by `invoke bootstrap`.

For every `RoleSpec` (`ops.roles.roles`) it makes sure that:
- the account has GitHub's OIDC identity provider (`token.actions.githubusercontent.com`, audience
  `sts.amazonaws.com`); IAM fetches the provider's certificate itself, so no thumbprint is given
  ("Create an OpenID Connect identity provider" in the IAM user guide);
- the role exists with that trust policy, session length, description and the bootstrap's tags;
- its customer managed policies `<role>-1`, `<role>-2`, ... hold exactly its documents (a changed
  document becomes the policy's new default version; the oldest version goes when IAM's five are
  used), are attached, and no other policy is attached or left over.

It also writes the state layout marker `.pulumi/meta.yaml` (version 1, project-scoped stacks)
when the bucket has none, so no layer's role needs to write outside its own stacks: Pulumi writes
it on first login otherwise (pkg/backend/diy/meta.go). Each setting is read first and written only
when it differs; the result lists what was created and changed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from botocore.exceptions import ClientError

from ops.aws import error_code
from ops.roles.names import GITHUB_OIDC_AUDIENCE, GITHUB_OIDC_HOST, oidc_provider_arn
from ops.roles.roles import RoleSpec
from ops.roles.state import META_BODY, META_KEY

MAX_POLICY_VERSIONS = 5  # IAM keeps at most five versions of a managed policy


class DeployRolesError(Exception):
    """A role cannot be brought in line; one line naming it and why."""


@dataclass
class RolesResult:
    """What this run created and changed."""

    created: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)


def _same_document(current: Any, wanted: str) -> bool:
    # IAM returns documents URL-encoded (GetRole, GetPolicyVersion); boto3 decodes some of them.
    if isinstance(current, str):
        current = json.loads(unquote(current))
    return bool(current == json.loads(wanted))


def ensure_state_layout(s3: Any, bucket: str, result: RolesResult) -> None:
    """Write `.pulumi/meta.yaml` (project-scoped stacks) when the bucket has none."""
    try:
        s3.head_object(Bucket=bucket, Key=META_KEY)
        return
    except ClientError as e:
        if error_code(e) not in ("404", "NoSuchKey", "NotFound"):
            raise
    s3.put_object(Bucket=bucket, Key=META_KEY, Body=META_BODY)
    result.created.append(f"s3://{bucket}/{META_KEY} (Pulumi's project-scoped stack layout)")


def ensure_github_oidc(iam: Any, partition: str, account: str, result: RolesResult) -> None:
    """The account's GitHub OIDC provider, with `sts.amazonaws.com` among its audiences."""
    arn = oidc_provider_arn(partition, account)
    try:
        found = iam.get_open_id_connect_provider(OpenIDConnectProviderArn=arn)
    except ClientError as e:
        if error_code(e) != "NoSuchEntity":
            raise
        iam.create_open_id_connect_provider(Url=f"https://{GITHUB_OIDC_HOST}", ClientIDList=[GITHUB_OIDC_AUDIENCE])
        result.created.append(f"IAM OIDC provider {GITHUB_OIDC_HOST} (audience {GITHUB_OIDC_AUDIENCE})")
        return
    if GITHUB_OIDC_AUDIENCE not in found.get("ClientIDList", []):
        iam.add_client_id_to_open_id_connect_provider(OpenIDConnectProviderArn=arn, ClientID=GITHUB_OIDC_AUDIENCE)
        result.changed.append(f"IAM OIDC provider {GITHUB_OIDC_HOST}: audience {GITHUB_OIDC_AUDIENCE} added")


def _policy_arn(partition: str, account: str, name: str) -> str:
    return f"arn:{partition}:iam::{account}:policy/{name}"


def _ensure_policy(iam: Any, arn: str, name: str, role: RoleSpec, document: str, result: RolesResult) -> None:
    try:
        policy = iam.get_policy(PolicyArn=arn)["Policy"]
    except ClientError as e:
        if error_code(e) != "NoSuchEntity":
            raise
        iam.create_policy(PolicyName=name, PolicyDocument=document, Description=role.description[:1000])
        result.created.append(f"IAM policy {name}")
        return
    current = iam.get_policy_version(PolicyArn=arn, VersionId=policy["DefaultVersionId"])["PolicyVersion"]
    if _same_document(current["Document"], document):
        return
    versions = iam.list_policy_versions(PolicyArn=arn)["Versions"]
    if len(versions) >= MAX_POLICY_VERSIONS:
        oldest = min((v for v in versions if not v["IsDefaultVersion"]), key=lambda v: v["CreateDate"])
        iam.delete_policy_version(PolicyArn=arn, VersionId=oldest["VersionId"])
    iam.create_policy_version(PolicyArn=arn, PolicyDocument=document, SetAsDefault=True)
    result.changed.append(f"IAM policy {name}: a new version from the plan")


def _remove_policy(iam: Any, arn: str, name: str, result: RolesResult) -> None:
    for version in iam.list_policy_versions(PolicyArn=arn)["Versions"]:
        if not version["IsDefaultVersion"]:
            iam.delete_policy_version(PolicyArn=arn, VersionId=version["VersionId"])
    iam.delete_policy(PolicyArn=arn)
    result.changed.append(f"IAM policy {name}: removed (the plan needs fewer)")


def ensure_role(iam: Any, role: RoleSpec, partition: str, account: str, tags: dict[str, str], result: RolesResult):
    """Create `role` or bring it in line: trust, session length, description, tags and policies."""
    tag_list = [{"Key": k, "Value": v} for k, v in sorted(tags.items())]
    try:
        current = iam.get_role(RoleName=role.name)["Role"]
    except ClientError as e:
        if error_code(e) != "NoSuchEntity":
            raise
        try:
            iam.create_role(
                RoleName=role.name,
                AssumeRolePolicyDocument=role.trust,
                Description=role.description,
                MaxSessionDuration=role.max_session_seconds,
                Tags=tag_list,
            )
        except ClientError as e:
            if error_code(e) == "MalformedPolicyDocument":
                raise DeployRolesError(
                    f"IAM refused the trust policy of {role.name}: {e.response['Error'].get('Message', '')} "
                    "(a principal the layer's Ownership names for this environment must exist in the account)"
                ) from None
            raise
        result.created.append(f"IAM role {role.name} (sessions up to {role.max_session_seconds} s)")
        current = None
    if current is not None:
        if not _same_document(current["AssumeRolePolicyDocument"], role.trust):
            iam.update_assume_role_policy(RoleName=role.name, PolicyDocument=role.trust)
            result.changed.append(f"IAM role {role.name}: trust policy")
        if (current.get("MaxSessionDuration"), current.get("Description", "")) != (
            role.max_session_seconds,
            role.description,
        ):
            iam.update_role(
                RoleName=role.name, Description=role.description, MaxSessionDuration=role.max_session_seconds
            )
            result.changed.append(f"IAM role {role.name}: session length and description")
        if {t["Key"]: t["Value"] for t in current.get("Tags", [])} != tags:
            iam.tag_role(RoleName=role.name, Tags=tag_list)
    wanted = {f"{role.name}-{n}": document for n, document in enumerate(role.documents, 1)}
    for name, document in wanted.items():
        _ensure_policy(iam, _policy_arn(partition, account, name), name, role, document, result)
    attached = {p["PolicyArn"] for p in iam.list_attached_role_policies(RoleName=role.name)["AttachedPolicies"]}
    for name in wanted:
        arn = _policy_arn(partition, account, name)
        if arn not in attached:
            iam.attach_role_policy(RoleName=role.name, PolicyArn=arn)
    for arn in sorted(attached - {_policy_arn(partition, account, n) for n in wanted}):
        iam.detach_role_policy(RoleName=role.name, PolicyArn=arn)
        result.changed.append(f"IAM role {role.name}: detached {arn}")
        if arn.rsplit("/", 1)[-1].startswith(f"{role.name}-"):
            _remove_policy(iam, arn, arn.rsplit("/", 1)[-1], result)
    for inline in iam.list_role_policies(RoleName=role.name)["PolicyNames"]:
        iam.delete_role_policy(RoleName=role.name, PolicyName=inline)
        result.changed.append(f"IAM role {role.name}: removed inline policy {inline}")


def bootstrap_roles(
    *, iam: Any, s3: Any, roles: list[RoleSpec], bucket: str, partition: str, account: str, tags: dict[str, str]
) -> RolesResult:
    """Bring the state layout, the GitHub OIDC provider and every role in line; what changed."""
    result = RolesResult()
    ensure_state_layout(s3, bucket, result)
    ensure_github_oidc(iam, partition, account, result)
    for role in roles:
        ensure_role(iam, role, partition, account, tags, result)
    return result
