"""The properties AWS fills in when it creates a resource (ids, ARNs, DNS names, name servers).

A created resource's state is its inputs plus these. Values follow AWS's formats closely enough
for the programs that read them (an ALB's `arnSuffix` is `app/<name>/<hex>`, a zone has four name
servers, a certificate lists one validation record per domain) and are stable: the same sequence
number gives the same values, so a test can predict them.
"""

from __future__ import annotations

from typing import Any

from tests.e2e.provider.aws_rules import ID_IS, ID_PREFIX, hex_id, service_of


def resource_id(type_: str, name: str, inputs: dict[str, Any], seq: int) -> str:
    """The id AWS would give: a prefixed hex id, the resource's own name, or a generated one."""
    if type_ in ID_PREFIX:
        return f"{ID_PREFIX[type_]}-{hex_id(seq, type_)}"
    key = ID_IS.get(type_)
    if key and isinstance(inputs.get(key), str) and inputs[key]:
        return str(inputs[key])
    if type_ == "aws:route53/zone:Zone":
        return "Z" + hex_id(seq, type_, 20).upper()
    if type_ == "aws:rds/instance:Instance":
        return str(inputs.get("identifier") or f"db-{hex_id(seq, type_, 26)}")
    return f"{name}-{hex_id(seq, type_, 8)}"


def _arn(type_: str, rid: str, account: str, region: str) -> str:
    service = service_of(type_)
    kind = type_.rsplit(":", 1)[-1].lower()
    special = {
        "aws:s3/bucket:Bucket": f"arn:aws:s3:::{rid}",
        "aws:iam/role:Role": f"arn:aws:iam::{account}:role/{rid}",
        "aws:cloudwatch/logGroup:LogGroup": f"arn:aws:logs:{region}:{account}:log-group:{rid}",
        "aws:kms/key:Key": f"arn:aws:kms:{region}:{account}:key/{rid}",
        "aws:kms/alias:Alias": f"arn:aws:kms:{region}:{account}:{rid}",
        "aws:route53/zone:Zone": f"arn:aws:route53:::hostedzone/{rid}",
        "aws:sns/topic:Topic": f"arn:aws:sns:{region}:{account}:{rid}",
        "aws:rds/instance:Instance": f"arn:aws:rds:{region}:{account}:db:{rid}",
        "aws:cloudwatch/metricAlarm:MetricAlarm": f"arn:aws:cloudwatch:{region}:{account}:alarm:{rid}",
        "aws:cloudwatch/dashboard:Dashboard": f"arn:aws:cloudwatch::{account}:dashboard/{rid}",
        "aws:ecs/cluster:Cluster": f"arn:aws:ecs:{region}:{account}:cluster/{rid}",
        "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream": (
            f"arn:aws:firehose:{region}:{account}:deliverystream/{rid}"
        ),
    }
    return special.get(type_, f"arn:aws:{service}:{region}:{account}:{kind}/{rid}")


def created(
    type_: str, name: str, inputs: dict[str, Any], seq: int, *, account: str, region: str
) -> tuple[str, dict[str, Any]]:
    """The new resource's id and full state (its inputs and what AWS adds)."""
    rid = resource_id(type_, name, inputs, seq)
    h = hex_id(seq, type_, 16)
    out: dict[str, Any] = {"id": rid, "arn": _arn(type_, rid, account, region)}
    if "tags" in inputs:
        out["tagsAll"] = inputs["tags"]
    if type_ == "aws:ec2/vpc:Vpc":
        out |= {
            "defaultSecurityGroupId": f"sg-{hex_id(seq, 'default-sg')}",
            "defaultNetworkAclId": f"acl-{hex_id(seq, 'default-acl')}",
            "defaultRouteTableId": f"rtb-{hex_id(seq, 'main-rtb')}",
            "mainRouteTableId": f"rtb-{hex_id(seq, 'main-rtb')}",
            "ownerId": account,
        }
    elif type_ == "aws:ec2/eip:Eip":
        out |= {"publicIp": f"203.0.113.{seq % 250 + 1}", "allocationId": rid}
    elif type_ == "aws:s3/bucket:Bucket":
        bucket = inputs.get("bucket") or rid
        out |= {
            "bucket": bucket,
            "bucketDomainName": f"{bucket}.s3.amazonaws.com",
            "bucketRegionalDomainName": f"{bucket}.s3.{region}.amazonaws.com",
            "region": region,
        }
    elif type_ == "aws:kms/key:Key":
        out["keyId"] = rid
    elif type_ == "aws:kms/alias:Alias":
        key = str(inputs.get("targetKeyId", ""))
        out["targetKeyArn"] = key if key.startswith("arn:") else f"arn:aws:kms:{region}:{account}:key/{key}"
    elif type_ == "aws:route53/zone:Zone":
        out |= {
            "zoneId": rid,
            "nameServers": [f"ns-{(seq * 7 + i) % 2048}.awsdns-{i:02d}.{tld}" for i, tld in enumerate(_NS_TLDS)],
        }
    elif type_ == "aws:route53/record:Record":
        out["fqdn"] = inputs.get("name", "")
    elif type_ == "aws:acm/certificate:Certificate":
        domains = [inputs.get("domainName"), *(inputs.get("subjectAlternativeNames") or [])]
        out |= {
            "status": "ISSUED",
            "domainValidationOptions": [
                {
                    "domainName": d,
                    "resourceRecordName": f"_{hex_id(seq, d, 32)}.{d}.",
                    "resourceRecordType": "CNAME",
                    "resourceRecordValue": f"_{hex_id(seq, d + '/v', 32)}.acm-validations.aws.",
                }
                for d in dict.fromkeys(d for d in domains if d)
            ],
        }
    elif type_ == "aws:acm/certificateValidation:CertificateValidation":
        out["certificateArn"] = inputs.get("certificateArn", "")
    elif type_ == "aws:lb/loadBalancer:LoadBalancer":
        lb = inputs.get("name") or name
        out |= {
            "arn": f"arn:aws:elasticloadbalancing:{region}:{account}:loadbalancer/app/{lb}/{h}",
            "arnSuffix": f"app/{lb}/{h}",
            "dnsName": f"{lb}-{seq}.{region}.elb.amazonaws.com",
            "zoneId": "ZWKZPGTI48KDX",  # the ALB's hosted zone id in ap-northeast-2 (AWS's endpoint table)
        }
        out["id"] = out["arn"]
    elif type_ == "aws:lb/targetGroup:TargetGroup":
        tg = inputs.get("name") or name
        out |= {
            "arn": f"arn:aws:elasticloadbalancing:{region}:{account}:targetgroup/{tg}/{h}",
            "arnSuffix": f"targetgroup/{tg}/{h}",
        }
        out["id"] = out["arn"]
    elif type_ == "aws:lb/listener:Listener":
        out["arn"] = out["id"] = f"arn:aws:elasticloadbalancing:{region}:{account}:listener/app/x/{h}/{seq}"
    elif type_ == "aws:rds/instance:Instance":
        address = f"{rid}.c{h[:12]}.{region}.rds.amazonaws.com"
        port = inputs.get("port") or 5432
        out |= {
            "address": address,
            "endpoint": f"{address}:{port}",
            "port": port,
            "resourceId": f"db-{hex_id(seq, 'dbi', 26).upper()}",
            "status": "available",
            "hostedZoneId": "ZLA2NUCOLGUUR",
        }
    elif type_ == "aws:ecs/service:Service":
        out["id"] = out["arn"] = f"arn:aws:ecs:{region}:{account}:service/{inputs.get('cluster', '')}/{name}"
    elif type_ == "aws:ecs/taskDefinition:TaskDefinition":
        family = inputs.get("family", name)
        out |= {"revision": seq, "arnWithoutRevision": f"arn:aws:ecs:{region}:{account}:task-definition/{family}"}
        out["arn"] = f"{out['arnWithoutRevision']}:{seq}"
        out["id"] = family
    elif type_ == "aws:wafv2/webAcl:WebAcl":
        out["arn"] = f"arn:aws:wafv2:{region}:{account}:regional/webacl/{inputs.get('name', name)}/{rid}"
    elif type_ == "aws:sns/topic:Topic":
        out["arn"] = out["id"] = f"arn:aws:sns:{region}:{account}:{inputs.get('name', name)}"
    elif type_ == "aws:appautoscaling/target:Target":
        out["id"] = str(inputs.get("resourceId", rid))
    return rid if "id" not in out else str(out["id"]), {**out, **inputs, **_keep_computed(type_, out)}


# Properties AWS sets that an input of the same name must not hide (the input is a request, these are facts).
def _keep_computed(type_: str, out: dict[str, Any]) -> dict[str, Any]:
    keep = {"arn", "id"} if type_ not in ("aws:sns/topicPolicy:TopicPolicy",) else {"id"}
    return {k: v for k, v in out.items() if k in keep}


_NS_TLDS = ("com", "net", "org", "co.uk")
