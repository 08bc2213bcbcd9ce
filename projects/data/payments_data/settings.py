"""The data layer's settings: every key declared in `projects/data/Pulumi.yaml`."""

from __future__ import annotations

import re
from collections.abc import Iterator

from pydantic import field_validator

from shared.alarms import AlarmWindowSettings
from shared.aws_catalog import region_catalog
from shared.guardrails import RULE_RDS
from shared.naming import Namer
from shared.settings import InvalidSetting, cross_check, log_retention

# PostgreSQL majors in RDS standard support that this layer is tested for. Only the major is
# configured: with automatic minor upgrades, a pinned minor would drift from what AWS runs.
POSTGRES_MAJORS: tuple[str, ...] = ("15", "16", "17")

# CAs RDS currently issues server certificates from (rds-ca-2019 expired in 2024).
CA_CERTIFICATES: tuple[str, ...] = ("rds-ca-rsa2048-g1", "rds-ca-rsa4096-g1", "rds-ca-ecc384-g1")

# Performance Insights accepts 7 days (free tier), whole months as 31-day multiples, or 731.
PI_RETENTION_DAYS: tuple[int, ...] = (7, *(31 * m for m in range(1, 24)), 731)

RESERVED_DB_NAMES = frozenset({"postgres", "rdsadmin", "template0", "template1"})

_SECRET_NAME = re.compile(r"^[A-Za-z0-9/_+=.@-]{1,512}$")
_SECRET_ARN = re.compile(r"^arn:aws[a-z-]*:secretsmanager:(?P<region>[a-z0-9-]+):\d{12}:secret:[A-Za-z0-9/_+=.@-]+$")
_DAILY_WINDOW = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-3]):([0-5]\d)$")
_WEEKLY_WINDOW = re.compile(
    r"^(mon|tue|wed|thu|fri|sat|sun):([01]\d|2[0-3]):([0-5]\d)-"
    r"(mon|tue|wed|thu|fri|sat|sun):([01]\d|2[0-3]):([0-5]\d)$"
)
_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_WEEK = 7 * 24 * 60


def _daily_minutes(window: str) -> tuple[int, int]:
    h1, m1, h2, m2 = (int(x) for x in _DAILY_WINDOW.match(window).groups())  # type: ignore[union-attr]
    start, end = h1 * 60 + m1, h2 * 60 + m2
    return start, end if end > start else end + 24 * 60


def _weekly_minutes(window: str) -> tuple[int, int]:
    d1, h1, m1, d2, h2, m2 = _WEEKLY_WINDOW.match(window).groups()  # type: ignore[union-attr]
    start = _DAYS.index(d1) * 1440 + int(h1) * 60 + int(m1)
    end = _DAYS.index(d2) * 1440 + int(h2) * 60 + int(m2)
    return start, end if end > start else end + _WEEK


class DataSettings(AlarmWindowSettings):
    """The database's shape, protection and credentials source; prod rules checked across fields."""

    db_secret_id: str
    db_name: str
    engine_version: str
    instance_class: str
    multi_az: bool
    allocated_storage: int
    max_allocated_storage: int
    backup_retention_days: int
    backup_window: str
    maintenance_window: str
    deletion_protection: bool
    allow_major_version_upgrade: bool
    skip_final_snapshot: bool
    performance_insights_retention_days: int
    log_retention_days: int
    ca_cert_identifier: str
    teardown: bool
    alarm_cpu_percent: int
    alarm_free_storage_gib: int
    alarm_connections: int
    alarm_freeable_memory_mib: int
    alarm_cpu_credit_balance: int
    log_min_duration_statement_ms: int

    @field_validator("db_secret_id")
    @classmethod
    def _secret_id(cls, v: str) -> str:
        if not (_SECRET_ARN.match(v) or (_SECRET_NAME.match(v) and not v.startswith("arn:"))):
            raise ValueError(
                "expected the name or ARN of an existing Secrets Manager secret holding JSON with username and password"
            )
        return v

    @field_validator("db_name")
    @classmethod
    def _db_name(cls, v: str) -> str:
        if not re.fullmatch(r"[a-z][a-z0-9_]{0,62}", v) or v in RESERVED_DB_NAMES:
            raise ValueError(
                "expected 1-63 lowercase letters, digits or underscores starting with a letter, "
                f"not one of {', '.join(sorted(RESERVED_DB_NAMES))}"
            )
        return v

    @field_validator("engine_version")
    @classmethod
    def _engine_version(cls, v: str) -> str:
        if v not in POSTGRES_MAJORS:
            raise ValueError(
                f"expected a PostgreSQL major version ({', '.join(POSTGRES_MAJORS)}); "
                "minor versions come from automatic minor upgrades"
            )
        return v

    @field_validator("instance_class")
    @classmethod
    def _instance_class(cls, v: str) -> str:
        if not re.fullmatch(r"db\.[a-z0-9]+\.[a-z0-9]+", v):
            raise ValueError("expected an RDS instance class such as db.t3.micro")
        return v

    @field_validator("multi_az")
    @classmethod
    def _multi_az(cls, v: bool) -> bool:
        if not v:
            raise ValueError(f"expected true in every environment: a standby in a second AZ (policy rule {RULE_RDS})")
        return v

    @field_validator("allocated_storage")
    @classmethod
    def _allocated(cls, v: int) -> int:
        if not 20 <= v <= 65536:
            raise ValueError("expected 20-65536 GiB (gp3 minimum for PostgreSQL is 20)")
        return v

    @field_validator("backup_retention_days")
    @classmethod
    def _backups(cls, v: int) -> int:
        if not 1 <= v <= 35:
            raise ValueError("expected 1-35 days (0 would turn automated backups off)")
        return v

    @field_validator("backup_window")
    @classmethod
    def _backup_window(cls, v: str) -> str:
        if not _DAILY_WINDOW.match(v) or _daily_minutes(v)[1] - _daily_minutes(v)[0] < 30:
            raise ValueError("expected a UTC window hh:mm-hh:mm of at least 30 minutes, e.g. 17:00-18:00")
        return v

    @field_validator("maintenance_window")
    @classmethod
    def _maintenance_window(cls, v: str) -> str:
        if not _WEEKLY_WINDOW.match(v) or _weekly_minutes(v)[1] - _weekly_minutes(v)[0] < 30:
            raise ValueError(
                "expected a UTC window ddd:hh:mm-ddd:hh:mm of at least 30 minutes, e.g. sun:18:30-sun:19:30"
            )
        return v

    @field_validator("performance_insights_retention_days")
    @classmethod
    def _pi_retention(cls, v: int) -> int:
        if v not in PI_RETENTION_DAYS:
            raise ValueError("expected 7, a multiple of 31 up to 713, or 731 days")
        return v

    @field_validator("log_retention_days")
    @classmethod
    def _log_retention(cls, v: int) -> int:
        return log_retention(v)

    @field_validator("ca_cert_identifier")
    @classmethod
    def _ca(cls, v: str) -> str:
        if v not in CA_CERTIFICATES:
            raise ValueError(f"expected a current RDS certificate authority: one of {', '.join(CA_CERTIFICATES)}")
        return v

    @field_validator("log_min_duration_statement_ms")
    @classmethod
    def _slow_statement_ms(cls, v: int) -> int:
        # Below 100 ms nearly every statement is logged: a flood, and more SQL text in the logs.
        if v != -1 and not 100 <= v <= 3_600_000:
            raise ValueError("expected -1 (off) or 100-3600000 milliseconds")
        return v

    @field_validator("alarm_cpu_percent")
    @classmethod
    def _alarm_cpu(cls, v: int) -> int:
        if not 1 <= v <= 100:
            raise ValueError("expected a CPU utilization between 1 and 100 (percent)")
        return v

    @field_validator("alarm_free_storage_gib", "alarm_connections", "alarm_freeable_memory_mib")
    @classmethod
    def _alarm_positive(cls, v: int) -> int:
        if not 1 <= v <= 65536:
            raise ValueError("expected a whole number between 1 and 65536")
        return v

    @field_validator("alarm_cpu_credit_balance")
    @classmethod
    def _alarm_credits(cls, v: int) -> int:
        if not 1 <= v <= 5000:
            raise ValueError("expected 1-5000 CPU credits")
        return v

    @cross_check("db_secret_id", "region")
    def _secret_in_this_region(self) -> Iterator[InvalidSetting]:
        arn = _SECRET_ARN.match(self.db_secret_id)
        if arn and arn["region"] != self.region:
            yield InvalidSetting("dbSecretId", self.db_secret_id, f"expected a secret in {self.region}")

    @cross_check("allocated_storage", "max_allocated_storage")
    def _storage_can_grow(self) -> Iterator[InvalidSetting]:
        if not self.allocated_storage < self.max_allocated_storage <= 65536:
            yield InvalidSetting(
                "maxAllocatedStorage",
                self.max_allocated_storage,
                f"expected an upper bound above allocatedStorage ({self.allocated_storage}) and at most 65536 GiB",
            )

    @cross_check("maintenance_window", "backup_window")
    def _windows_apart(self) -> Iterator[InvalidSetting]:
        if self._windows_overlap():
            yield InvalidSetting(
                "maintenanceWindow",
                self.maintenance_window,
                f"expected no overlap with backupWindow {self.backup_window}",
            )

    @cross_check("alarm_free_storage_gib", "allocated_storage")
    def _storage_alarm_below_allocated(self) -> Iterator[InvalidSetting]:
        if self.alarm_free_storage_gib >= self.allocated_storage:
            yield InvalidSetting(
                "alarmFreeStorageGib",
                self.alarm_free_storage_gib,
                f"expected less than allocatedStorage ({self.allocated_storage} GiB), or the alarm never clears",
            )

    @cross_check("instance_class", "engine_version", "region")
    def _instance_class_exists(self) -> Iterator[InvalidSetting]:
        catalog = region_catalog(self.region)
        if self.instance_class not in catalog.instance_classes(self.engine_version):
            families = sorted({c.rsplit(".", 1)[0] for c in catalog.instance_classes(self.engine_version)})
            yield InvalidSetting(
                "instanceClass",
                self.instance_class,
                f"expected a class RDS offers for PostgreSQL {self.engine_version} in {self.region} "
                f"(families {', '.join(families)}; see {catalog.table_path()})",
            )

    @cross_check("env", "skip_final_snapshot")
    def _final_snapshot_when_protected(self) -> Iterator[InvalidSetting]:
        if self.protected and self.skip_final_snapshot:
            yield InvalidSetting(
                "skipFinalSnapshot", self.skip_final_snapshot, "expected false in prod (keep a final snapshot)"
            )

    @cross_check("env", "deletion_protection", "teardown")
    def _deletion_protected_when_protected(self) -> Iterator[InvalidSetting]:
        # Teardown lifts protection with `teardown: true` beside it (shared/layers.py), for one update.
        if self.protected and not self.deletion_protection and not self.teardown:
            yield InvalidSetting(
                "deletionProtection",
                self.deletion_protection,
                f"expected true in {self.env}, a protected environment (policy rule {RULE_RDS}); "
                "teardown lifts it by itself",
            )

    @property
    def final_snapshot_identifier(self) -> str | None:
        """The snapshot RDS writes when the instance is deleted (`snapshot-<service>-final-<env>`), or None.

        Deterministic, so a later teardown finds the name taken by the earlier one's snapshot and RDS
        refuses the delete; teardown preflight checks the name is free before anything changes.
        """
        return None if self.skip_final_snapshot else Namer(self.service, self.env)("snapshot", "final")

    def _windows_overlap(self) -> bool:
        """Whether the weekly maintenance window meets the daily backup window on any day."""
        m_start, m_end = _weekly_minutes(self.maintenance_window)
        b_start, b_end = _daily_minutes(self.backup_window)
        # Days -1..7 also cover windows that cross midnight or the end of the week.
        return any(day * 1440 + b_start < m_end and m_start < day * 1440 + b_end for day in range(-1, 8))
