"""What the data layer exports (consumed by compute and integration tests). No password, ever."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import pulumi

from shared.contracts import Contract, output


@dataclass(frozen=True)
class DataContract(Contract):
    LAYER: ClassVar[str] = "data"

    db_endpoint: pulumi.Input[str] = output("`host:port` of the database.")
    db_address: pulumi.Input[str] = output("Hostname of the database.")
    db_port: pulumi.Input[int] = output("TCP port of the database (5432).")
    db_name: pulumi.Input[str] = output("Name of the application database.")
    db_instance_identifier: pulumi.Input[str] = output(
        "RDS instance identifier (for teardown and verify; the `DBInstanceIdentifier` dimension in CloudWatch)."
    )
    db_instance_class: pulumi.Input[str] = output(
        "RDS instance class (the dashboard shows CPU credits for burstable db.t* classes)."
    )
    db_secret_arn: pulumi.Input[str] = output(
        "ARN of the existing Secrets Manager secret holding `username` and `password`."
    )
    db_secret_kms_key_arn: pulumi.Input[str] = output(
        "ARN of the customer KMS key encrypting that secret (the secret's key id or alias resolved "
        "through DescribeKey); empty when it uses aws/secretsmanager."
    )
    db_log_group_name: pulumi.Input[str] = output(
        "CloudWatch log group of PostgreSQL's log (archived to the audit archive)."
    )
    db_kms_key_arn: pulumi.Input[str] = output("ARN of the data layer's KMS key (storage, PI, logs).")
