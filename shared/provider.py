"""The explicit AWS provider every layer's resources are created with, and the account context.

An explicit provider pins the region to stack config, so an ambient `AWS_REGION` or profile
default can never send a layer to the wrong region. When the stack names its accounts, the
provider refuses credentials of any other account (`allowed_account_ids`: the AWS provider checks
the caller's account when it starts, before any read or change); when it names a role, the
provider assumes it first, and the account check applies to the assumed role.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from shared.settings import StackSettings


@dataclass(frozen=True)
class AwsContext:
    """The provider plus the account facts policies are written against."""

    provider: aws.Provider
    account_id: pulumi.Output[str]
    partition: pulumi.Output[str]
    region: str

    @property
    def invoke_opts(self) -> pulumi.InvokeOptions:
        """Options that route a data-source call through this provider."""
        return pulumi.InvokeOptions(provider=self.provider)

    @property
    def resource_opts(self) -> pulumi.ResourceOptions:
        """Options for a layer's top-level components: their children inherit the provider."""
        return pulumi.ResourceOptions(providers=[self.provider])


def provider_args(settings: StackSettings, layer: str) -> aws.ProviderArgs:
    """The provider's region, and the account guard and role when the stack sets them."""
    assume_roles = None
    if settings.assume_role_arn:
        # The session name shows in CloudTrail: which stack and layer made each call.
        session = f"pulumi-{settings.service}-{layer}-{settings.env}"
        assume_roles = [aws.ProviderAssumeRoleArgs(role_arn=settings.assume_role_arn, session_name=session)]
    return aws.ProviderArgs(
        region=settings.region,
        allowed_account_ids=list(settings.allowed_account_ids) or None,
        assume_roles=assume_roles,
    )


def aws_context(settings: StackSettings, layer: str) -> AwsContext:
    """Create the layer's provider (see `provider_args`) and look up account and partition."""
    provider = aws.Provider(f"aws-{settings.service}-{layer}-{settings.env}", provider_args(settings, layer))
    opts = pulumi.InvokeOptions(provider=provider)
    return AwsContext(
        provider=provider,
        account_id=aws.get_caller_identity_output(opts=opts).account_id,
        partition=aws.get_partition_output(opts=opts).partition,
        region=settings.region,
    )
