"""What AWS does that the engine must live with, per resource type, for the resource types the layers use.

Sources: the AWS API references of each service (the error codes below are AWS's own) and the
Terraform AWS provider's documentation, on which pulumi-aws is built: an argument marked "Forces
new resource" there is one the real provider replaces instead of updating.

Only what a journey can meet is modelled; a type missing from a table behaves generically
(updated in place, deleted freely, any number of the same name).
"""

from __future__ import annotations

import hashlib
from typing import Any

# Arguments AWS cannot change in place: a change replaces the resource ("Forces new resource").
FORCE_NEW: dict[str, frozenset[str]] = {
    k: frozenset(v)
    for k, v in {
        "aws:ec2/vpc:Vpc": ("cidrBlock", "ipv4IpamPoolId"),
        "aws:ec2/subnet:Subnet": ("vpcId", "cidrBlock", "availabilityZone", "availabilityZoneId"),
        "aws:ec2/securityGroup:SecurityGroup": ("name", "namePrefix", "description", "vpcId"),
        "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": ("securityGroupId",),
        "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": ("securityGroupId",),
        "aws:ec2/eip:Eip": ("domain", "address", "networkBorderGroup", "publicIpv4Pool"),
        "aws:ec2/natGateway:NatGateway": ("allocationId", "subnetId", "connectivityType", "privateIp"),
        "aws:ec2/routeTable:RouteTable": ("vpcId",),
        "aws:ec2/route:Route": ("routeTableId", "destinationCidrBlock"),
        "aws:ec2/routeTableAssociation:RouteTableAssociation": ("subnetId", "gatewayId"),
        "aws:ec2/flowLog:FlowLog": (
            "vpcId",
            "logDestination",
            "logDestinationType",
            "trafficType",
            "iamRoleArn",
            "logFormat",
            "maxAggregationInterval",
        ),
        "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": ("vpcId",),
        "aws:ec2/defaultNetworkAcl:DefaultNetworkAcl": ("defaultNetworkAclId",),
        "aws:cloudwatch/logGroup:LogGroup": ("name", "namePrefix", "logGroupClass"),
        "aws:cloudwatch/logSubscriptionFilter:LogSubscriptionFilter": ("name", "logGroup"),
        "aws:cloudwatch/metricAlarm:MetricAlarm": ("name",),
        "aws:cloudwatch/dashboard:Dashboard": ("dashboardName",),
        "aws:kms/key:Key": ("customerMasterKeySpec", "keyUsage", "multiRegion", "customKeyStoreId"),
        "aws:kms/alias:Alias": ("name", "namePrefix"),
        "aws:iam/role:Role": ("name", "namePrefix", "path"),
        "aws:iam/rolePolicy:RolePolicy": ("name", "namePrefix", "role"),
        "aws:s3/bucket:Bucket": ("bucket", "bucketPrefix", "objectLockEnabled"),
        "aws:s3/bucketPolicy:BucketPolicy": ("bucket",),
        "aws:s3/bucketVersioning:BucketVersioning": ("bucket", "expectedBucketOwner"),
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": (
            "bucket",
            "expectedBucketOwner",
        ),
        "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": ("bucket", "expectedBucketOwner"),
        "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": ("bucket",),
        "aws:s3/bucketOwnershipControls:BucketOwnershipControls": ("bucket",),
        "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration": ("bucket", "expectedBucketOwner"),
        "aws:sns/topic:Topic": ("name", "namePrefix", "fifoTopic"),
        "aws:sns/topicPolicy:TopicPolicy": ("arn",),
        "aws:sns/topicSubscription:TopicSubscription": ("topic", "protocol", "endpoint"),
        "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream": ("name", "destination"),
        "aws:rds/instance:Instance": (
            "identifier",
            "identifierPrefix",
            "engine",
            "username",
            "dbName",
            "kmsKeyId",
            "storageEncrypted",
            "availabilityZone",
            "characterSetName",
            "snapshotIdentifier",
            "timezone",
        ),
        "aws:rds/parameterGroup:ParameterGroup": ("name", "namePrefix", "family", "description"),
        "aws:rds/subnetGroup:SubnetGroup": ("name", "namePrefix"),
        "aws:route53/zone:Zone": ("name", "delegationSetId"),
        "aws:route53/record:Record": ("zoneId", "name", "type", "setIdentifier"),
        "aws:acm/certificate:Certificate": (
            "domainName",
            "subjectAlternativeNames",
            "validationMethod",
            "keyAlgorithm",
            "certificateAuthorityArn",
        ),
        "aws:acm/certificateValidation:CertificateValidation": ("certificateArn", "validationRecordFqdns"),
        "aws:lb/loadBalancer:LoadBalancer": ("name", "namePrefix", "internal", "loadBalancerType"),
        "aws:lb/targetGroup:TargetGroup": (
            "name",
            "namePrefix",
            "port",
            "protocol",
            "protocolVersion",
            "vpcId",
            "targetType",
            "ipAddressType",
        ),
        "aws:lb/listener:Listener": ("loadBalancerArn",),
        "aws:wafv2/webAcl:WebAcl": ("name", "namePrefix", "scope"),
        "aws:wafv2/webAclAssociation:WebAclAssociation": ("resourceArn", "webAclArn"),
        "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration": ("resourceArn",),
        "aws:ecs/cluster:Cluster": ("name",),
        "aws:ecs/service:Service": ("name", "cluster", "launchType", "iamRole", "schedulingStrategy"),
        "aws:appautoscaling/target:Target": ("resourceId", "scalableDimension", "serviceNamespace"),
        "aws:appautoscaling/policy:Policy": ("name", "resourceId", "scalableDimension", "serviceNamespace"),
    }.items()
}

# A task definition revision is immutable: any change but its tags registers a new revision.
_MUTABLE_EVERYWHERE = frozenset({"tags", "tagsAll", "skipDestroy", "trackLatest"})
_IMMUTABLE_TYPES = frozenset({"aws:ecs/taskDefinition:TaskDefinition"})


def forces_replacement(type_: str, prop: str) -> bool:
    """Whether a change of the top-level input `prop` replaces a resource of `type_`."""
    if type_ in _IMMUTABLE_TYPES:
        return prop not in _MUTABLE_EVERYWHERE
    return prop in FORCE_NEW.get(type_, frozenset())


# Names an account (or, for buckets, the world) holds once: creating a second is refused.
UNIQUE_NAMES: dict[str, tuple[str, str]] = {
    "aws:s3/bucket:Bucket": (
        "bucket",
        "BucketAlreadyOwnedByYou: Your previous request to create the named bucket succeeded and you already own it",
    ),
    "aws:cloudwatch/logGroup:LogGroup": (
        "name",
        "ResourceAlreadyExistsException: The specified log group already exists",
    ),
    "aws:iam/role:Role": ("name", "EntityAlreadyExists: Role with name {value} already exists"),
    "aws:kms/alias:Alias": ("name", "AlreadyExistsException: An alias with the name {value} already exists"),
    "aws:rds/instance:Instance": ("identifier", "DBInstanceAlreadyExists: DB instance already exists"),
    "aws:rds/parameterGroup:ParameterGroup": (
        "name",
        "DBParameterGroupAlreadyExists: Parameter group {value} already exists",
    ),
    "aws:rds/subnetGroup:SubnetGroup": ("name", "DBSubnetGroupAlreadyExists: DB subnet group {value} already exists"),
    "aws:lb/loadBalancer:LoadBalancer": (
        "name",
        "DuplicateLoadBalancerName: A load balancer with the same name '{value}' exists",
    ),
    "aws:lb/targetGroup:TargetGroup": (
        "name",
        "DuplicateTargetGroupName: A target group with the same name '{value}' exists",
    ),
    "aws:wafv2/webAcl:WebAcl": (
        "name",
        "WAFDuplicateItemException: AWS WAF couldn't perform the operation because some resource in your request "
        "is a duplicate of an existing one",
    ),
    "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream": (
        "name",
        "ResourceInUseException: Firehose {value} under account {account} already exists",
    ),
}

# Route53 refuses a second zone of one name on the same reusable delegation set (without one it
# makes a second zone, with other name servers): CreateHostedZone, error ConflictingDomainExists.
ZONE_TYPE = "aws:route53/zone:Zone"

# Deleting these with their protection on is refused.
DELETION_PROTECTION: dict[str, tuple[str, str]] = {
    "aws:rds/instance:Instance": (
        "deletionProtection",
        "InvalidParameterCombination: Cannot delete protected DB Instance, please disable deletion protection "
        "and try again.",
    ),
    "aws:lb/loadBalancer:LoadBalancer": (
        "enableDeletionProtection",
        "OperationNotPermitted: Load balancer '{arn}' cannot be deleted because deletion protection is enabled",
    ),
}

# Deleting these while another live resource still uses them is refused.
IN_USE: dict[str, str] = {
    "aws:ec2/securityGroup:SecurityGroup": "DependencyViolation: resource {id} has a dependent object",
    "aws:ec2/subnet:Subnet": "DependencyViolation: The subnet '{id}' has dependencies and cannot be deleted.",
    "aws:ec2/vpc:Vpc": "DependencyViolation: The vpc '{id}' has dependencies and cannot be deleted.",
    "aws:lb/targetGroup:TargetGroup": "ResourceInUse: Target group '{arn}' is currently in use by a listener or a rule",
    "aws:kms/key:Key": "",  # never refused: deletion is scheduled (a 7-30 day window)
}

# Prefixes of the ids AWS gives (e.g. vpc-0a1b2c...); types missing here use their name or an ARN.
ID_PREFIX: dict[str, str] = {
    "aws:ec2/vpc:Vpc": "vpc",
    "aws:ec2/subnet:Subnet": "subnet",
    "aws:ec2/securityGroup:SecurityGroup": "sg",
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": "sgr",
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": "sgr",
    "aws:ec2/internetGateway:InternetGateway": "igw",
    "aws:ec2/eip:Eip": "eipalloc",
    "aws:ec2/natGateway:NatGateway": "nat",
    "aws:ec2/routeTable:RouteTable": "rtb",
    "aws:ec2/routeTableAssociation:RouteTableAssociation": "rtbassoc",
    "aws:ec2/flowLog:FlowLog": "fl",
    "aws:acm/certificateValidation:CertificateValidation": "validation",
}

# Types whose id is the name the program gave (the input holding it).
ID_IS: dict[str, str] = {
    "aws:s3/bucket:Bucket": "bucket",
    "aws:cloudwatch/logGroup:LogGroup": "name",
    "aws:iam/role:Role": "name",
    "aws:kms/alias:Alias": "name",
    "aws:rds/parameterGroup:ParameterGroup": "name",
    "aws:rds/subnetGroup:SubnetGroup": "name",
    "aws:cloudwatch/metricAlarm:MetricAlarm": "name",
    "aws:cloudwatch/dashboard:Dashboard": "dashboardName",
    "aws:ecs/cluster:Cluster": "name",
    "aws:s3/bucketPolicy:BucketPolicy": "bucket",
    "aws:s3/bucketVersioning:BucketVersioning": "bucket",
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": "bucket",
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": "bucket",
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": "bucket",
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls": "bucket",
    "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration": "bucket",
    "aws:sns/topicPolicy:TopicPolicy": "arn",
}


def hex_id(seq: int, salt: str, width: int = 17) -> str:
    """A stable, unique-looking hex id (AWS's ec2 ids are 17 hex digits)."""
    return hashlib.sha256(f"{salt}/{seq}".encode()).hexdigest()[:width]


def service_of(type_: str) -> str:
    """The ARN service of a type token (`aws:ec2/vpc:Vpc` -> `ec2`)."""
    module = type_.split(":")[1].split("/")[0]
    return {
        "cloudwatch": "logs",
        "lb": "elasticloadbalancing",
        "kinesis": "firehose",
        "appautoscaling": "application-autoscaling",
        "wafv2": "wafv2",
        "vpc": "ec2",
    }.get(module, module)


def plain(value: Any) -> Any:
    """The wire carries every number as a float; give integral ones back their int form."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    return value


def references(value: Any, needles: set[str]) -> bool:
    """Whether any string inside `value` is one of `needles` (a resource's id or ARN)."""
    if isinstance(value, str):
        return value in needles
    if isinstance(value, list):
        return any(references(v, needles) for v in value)
    if isinstance(value, dict):
        return any(references(v, needles) for v in value.values())
    return False
