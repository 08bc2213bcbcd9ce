"""The one table of what deploying each resource type takes in IAM, with the pages it comes from.

Every resource type a layer's program registers has a row: the actions that create it, change,
tag and delete it, the actions that read it back (refresh, drift), and how its ARN is scoped:

- `Named`: the ARN is built from the resource's own name in the plan (`name`, `identifier`, ...),
  or, for a name Pulumi makes up (the logical name and a random suffix), from the logical name
  followed by `-*`;
- `Under`: a part of another planned resource (a bucket's policy, a role's inline policy): its
  ARNs are that resource's;
- `Tagged`: AWS names it with an id only it knows (a VPC, a KMS key): creating it is allowed only
  when the request tags it as this layer's (`aws:RequestTag`), everything else only on resources
  already tagged so (`aws:ResourceTag`);
- `Zone`: a Route 53 record: changes only to the record names the plan gives, in any zone
  (`route53:ChangeResourceRecordSetsNormalizedRecordNames`).

Actions that the Service Authorization Reference lists with no resource type can only be granted
on `*`; they are listed apart (`*_any`) so a reviewer sees exactly which. Action names and their
resource types come from the Service Authorization Reference page of each service (`SOURCES`);
`tests/ops/roles/test_actions.py` checks every name and every `*` against the reference's data.
`passes_roles` names the inputs that hand a role to AWS (`iam:PassRole` on exactly those roles);
`service_linked_role` is the role AWS makes on an account's first use of the service.
"""

from __future__ import annotations

from dataclasses import dataclass

_SAR = "https://docs.aws.amazon.com/service-authorization/latest/reference/"
# IAM prefix -> the Service Authorization Reference page listing its actions, resources and keys.
SOURCES: dict[str, str] = {
    "acm": _SAR + "list_awscertificatemanager.html",
    "application-autoscaling": _SAR + "list_awsapplicationautoscaling.html",
    "cloudwatch": _SAR + "list_amazoncloudwatch.html",
    "ec2": _SAR + "list_amazonec2.html",
    "ecr": _SAR + "list_amazonelasticcontainerregistry.html",
    "ecs": _SAR + "list_amazonelasticcontainerservice.html",
    "elasticloadbalancing": _SAR + "list_awselasticloadbalancingv2.html",
    "firehose": _SAR + "list_amazonkinesisfirehose.html",
    "iam": _SAR + "list_awsidentityandaccessmanagementiam.html",
    "kms": _SAR + "list_awskeymanagementservice.html",
    "logs": _SAR + "list_amazoncloudwatchlogs.html",
    "rds": _SAR + "list_amazonrds.html",
    "route53": _SAR + "list_amazonroute53.html",
    "s3": _SAR + "list_amazons3.html",
    "secretsmanager": _SAR + "list_awssecretsmanager.html",
    "sns": _SAR + "list_amazonsns.html",
    "wafv2": _SAR + "list_awswafv2.html",
}


@dataclass(frozen=True)
class Named:
    """ARNs from the resource's name: `arns` are templates with `{name}` (and the account's fields)."""

    arns: tuple[str, ...]
    # The input carrying the physical name; when the program leaves it unset Pulumi autonames it.
    name_input: str = "name"
    # Text the name input carries that the ARN does not (a KMS alias's `alias/`).
    strip: str = ""


@dataclass(frozen=True)
class Under:
    """ARNs of the planned resource that the `input` property refers to (or `arns` with its `{name}`)."""

    input: str
    arns: tuple[str, ...] = ()


@dataclass(frozen=True)
class Tagged:
    """ARNs of AWS-assigned ids, scoped by this layer's tags: `arns` are templates ending in `/*`."""

    arns: tuple[str, ...]
    # The tagging action a create with tags also needs, and the condition key naming that create
    # (EC2 user guide, "Grant permission to tag resources during creation": ec2:CreateTags with
    # ec2:CreateAction).
    tag_on_create: str = ""
    create_action_key: str = ""


@dataclass(frozen=True)
class Account:
    """Any resource of this kind in the account: the reference offers no name, tag or key to narrow it."""

    arns: tuple[str, ...]


@dataclass(frozen=True)
class Zone:
    """A Route 53 record: changes to the record names of the plan's `name` input, in its zone.

    A name only AWS knows yet (an ACM validation record, `(known after apply: cert.validation[d].name)`)
    becomes `computed` with `{key}` the bracketed domain.
    """

    computed: str = "_*.{key}"


Scope = Named | Under | Tagged | Account | Zone


@dataclass(frozen=True)
class Rights:
    """What deploying one resource type takes."""

    scope: Scope
    create: tuple[str, ...] = ()  # on the new resource (tagged: with aws:RequestTag)
    change: tuple[str, ...] = ()  # update, tag, untag, delete: on the resource itself
    read: tuple[str, ...] = ()  # describe/list/get of the resource itself
    create_any: tuple[str, ...] = ()  # create actions with no resource type: "*"
    change_any: tuple[str, ...] = ()  # change actions with no resource type: "*"
    read_any: tuple[str, ...] = ()  # read actions with no resource type: "*"
    passes_roles: tuple[str, ...] = ()  # input paths (dots for nesting) holding a role handed to AWS
    service_linked_role: str = ""  # the service principal whose service-linked role AWS creates
    # Inputs naming this layer's KMS keys the service uses for it as the caller: kms:CreateGrant and
    # kms:DescribeKey on them through that service only (kms:ViaService).
    keys_via_service: tuple[str, ...] = ()
    # (actions, input, ARN template with `{value}`): rights on something the resource makes or
    # names from an input's value (a final snapshot, the alarms of a target tracking policy).
    by_input: tuple[tuple[tuple[str, ...], str, str], ...] = ()
    # Inputs naming other planned resources its create and change actions also act on (a web ACL
    # association acts on the web ACL and on the load balancer).
    acts_on: tuple[str, ...] = ()
    # (actions, ARN templates): rights on something the resource's API hands back (a change id).
    also: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = ()


_ARN = "arn:{partition}:{service}:{region}:{account}:"
LOG_GROUP = (
    "arn:{partition}:logs:{region}:{account}:log-group:{name}",
    "arn:{partition}:logs:{region}:{account}:log-group:{name}:*",
)
BUCKET = ("arn:{partition}:s3:::{name}",)
ROLE = ("arn:{partition}:iam::{account}:role/{name}",)
EC2 = "arn:{partition}:ec2:{region}:{account}:"

# EC2: every resource is named by an id AWS assigns, so each is scoped by tags. A resource type
# whose create action acts on other EC2 resources too (a subnet in a VPC) needs those to be the
# layer's own (tagged) as well: the `change` statement covers them, since it lists every action.
_EC2_READ = (
    "ec2:DescribeVpcs",
    "ec2:DescribeSubnets",
    "ec2:DescribeRouteTables",
    "ec2:DescribeInternetGateways",
    "ec2:DescribeNatGateways",
    "ec2:DescribeAddresses",
    "ec2:DescribeSecurityGroups",
    "ec2:DescribeSecurityGroupRules",
    "ec2:DescribeNetworkAcls",
    "ec2:DescribeNetworkInterfaces",
    "ec2:DescribeFlowLogs",
    "ec2:DescribeTags",
)


def _ec2(*types: str) -> Tagged:
    return Tagged(tuple(f"{EC2}{t}/*" for t in types), "ec2:CreateTags", "ec2:CreateAction")


TABLE: dict[str, Rights] = {
    # EC2 (network)
    "aws:ec2/vpc:Vpc": Rights(
        _ec2("vpc"),
        create=("ec2:CreateVpc",),
        change=("ec2:ModifyVpcAttribute", "ec2:DeleteVpc"),
        read=("ec2:DescribeVpcAttribute",),
        read_any=_EC2_READ,
    ),
    "aws:ec2/subnet:Subnet": Rights(
        _ec2("subnet", "vpc"),
        create=("ec2:CreateSubnet",),
        change=("ec2:ModifySubnetAttribute", "ec2:DeleteSubnet"),
        read_any=_EC2_READ,
    ),
    "aws:ec2/internetGateway:InternetGateway": Rights(
        _ec2("internet-gateway", "vpc"),
        create=("ec2:CreateInternetGateway",),
        change=("ec2:AttachInternetGateway", "ec2:DetachInternetGateway", "ec2:DeleteInternetGateway"),
        read_any=_EC2_READ,
    ),
    "aws:ec2/eip:Eip": Rights(
        _ec2("elastic-ip"),
        create=("ec2:AllocateAddress",),
        change=("ec2:ReleaseAddress",),
        read_any=_EC2_READ,
    ),
    "aws:ec2/natGateway:NatGateway": Rights(
        _ec2("natgateway", "subnet", "elastic-ip"),
        create=("ec2:CreateNatGateway",),
        change=("ec2:DeleteNatGateway",),
        read_any=_EC2_READ,
    ),
    "aws:ec2/routeTable:RouteTable": Rights(
        _ec2("route-table", "vpc"),
        create=("ec2:CreateRouteTable",),
        change=("ec2:DeleteRouteTable",),
        read_any=_EC2_READ,
    ),
    "aws:ec2/route:Route": Rights(
        _ec2("route-table", "natgateway", "internet-gateway"),
        change=("ec2:CreateRoute", "ec2:ReplaceRoute", "ec2:DeleteRoute"),
        read_any=_EC2_READ,
    ),
    "aws:ec2/routeTableAssociation:RouteTableAssociation": Rights(
        _ec2("route-table", "subnet"),
        change=("ec2:AssociateRouteTable", "ec2:DisassociateRouteTable", "ec2:ReplaceRouteTableAssociation"),
        read_any=_EC2_READ,
    ),
    "aws:ec2/securityGroup:SecurityGroup": Rights(
        _ec2("security-group", "vpc"),
        create=("ec2:CreateSecurityGroup",),
        # The provider revokes the allow-all egress rule AWS adds to a new group.
        change=("ec2:RevokeSecurityGroupEgress", "ec2:RevokeSecurityGroupIngress", "ec2:DeleteSecurityGroup"),
        read_any=_EC2_READ,
    ),
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": Rights(
        _ec2("security-group-rule", "security-group"),
        create=("ec2:AuthorizeSecurityGroupIngress",),
        change=(
            "ec2:AuthorizeSecurityGroupIngress",
            "ec2:ModifySecurityGroupRules",
            "ec2:UpdateSecurityGroupRuleDescriptionsIngress",
            "ec2:RevokeSecurityGroupIngress",
        ),
        read_any=_EC2_READ,
    ),
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": Rights(
        _ec2("security-group-rule", "security-group"),
        create=("ec2:AuthorizeSecurityGroupEgress",),
        change=(
            "ec2:AuthorizeSecurityGroupEgress",
            "ec2:ModifySecurityGroupRules",
            "ec2:UpdateSecurityGroupRuleDescriptionsEgress",
            "ec2:RevokeSecurityGroupEgress",
        ),
        read_any=_EC2_READ,
    ),
    # The VPC's default security group and network ACL are made by AWS with the VPC, untagged:
    # the layer claims them by tagging them as its own, then changes them as any of its resources.
    "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": Rights(
        _ec2("security-group"),
        create=("ec2:CreateTags",),
        change=("ec2:RevokeSecurityGroupIngress", "ec2:RevokeSecurityGroupEgress"),
        read_any=_EC2_READ,
    ),
    "aws:ec2/defaultNetworkAcl:DefaultNetworkAcl": Rights(
        _ec2("network-acl"),
        create=("ec2:CreateTags",),
        change=("ec2:CreateNetworkAclEntry", "ec2:ReplaceNetworkAclEntry", "ec2:DeleteNetworkAclEntry"),
        read_any=_EC2_READ,
    ),
    "aws:ec2/flowLog:FlowLog": Rights(
        _ec2("vpc-flow-log", "vpc"),
        create=("ec2:CreateFlowLogs",),
        change=("ec2:DeleteFlowLogs",),
        read_any=_EC2_READ,
        passes_roles=("iamRoleArn",),
    ),
    # CloudWatch Logs
    "aws:cloudwatch/logGroup:LogGroup": Rights(
        Named(LOG_GROUP),
        create=("logs:CreateLogGroup",),
        change=(
            "logs:PutRetentionPolicy",
            "logs:DeleteRetentionPolicy",
            "logs:AssociateKmsKey",
            "logs:DisassociateKmsKey",
            "logs:TagResource",
            "logs:UntagResource",
            "logs:DeleteLogGroup",
        ),
        read=("logs:ListTagsForResource",),
        read_any=("logs:DescribeLogGroups",),
    ),
    # A stream lives in its group: its actions take the log-group ARN (the `:*` form covers streams).
    "aws:cloudwatch/logStream:LogStream": Rights(
        Under("logGroupName"),
        change=("logs:CreateLogStream", "logs:DeleteLogStream"),
        read=("logs:DescribeLogStreams",),
    ),
    # An account-level policy letting a service deliver to log groups (WAF's logging): the
    # reference lists its actions with no resource type.
    "aws:cloudwatch/logResourcePolicy:LogResourcePolicy": Rights(
        Account(()),
        change_any=("logs:PutResourcePolicy", "logs:DeleteResourcePolicy"),
        read_any=("logs:DescribeResourcePolicies",),
    ),
    "aws:cloudwatch/logSubscriptionFilter:LogSubscriptionFilter": Rights(
        Under("logGroup"),
        change=("logs:PutSubscriptionFilter", "logs:DeleteSubscriptionFilter"),
        read=("logs:DescribeSubscriptionFilters",),
        passes_roles=("roleArn",),
    ),
    # Firehose
    "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream": Rights(
        Named(("arn:{partition}:firehose:{region}:{account}:deliverystream/{name}",)),
        create=("firehose:CreateDeliveryStream",),
        change=(
            "firehose:UpdateDestination",
            "firehose:StartDeliveryStreamEncryption",
            "firehose:StopDeliveryStreamEncryption",
            "firehose:TagDeliveryStream",
            "firehose:UntagDeliveryStream",
            "firehose:DeleteDeliveryStream",
        ),
        read=("firehose:DescribeDeliveryStream", "firehose:ListTagsForDeliveryStream"),
        passes_roles=("extendedS3Configuration.roleArn",),
        keys_via_service=("serverSideEncryption.keyArn",),
    ),
    # IAM
    "aws:iam/role:Role": Rights(
        Named(ROLE),
        create=("iam:CreateRole",),
        change=(
            "iam:UpdateRole",
            "iam:UpdateRoleDescription",
            "iam:UpdateAssumeRolePolicy",
            "iam:TagRole",
            "iam:UntagRole",
            "iam:DeleteRole",
        ),
        read=(
            "iam:GetRole",
            "iam:ListRolePolicies",
            "iam:ListAttachedRolePolicies",
            "iam:ListInstanceProfilesForRole",
        ),
    ),
    "aws:iam/rolePolicy:RolePolicy": Rights(
        Under("role"),
        change=("iam:PutRolePolicy", "iam:DeleteRolePolicy"),
        read=("iam:GetRolePolicy",),
    ),
    # KMS: keys have ids only AWS knows; aliases have names.
    "aws:kms/key:Key": Rights(
        Tagged(("arn:{partition}:kms:{region}:{account}:key/*",)),
        create=("kms:TagResource",),
        create_any=("kms:CreateKey",),
        change=(
            "kms:PutKeyPolicy",
            "kms:EnableKeyRotation",
            "kms:DisableKeyRotation",
            "kms:UpdateKeyDescription",
            "kms:TagResource",
            "kms:UntagResource",
            "kms:ScheduleKeyDeletion",
            "kms:CancelKeyDeletion",
        ),
        read=("kms:DescribeKey", "kms:GetKeyPolicy", "kms:GetKeyRotationStatus", "kms:ListResourceTags"),
    ),
    "aws:kms/alias:Alias": Rights(
        Named(("arn:{partition}:kms:{region}:{account}:alias/{name}",), strip="alias/"),
        # The alias and its key are both authorized: the key by the layer's key statement.
        change=("kms:CreateAlias", "kms:UpdateAlias", "kms:DeleteAlias"),
        read_any=("kms:ListAliases",),
    ),
    # S3: a bucket Pulumi names, and its configuration resources.
    "aws:s3/bucket:Bucket": Rights(
        Named(BUCKET, name_input="bucket"),
        create=("s3:CreateBucket",),
        # Object Lock at creation needs both (S3 user guide, "Object Lock considerations").
        change=(
            "s3:PutBucketObjectLockConfiguration",
            "s3:PutBucketVersioning",
            "s3:PutBucketTagging",
            "s3:DeleteBucket",
        ),
        read=(
            "s3:ListBucket",
            "s3:GetBucketTagging",
            "s3:GetBucketAcl",
            "s3:GetBucketCORS",
            "s3:GetBucketWebsite",
            "s3:GetBucketVersioning",
            "s3:GetAccelerateConfiguration",
            "s3:GetBucketRequestPayment",
            "s3:GetBucketLogging",
            "s3:GetLifecycleConfiguration",
            "s3:GetReplicationConfiguration",
            "s3:GetEncryptionConfiguration",
            "s3:GetBucketObjectLockConfiguration",
            "s3:GetBucketPolicy",
            "s3:GetBucketLocation",
        ),
    ),
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": Rights(
        Under("bucket"), change=("s3:PutLifecycleConfiguration",), read=("s3:GetLifecycleConfiguration",)
    ),
    "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration": Rights(
        Under("bucket"),
        change=("s3:PutBucketObjectLockConfiguration",),
        read=("s3:GetBucketObjectLockConfiguration",),
    ),
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls": Rights(
        Under("bucket"), change=("s3:PutBucketOwnershipControls",), read=("s3:GetBucketOwnershipControls",)
    ),
    # Replication hands S3 a role (iam:PassRole on it) to copy objects into the destination bucket.
    "aws:s3/bucketReplicationConfig:BucketReplicationConfig": Rights(
        Under("bucket"),
        change=("s3:PutReplicationConfiguration",),
        read=("s3:GetReplicationConfiguration",),
        passes_roles=("role",),
    ),
    "aws:s3/bucketPolicy:BucketPolicy": Rights(
        Under("bucket"), change=("s3:PutBucketPolicy", "s3:DeleteBucketPolicy"), read=("s3:GetBucketPolicy",)
    ),
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": Rights(
        Under("bucket"), change=("s3:PutBucketPublicAccessBlock",), read=("s3:GetBucketPublicAccessBlock",)
    ),
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": Rights(
        Under("bucket"), change=("s3:PutEncryptionConfiguration",), read=("s3:GetEncryptionConfiguration",)
    ),
    "aws:s3/bucketVersioning:BucketVersioning": Rights(
        Under("bucket"), change=("s3:PutBucketVersioning",), read=("s3:GetBucketVersioning",)
    ),
    # SNS
    "aws:sns/topic:Topic": Rights(
        Named(("arn:{partition}:sns:{region}:{account}:{name}",)),
        create=("sns:CreateTopic",),
        change=("sns:SetTopicAttributes", "sns:TagResource", "sns:UntagResource", "sns:DeleteTopic"),
        read=("sns:GetTopicAttributes", "sns:ListTagsForResource"),
    ),
    "aws:sns/topicPolicy:TopicPolicy": Rights(
        Under("arn"), change=("sns:SetTopicAttributes",), read=("sns:GetTopicAttributes",)
    ),
    # RDS (data)
    "aws:rds/instance:Instance": Rights(
        Named(("arn:{partition}:rds:{region}:{account}:db:{name}",), name_input="identifier"),
        create=("rds:CreateDBInstance",),
        change=(
            "rds:ModifyDBInstance",
            "rds:AddTagsToResource",
            "rds:RemoveTagsFromResource",
            "rds:DeleteDBInstance",
        ),
        read=("rds:DescribeDBInstances", "rds:ListTagsForResource"),
        service_linked_role="rds.amazonaws.com",
        # RDS user guide, "AWS KMS key management": the caller lets RDS create grants on the key.
        keys_via_service=("kmsKeyId", "performanceInsightsKmsKeyId"),
        by_input=(
            (
                ("rds:CreateDBSnapshot", "rds:AddTagsToResource", "rds:DescribeDBSnapshots"),
                "finalSnapshotIdentifier",
                "arn:{partition}:rds:{region}:{account}:snapshot:{value}",
            ),
        ),
    ),
    "aws:rds/parameterGroup:ParameterGroup": Rights(
        Named(("arn:{partition}:rds:{region}:{account}:pg:{name}",)),
        create=("rds:CreateDBParameterGroup",),
        change=(
            "rds:ModifyDBParameterGroup",
            "rds:ResetDBParameterGroup",
            "rds:AddTagsToResource",
            "rds:RemoveTagsFromResource",
            "rds:DeleteDBParameterGroup",
            # The instance is created and modified in its parameter group.
            "rds:CreateDBInstance",
            "rds:ModifyDBInstance",
        ),
        read=("rds:DescribeDBParameterGroups", "rds:DescribeDBParameters", "rds:ListTagsForResource"),
    ),
    "aws:rds/subnetGroup:SubnetGroup": Rights(
        Named(("arn:{partition}:rds:{region}:{account}:subgrp:{name}",)),
        create=("rds:CreateDBSubnetGroup",),
        change=(
            "rds:ModifyDBSubnetGroup",
            "rds:AddTagsToResource",
            "rds:RemoveTagsFromResource",
            "rds:DeleteDBSubnetGroup",
            "rds:CreateDBInstance",
            "rds:ModifyDBInstance",
        ),
        read=("rds:DescribeDBSubnetGroups", "rds:ListTagsForResource"),
    ),
    # CloudWatch
    "aws:cloudwatch/metricAlarm:MetricAlarm": Rights(
        Named(("arn:{partition}:cloudwatch:{region}:{account}:alarm:{name}",)),
        create=("cloudwatch:PutMetricAlarm",),
        change=("cloudwatch:TagResource", "cloudwatch:UntagResource", "cloudwatch:DeleteAlarms"),
        read=("cloudwatch:DescribeAlarms", "cloudwatch:ListTagsForResource"),
    ),
    "aws:cloudwatch/dashboard:Dashboard": Rights(
        Named(("arn:{partition}:cloudwatch::{account}:dashboard/{name}",), name_input="dashboardName"),
        change=("cloudwatch:PutDashboard", "cloudwatch:DeleteDashboards"),
        read=("cloudwatch:GetDashboard",),
    ),
    # ACM (edge)
    "aws:acm/certificate:Certificate": Rights(
        Tagged(("arn:{partition}:acm:{region}:{account}:certificate/*",)),
        create=("acm:AddTagsToCertificate",),
        create_any=("acm:RequestCertificate",),
        change=(
            "acm:UpdateCertificateOptions",
            "acm:AddTagsToCertificate",
            "acm:RemoveTagsFromCertificate",
            "acm:DeleteCertificate",
        ),
        read=("acm:DescribeCertificate", "acm:ListTagsForCertificate"),
    ),
    "aws:acm/certificateValidation:CertificateValidation": Rights(
        Under("certificateArn"), read=("acm:DescribeCertificate",)
    ),
    # Route 53 (edge)
    "aws:route53/zone:Zone": Rights(
        Account(("arn:{partition}:route53:::hostedzone/*",)),
        create_any=("route53:CreateHostedZone",),
        change=("route53:UpdateHostedZoneComment", "route53:ChangeTagsForResource", "route53:DeleteHostedZone"),
        read=("route53:GetHostedZone", "route53:ListResourceRecordSets", "route53:ListTagsForResource"),
        read_any=("route53:ListHostedZonesByName",),
        # Creating a zone or changing records returns a change id the provider waits on.
        also=((("route53:GetChange",), ("arn:{partition}:route53:::change/*",)),),
    ),
    "aws:route53/record:Record": Rights(
        Zone(),
        change=("route53:ChangeResourceRecordSets",),
        read=("route53:ListResourceRecordSets",),
        also=((("route53:GetChange",), ("arn:{partition}:route53:::change/*",)),),
    ),
    # Elastic Load Balancing (edge)
    "aws:lb/loadBalancer:LoadBalancer": Rights(
        Named(("arn:{partition}:elasticloadbalancing:{region}:{account}:loadbalancer/app/{name}/*",)),
        create=("elasticloadbalancing:CreateLoadBalancer", "elasticloadbalancing:AddTags"),
        change=(
            "elasticloadbalancing:ModifyLoadBalancerAttributes",
            "elasticloadbalancing:SetSecurityGroups",
            "elasticloadbalancing:SetSubnets",
            "elasticloadbalancing:SetIpAddressType",
            "elasticloadbalancing:AddTags",
            "elasticloadbalancing:RemoveTags",
            "elasticloadbalancing:DeleteLoadBalancer",
        ),
        read_any=(
            "elasticloadbalancing:DescribeLoadBalancers",
            "elasticloadbalancing:DescribeLoadBalancerAttributes",
            "elasticloadbalancing:DescribeTags",
        ),
        service_linked_role="elasticloadbalancing.amazonaws.com",
    ),
    "aws:lb/targetGroup:TargetGroup": Rights(
        Named(("arn:{partition}:elasticloadbalancing:{region}:{account}:targetgroup/{name}/*",)),
        create=("elasticloadbalancing:CreateTargetGroup", "elasticloadbalancing:AddTags"),
        change=(
            "elasticloadbalancing:ModifyTargetGroup",
            "elasticloadbalancing:ModifyTargetGroupAttributes",
            "elasticloadbalancing:AddTags",
            "elasticloadbalancing:RemoveTags",
            "elasticloadbalancing:DeleteTargetGroup",
        ),
        read_any=(
            "elasticloadbalancing:DescribeTargetGroups",
            "elasticloadbalancing:DescribeTargetGroupAttributes",
            "elasticloadbalancing:DescribeTags",
            # `invoke verify` reads the targets' health (under the read-only role).
            "elasticloadbalancing:DescribeTargetHealth",
        ),
    ),
    "aws:lb/listener:Listener": Rights(
        Under(
            "loadBalancerArn",
            (
                "arn:{partition}:elasticloadbalancing:{region}:{account}:loadbalancer/app/{name}/*",
                "arn:{partition}:elasticloadbalancing:{region}:{account}:listener/app/{name}/*",
            ),
        ),
        # A listener is created on its load balancer's ARN; changed on its own, under that ALB's name.
        change=(
            "elasticloadbalancing:CreateListener",
            "elasticloadbalancing:ModifyListener",
            "elasticloadbalancing:ModifyListenerAttributes",
            "elasticloadbalancing:AddTags",
            "elasticloadbalancing:RemoveTags",
            "elasticloadbalancing:DeleteListener",
        ),
        read_any=(
            "elasticloadbalancing:DescribeListeners",
            "elasticloadbalancing:DescribeListenerAttributes",
            "elasticloadbalancing:DescribeTags",
        ),
    ),
    # WAF (edge)
    "aws:wafv2/webAcl:WebAcl": Rights(
        Named(("arn:{partition}:wafv2:{region}:{account}:regional/webacl/{name}/*",)),
        create=("wafv2:CreateWebACL", "wafv2:TagResource"),
        change=("wafv2:UpdateWebACL", "wafv2:TagResource", "wafv2:UntagResource", "wafv2:DeleteWebACL"),
        read=("wafv2:GetWebACL", "wafv2:ListTagsForResource"),
    ),
    "aws:wafv2/webAclAssociation:WebAclAssociation": Rights(
        Under("webAclArn"),
        change=("wafv2:AssociateWebACL", "wafv2:DisassociateWebACL"),
        acts_on=("resourceArn",),
        read=("wafv2:GetWebACLForResource",),
        # AWS WAF developer guide, "Permissions to associate a web ACL with an ALB".
        change_any=("elasticloadbalancing:SetWebAcl",),
    ),
    "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration": Rights(
        Under("resourceArn"),
        change=("wafv2:PutLoggingConfiguration", "wafv2:DeleteLoggingConfiguration"),
        read=("wafv2:GetLoggingConfiguration",),
        # AWS WAF developer guide, "Permissions to publish logs to CloudWatch Logs".
        change_any=("logs:CreateLogDelivery", "logs:DeleteLogDelivery", "logs:PutResourcePolicy"),
        read_any=("logs:DescribeResourcePolicies", "logs:DescribeLogGroups"),
    ),
    # ECS (compute)
    "aws:ecs/cluster:Cluster": Rights(
        Named(("arn:{partition}:ecs:{region}:{account}:cluster/{name}",)),
        create=("ecs:CreateCluster", "ecs:TagResource"),
        change=(
            "ecs:UpdateCluster",
            "ecs:UpdateClusterSettings",
            "ecs:PutClusterCapacityProviders",
            "ecs:TagResource",
            "ecs:UntagResource",
            "ecs:DeleteCluster",
        ),
        read=("ecs:DescribeClusters", "ecs:ListTagsForResource"),
        service_linked_role="ecs.amazonaws.com",
    ),
    "aws:ecs/service:Service": Rights(
        Named(("arn:{partition}:ecs:{region}:{account}:service/{cluster}/{name}",)),
        create=("ecs:CreateService", "ecs:TagResource"),
        change=("ecs:UpdateService", "ecs:TagResource", "ecs:UntagResource", "ecs:DeleteService"),
        read=("ecs:DescribeServices", "ecs:ListTagsForResource"),
    ),
    "aws:ecs/taskDefinition:TaskDefinition": Rights(
        Named(("arn:{partition}:ecs:{region}:{account}:task-definition/{name}:*",), name_input="family"),
        create=("ecs:RegisterTaskDefinition", "ecs:TagResource"),
        change=("ecs:TagResource", "ecs:UntagResource", "ecs:DeleteTaskDefinitions"),
        read=("ecs:ListTagsForResource",),
        # No resource type in the reference: a revision is deregistered and read by ARN on "*".
        change_any=("ecs:DeregisterTaskDefinition",),
        read_any=("ecs:DescribeTaskDefinition",),
        passes_roles=("executionRoleArn", "taskRoleArn"),
    ),
    # Application Auto Scaling (compute): a scalable target's ARN carries an id AWS assigns.
    "aws:appautoscaling/target:Target": Rights(
        Tagged(("arn:{partition}:application-autoscaling:{region}:{account}:scalable-target/*",)),
        create=("application-autoscaling:RegisterScalableTarget", "application-autoscaling:TagResource"),
        change=(
            "application-autoscaling:RegisterScalableTarget",
            "application-autoscaling:TagResource",
            "application-autoscaling:UntagResource",
            "application-autoscaling:DeregisterScalableTarget",
        ),
        read=("application-autoscaling:ListTagsForResource",),
        read_any=("application-autoscaling:DescribeScalableTargets",),
        service_linked_role="ecs.application-autoscaling.amazonaws.com",
    ),
    "aws:appautoscaling/policy:Policy": Rights(
        Tagged(("arn:{partition}:application-autoscaling:{region}:{account}:scalable-target/*",)),
        change=("application-autoscaling:PutScalingPolicy", "application-autoscaling:DeleteScalingPolicy"),
        read_any=("application-autoscaling:DescribeScalingPolicies",),
        # Application Auto Scaling user guide, "Identity-based policy examples": a target tracking
        # policy's caller creates and removes its alarms, named TargetTracking-<resource id>-...
        by_input=(
            (
                ("cloudwatch:PutMetricAlarm", "cloudwatch:DescribeAlarms", "cloudwatch:DeleteAlarms"),
                "resourceId",
                "arn:{partition}:cloudwatch:{region}:{account}:alarm:TargetTracking-{value}-*",
            ),
        ),
    ),
}

# Data sources a program calls (`aws.<module>.get_*`): token -> (actions, the argument naming
# what is read). Calls that need no permission (the caller's identity, the partition, the ELB
# log-delivery account) have no actions. `ops.roles.derive` turns the argument into its ARN.
CALLS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "aws:index/getCallerIdentity:getCallerIdentity": ((), ()),
    "aws:index/getPartition:getPartition": ((), ()),
    "aws:elb/getServiceAccount:getServiceAccount": ((), ()),
    "aws:secretsmanager/getSecret:getSecret": (("secretsmanager:DescribeSecret",), ("arn", "name")),
    "aws:secretsmanager/getSecretVersion:getSecretVersion": (("secretsmanager:GetSecretValue",), ("secretId",)),
    "aws:kms/getKey:getKey": (("kms:DescribeKey",), ("keyId",)),
    # Lookups of what a protected environment's teardown kept (adopted again by the next deploy):
    # their rights are in LOOKUPS, since what they find is not named by an argument.
    "aws:s3/getBuckets:getBuckets": ((), ()),
    "aws:route53/getZones:getZones": ((), ()),
    "aws:route53/getZone:getZone": ((), ()),
    "aws:route53/getDelegationSet:getDelegationSet": ((), ()),
    "aws:kms/getAlias:getAlias": ((), ()),
}

# Data sources that look a resource up: token -> ((actions, ARN templates), ...). List calls the
# reference gives no resource type take `*`; reads of what they find take that service's own form.
LOOKUPS: dict[str, tuple[tuple[tuple[str, ...], tuple[str, ...]], ...]] = {
    "aws:s3/getBuckets:getBuckets": ((("s3:ListAllMyBuckets",), ("*",)),),
    "aws:route53/getZones:getZones": ((("route53:ListHostedZones",), ("*",)),),
    "aws:route53/getZone:getZone": (
        (("route53:GetHostedZone", "route53:ListTagsForResource"), ("arn:{partition}:route53:::hostedzone/*",)),
    ),
    "aws:route53/getDelegationSet:getDelegationSet": (
        (("route53:GetReusableDelegationSet",), ("arn:{partition}:route53:::delegationset/*",)),
    ),
    # The provider lists the aliases, then describes the key the alias names.
    "aws:kms/getAlias:getAlias": (
        (("kms:ListAliases",), ("*",)),
        (("kms:DescribeKey",), ("arn:{partition}:kms:{region}:{account}:key/*",)),
    ),
}
