"""What `invoke verify` checks of the data layer on the live platform (read-only)."""

from __future__ import annotations

from shared.lifecycle import CheckFailed, VerifyContext


def check_database(p: VerifyContext) -> str:
    """RDS is available, Multi-AZ and encrypted with the data layer's KMS key."""
    e = p.exports
    db = p.aws.client("rds").describe_db_instances(DBInstanceIdentifier=e["db_instance_identifier"])["DBInstances"][0]
    kms = db.get("KmsKeyId") or ""
    seen = (
        f"{e['db_instance_identifier']}: {db['DBInstanceStatus']}, "
        f"{'Multi-AZ' if db.get('MultiAZ') else 'single-AZ'}, "
        f"{'encrypted with ' + kms if db.get('StorageEncrypted') else 'not encrypted'}"
    )
    wrong = []
    if db["DBInstanceStatus"] != "available":
        wrong.append("status available")
    if not db.get("MultiAZ"):
        wrong.append("Multi-AZ")
    if not db.get("StorageEncrypted") or not kms:
        wrong.append("storage encrypted with a KMS key")
    elif kms != e["db_kms_key_arn"]:
        wrong.append(f"the data layer's key {e['db_kms_key_arn']}")
    if wrong:
        raise CheckFailed(f"{seen}; expected {', '.join(wrong)}")
    return seen
