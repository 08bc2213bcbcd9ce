"""The data sources the layers call, answered as the real provider would: from AWS (moto on loopback).

boto3 reaches moto through `AWS_ENDPOINT_URL`, which the engine passes on to its plugins with the
rest of the environment; the provider's session (its credentials, or the role it assumed) makes
the calls, so an account guard or a missing secret behaves as it would against AWS.

Data sources about resources this provider itself holds (buckets, hosted zones, KMS aliases) are
answered from its cloud instead (`FROM_CLOUD`): moto never sees those resources.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.e2e.provider.cloud import Resource

# ap-northeast-2's Elastic Load Balancing account, which writes ALB access logs (AWS's documented table).
ELB_ACCOUNT = "600734575887"


class InvokeFailure(Exception):
    """The data source failed as AWS answered: its message is what the program's error shows."""


def _client_error(e: Exception) -> InvokeFailure:
    err = getattr(e, "response", {}).get("Error", {"Code": type(e).__name__, "Message": str(e)})
    return InvokeFailure(f"{err.get('Code', 'Error')}: {err.get('Message', '')}")


def caller_identity(session: Any, args: dict[str, Any]) -> dict[str, Any]:
    who = session.client("sts").get_caller_identity()
    return {"accountId": who["Account"], "arn": who["Arn"], "userId": who["UserId"], "id": who["Account"]}


def partition(session: Any, args: dict[str, Any]) -> dict[str, Any]:
    return {"partition": "aws", "dnsSuffix": "amazonaws.com", "id": "aws", "reverseDnsPrefix": "com.amazonaws"}


def region(session: Any, args: dict[str, Any]) -> dict[str, Any]:
    name = session.region_name
    return {"name": name, "region": name, "id": name, "endpoint": f"ec2.{name}.amazonaws.com"}


def secret(session: Any, args: dict[str, Any]) -> dict[str, Any]:
    try:
        found = session.client("secretsmanager").describe_secret(SecretId=args.get("arn") or args.get("name"))
    except Exception as e:  # botocore's ClientError (not imported: most runs never call AWS)
        raise _client_error(e) from None
    return {"arn": found["ARN"], "id": found["ARN"], "name": found["Name"], "kmsKeyId": found.get("KmsKeyId", "")}


def secret_version(session: Any, args: dict[str, Any]) -> dict[str, Any]:
    try:
        found = session.client("secretsmanager").get_secret_value(SecretId=args["secretId"])
    except Exception as e:  # botocore's ClientError (not imported: most runs never call AWS)
        raise _client_error(e) from None
    return {
        "arn": found["ARN"],
        "id": found["ARN"],
        "secretId": args["secretId"],
        "secretString": found.get("SecretString", ""),
        "versionId": found["VersionId"],
        "versionStages": found.get("VersionStages", []),
    }


def kms_key(session: Any, args: dict[str, Any]) -> dict[str, Any]:
    try:
        meta = session.client("kms").describe_key(KeyId=args["keyId"])["KeyMetadata"]
    except Exception as e:  # botocore's ClientError (not imported: most runs never call AWS)
        raise _client_error(e) from None
    return {
        "arn": meta["Arn"],
        "id": meta["KeyId"],
        "keyId": meta["KeyId"],
        "keyManager": meta.get("KeyManager", "CUSTOMER"),
        "enabled": meta.get("Enabled", True),
    }


def elb_service_account(session: Any, args: dict[str, Any]) -> dict[str, Any]:
    return {"arn": f"arn:aws:iam::{ELB_ACCOUNT}:root", "id": ELB_ACCOUNT, "region": session.region_name}


def delegation_set(session: Any, args: dict[str, Any]) -> dict[str, Any]:
    try:
        found = session.client("route53").get_reusable_delegation_set(Id=args["id"])["DelegationSet"]
    except Exception as e:  # botocore's ClientError (not imported: most runs never call AWS)
        raise _client_error(e) from None
    return {"id": args["id"], "nameServers": found["NameServers"], "callerReference": found.get("CallerReference", "")}


INVOKES: dict[str, Callable[[Any, dict[str, Any]], dict[str, Any]]] = {
    "aws:index/getCallerIdentity:getCallerIdentity": caller_identity,
    "aws:index/getPartition:getPartition": partition,
    "aws:index/getRegion:getRegion": region,
    "aws:secretsmanager/getSecret:getSecret": secret,
    "aws:secretsmanager/getSecretVersion:getSecretVersion": secret_version,
    "aws:kms/getKey:getKey": kms_key,
    "aws:elb/getServiceAccount:getServiceAccount": elb_service_account,
    "aws:route53/getDelegationSet:getDelegationSet": delegation_set,
}


def buckets(live: list[Resource], region: str, args: dict[str, Any]) -> dict[str, Any]:
    """ListBuckets filtered by name prefix and region."""
    prefix, where = str(args.get("prefix") or ""), str(args.get("bucketRegion") or region)
    found = sorted(
        str(r.props["bucket"])
        for r in live
        if r.type == "aws:s3/bucket:Bucket"
        and str(r.props.get("bucket", "")).startswith(prefix)
        and r.props.get("region", region) == where
    )
    return {
        "buckets": [
            {"name": b, "bucketArn": f"arn:aws:s3:::{b}", "bucketRegion": where, "creationDate": ""} for b in found
        ],
        "prefix": prefix,
        "bucketRegion": where,
        "region": region,
    }


def zones(live: list[Resource], region: str, args: dict[str, Any]) -> dict[str, Any]:
    """ListHostedZones: every zone id."""
    return {"id": "zones", "ids": [r.id for r in live if r.type == "aws:route53/zone:Zone"]}


def zone(live: list[Resource], region: str, args: dict[str, Any]) -> dict[str, Any]:
    """GetHostedZone (and its tags) by id."""
    found = next((r for r in live if r.type == "aws:route53/zone:Zone" and r.id == args.get("zoneId")), None)
    if found is None:
        raise InvokeFailure(f"NoSuchHostedZone: No hosted zone found with ID: {args.get('zoneId')}")
    return {
        "id": found.id,
        "zoneId": found.id,
        "arn": found.props.get("arn", ""),
        "name": found.props.get("name", ""),
        "comment": found.props.get("comment", ""),
        "nameServers": found.props.get("nameServers", []),
        "privateZone": bool(found.props.get("vpcs")),
        "tags": found.props.get("tags", {}),
    }


def alias(live: list[Resource], region: str, args: dict[str, Any]) -> dict[str, Any]:
    """DescribeKey of an alias: the key it points at."""
    found = next((r for r in live if r.type == "aws:kms/alias:Alias" and r.id == args.get("name")), None)
    if found is None:
        raise InvokeFailure(f"NotFoundException: Alias {args.get('name')} is not found.")
    return {
        "id": found.props.get("arn", ""),
        "arn": found.props.get("arn", ""),
        "name": found.id,
        "targetKeyId": found.props.get("targetKeyId", ""),
        "targetKeyArn": found.props.get("targetKeyArn", ""),
    }


FROM_CLOUD: dict[str, Callable[[list[Resource], str, dict[str, Any]], dict[str, Any]]] = {
    "aws:s3/getBuckets:getBuckets": buckets,
    "aws:route53/getZones:getZones": zones,
    "aws:route53/getZone:getZone": zone,
    "aws:kms/getAlias:getAlias": alias,
}
