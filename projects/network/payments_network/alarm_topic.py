"""`AlarmTopic`: the SNS topic every layer's alarms notify, KMS-encrypted, with its subscriptions.

It lives in network because every layer depends on network: data, edge and compute read its ARN
from the network contract. The topic is encrypted with its own customer-managed key whose policy
lets CloudWatch (for this account's alarms) generate and decrypt data keys; the topic policy lets
CloudWatch publish for this environment's alarms only and refuses publishing without TLS.

With `alarmTopicArn` set, no topic or key is created: the given topic is used, and its owner is
responsible for letting CloudWatch publish to it. Subscriptions are created on whichever topic
is used. An email subscription stays "pending confirmation" until its recipient confirms it; an
unconfirmed subscription cannot be deleted by Pulumi and expires on its own after three days.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from shared import kms
from shared.alarms import alarm_name_pattern
from shared.iam import policy_document
from shared.naming import Namer


@dataclass(frozen=True)
class Subscription:
    """One notification endpoint: an email address or an https:// URL."""

    protocol: str
    endpoint: str

    @property
    def key(self) -> str:
        """A stable name part for the subscription: reordering the list never renames one."""
        return f"{self.protocol}-{hashlib.sha256(self.endpoint.encode()).hexdigest()[:8]}"


@dataclass(frozen=True)
class AlarmTopicArgs:
    namer: Namer
    existing_topic_arn: str  # empty: create the topic
    subscriptions: tuple[Subscription, ...]
    deletion_window_days: int
    tags: dict[str, str]
    account_id: pulumi.Input[str]
    partition: pulumi.Input[str]
    region: str


def topic_policy(*, topic_arn: str, account_id: str, partition: str, region: str, alarm_pattern: str) -> str:
    """CloudWatch publishes for this environment's alarms of this account; nobody publishes without TLS."""
    return policy_document(
        {
            "Sid": "CloudWatchAlarmsOfThisEnvironmentPublish",
            "Effect": "Allow",
            "Principal": {"Service": "cloudwatch.amazonaws.com"},
            "Action": "sns:Publish",
            "Resource": topic_arn,
            "Condition": {
                "StringEquals": {"aws:SourceAccount": account_id},
                "ArnLike": {"aws:SourceArn": f"arn:{partition}:cloudwatch:{region}:{account_id}:alarm:{alarm_pattern}"},
            },
        },
        {
            "Sid": "DenyPublishWithoutTls",
            "Effect": "Deny",
            "Principal": "*",
            "Action": "sns:Publish",
            "Resource": topic_arn,
            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
        },
    )


class AlarmTopic(pulumi.ComponentResource):
    """The created (or configured) alarm topic; `topic_arn` is what every alarm notifies."""

    topic_arn: pulumi.Output[str]
    key: aws.kms.Key | None
    topic: aws.sns.Topic | None

    def __init__(self, name: str, args: AlarmTopicArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("payments:network:AlarmTopic", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        n = args.namer
        self.key = self.topic = None
        if args.existing_topic_arn:
            self.topic_arn = pulumi.Output.from_input(args.existing_topic_arn)
        else:
            self.key = aws.kms.Key(
                n("kms", "alarms"),
                description=f"Encrypts the alarm notifications of {n('sns', 'alarms')}",
                enable_key_rotation=True,
                deletion_window_in_days=args.deletion_window_days,
                policy=pulumi.Output.all(args.account_id, args.partition).apply(
                    lambda ap: policy_document(
                        kms.admin_statement(ap[1], ap[0]), kms.cloudwatch_alarms_statement(ap[0])
                    )
                ),
                tags=args.tags,
                opts=child,
            )
            aws.kms.Alias(
                f"alias-{n('kms', 'alarms')}",
                name=f"alias/{n('kms', 'alarms')}",
                target_key_id=self.key.key_id,
                opts=child,
            )
            self.topic = aws.sns.Topic(
                n("sns", "alarms"),
                name=n("sns", "alarms"),
                display_name=f"{n.service} {n.env} alarms",
                kms_master_key_id=self.key.arn,
                tags=args.tags,
                opts=child,
            )
            aws.sns.TopicPolicy(
                n("snspolicy", "alarms"),
                arn=self.topic.arn,
                policy=pulumi.Output.all(self.topic.arn, args.account_id, args.partition).apply(
                    lambda v: topic_policy(
                        topic_arn=v[0],
                        account_id=v[1],
                        partition=v[2],
                        region=args.region,
                        alarm_pattern=alarm_name_pattern(n),
                    )
                ),
                opts=child,
            )
            self.topic_arn = self.topic.arn
        for sub in sorted(args.subscriptions, key=lambda s: s.key):
            aws.sns.TopicSubscription(
                n("snssub", sub.key),
                topic=self.topic_arn,
                protocol=sub.protocol,
                endpoint=sub.endpoint,
                opts=child,
            )
        self.register_outputs({"topic_arn": self.topic_arn})
