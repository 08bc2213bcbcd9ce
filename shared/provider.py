"""The explicit AWS provider every layer's resources are created with, and the account context.

An explicit provider pins the region to stack config, so an ambient `AWS_REGION` or profile
default can never send a layer to the wrong region.
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


def aws_context(settings: StackSettings, layer: str) -> AwsContext:
    """Create the layer's provider for `settings.region` and look up account and partition."""
    provider = aws.Provider(
        f"aws-{settings.service}-{layer}-{settings.env}",
        aws.ProviderArgs(region=settings.region),
    )
    opts = pulumi.InvokeOptions(provider=provider)
    return AwsContext(
        provider=provider,
        account_id=aws.get_caller_identity_output(opts=opts).account_id,
        partition=aws.get_partition_output(opts=opts).partition,
        region=settings.region,
    )
