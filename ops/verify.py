"""After a deploy: check the live platform against the specification (SPEC §3, §4, §6).

`invoke verify --env E` reads the stacks' exports (from the Pulumi stacks through the Automation
API seam, or from the JSON `invoke outputs --json` writes) and asks AWS, with boto3, whether what
runs is what the layers promise, then calls the service over HTTPS with certificate verification.
Each check is one function that returns what it saw or raises `CheckFailed` saying what is wrong;
`run_checks` turns them into one pass/fail line each. Nothing here changes anything.
"""

from __future__ import annotations

import http.client
import json
import socket
import ssl
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urljoin, urlsplit

import boto3
from botocore.config import Config as BotoConfig
from botocore.exceptions import BotoCoreError, ClientError

from payments_edge.settings import ALLOWED_TLS_POLICIES
from shared.layers import LAYER_NAMES

DEFAULT_REGION = "ap-northeast-2"


class VerifyInputError(ValueError):
    """The exports cannot be read, or lack a name verify needs; the message says which."""


class CheckFailed(Exception):
    """A check saw something other than the specification: the message says what."""


# What verify reads ---------------------------------------------------------------------------


@dataclass(frozen=True)
class PlatformExports:
    """The stack exports the checks need (names as in `shared/contracts/`)."""

    # compute
    cluster_name: str
    service_name: str
    task_definition_arn: str
    log_group_name: str
    # data
    db_instance_identifier: str
    db_kms_key_arn: str
    # edge
    alb_dns_name: str
    target_group_arn: str
    https_listener_arn: str
    hosted_zone_id: str
    certificate_arn: str
    service_url: str

    @classmethod
    def from_mapping(cls, exports: Mapping[str, Any]) -> PlatformExports:
        """Pick the needed names out of every layer's exports merged; all must be present and non-empty."""
        names = [f.name for f in fields(cls)]
        missing = [n for n in names if exports.get(n) in (None, "")]
        if missing:
            raise VerifyInputError(
                f"the exports lack {', '.join(missing)}: deploy every layer first "
                "(`invoke deploy-all --env <env>`), or pass the JSON of `invoke outputs --env <env> --json`"
            )
        return cls(**{n: str(exports[n]) for n in names})

    @property
    def domain(self) -> str:
        """The service's domain: the host of its URL."""
        host = urlsplit(self.service_url).hostname
        if not host:
            raise VerifyInputError(f"service_url {self.service_url!r} is not an https:// URL")
        return host


class OutputsSource(Protocol):
    """Anything that returns one layer's stack outputs (e.g. `ops.automation.PulumiEngine`)."""

    def outputs(self, layer: str, env: str) -> Mapping[str, Any]:
        """Output name -> value (or an object with a `.value`, as the Automation API gives)."""
        ...


def _plain(value: Any) -> Any:
    # The Automation API wraps each output (`.value`, `.secret`); JSON dumps may keep that shape.
    if isinstance(value, Mapping) and set(value) >= {"value"} and set(value) <= {"value", "secret"}:
        return value["value"]
    if not isinstance(value, str | int | float | bool | list | dict) and hasattr(value, "value"):
        return value.value
    return value


def merge_exports(per_layer: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """Every layer's exports in one mapping (contract names are unique across layers)."""
    merged: dict[str, Any] = {}
    for layer in LAYER_NAMES:
        for name, value in per_layer.get(layer, {}).items():
            merged[name] = _plain(value)
    return merged


def exports_from_stacks(source: OutputsSource, env: str) -> dict[str, Any]:
    """Read the data, edge and compute stacks' outputs of `env` through the Automation API seam."""
    return merge_exports({layer: source.outputs(layer, env) for layer in ("data", "edge", "compute")})


def exports_from_json(path: Path) -> dict[str, Any]:
    """Read exports saved as JSON: flat `{name: value}` or per layer `{layer: {name: value}}`."""
    try:
        data = json.loads(path.read_text())
    except FileNotFoundError:
        raise VerifyInputError(f"{path} does not exist: write it with `invoke outputs --env <env> --json`") from None
    except json.JSONDecodeError as e:
        raise VerifyInputError(f"{path} is not valid JSON: {e}") from None
    if not isinstance(data, dict):
        raise VerifyInputError(f"{path} must hold a JSON object of exports")
    if data and set(data) <= set(LAYER_NAMES) and all(isinstance(v, dict) for v in data.values()):
        return merge_exports(data)
    return {name: _plain(value) for name, value in data.items()}


# What verify expects -------------------------------------------------------------------------


@dataclass(frozen=True)
class Expectations:
    """The numbers the specification fixes (SPEC §3); only the task floor varies per environment."""

    min_tasks: int = 3
    cpu: str = "512"
    memory: str = "1024"
    log_retention_days: int = 7
    health_path: str = "/health"
    tls_policies: tuple[str, ...] = ALLOWED_TLS_POLICIES


# How verify reaches AWS and the service -----------------------------------------------------


@dataclass(frozen=True)
class AwsClients:
    """The boto3 clients the checks use, all for one region (Route53 is global)."""

    ecs: Any
    elbv2: Any
    rds: Any
    logs: Any
    route53: Any

    @classmethod
    def create(
        cls, region: str = DEFAULT_REGION, *, endpoint_url: str | None = None, session: boto3.Session | None = None
    ) -> AwsClients:
        """Clients from the default credential chain; `endpoint_url` points them elsewhere (moto, tests)."""
        session = session or boto3.Session(region_name=region)
        config = BotoConfig(retries={"max_attempts": 5, "mode": "standard"}, connect_timeout=10, read_timeout=30)

        def client(service: str) -> Any:
            return session.client(service, region_name=region, endpoint_url=endpoint_url, config=config)

        return cls(
            ecs=client("ecs"), elbv2=client("elbv2"), rds=client("rds"), logs=client("logs"), route53=client("route53")
        )


@dataclass(frozen=True)
class TargetHealth:
    """One registered target and its health state as the load balancer reports it."""

    target_id: str
    state: str
    reason: str = ""


def describe_target_health(elbv2: Any, target_group_arn: str) -> list[TargetHealth]:
    """Every target registered in the group, with its state (`healthy`, `unhealthy`, `draining`, ...)."""
    response = elbv2.describe_target_health(TargetGroupArn=target_group_arn)
    return [
        TargetHealth(
            target_id=f"{d['Target']['Id']}:{d['Target'].get('Port', '')}".rstrip(":"),
            state=d["TargetHealth"]["State"],
            reason=d["TargetHealth"].get("Reason", ""),
        )
        for d in response["TargetHealthDescriptions"]
    ]


@dataclass(frozen=True)
class HttpsResult:
    """What the service answered: the HTTP status and the TLS version negotiated."""

    status: int
    tls_version: str


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """HTTPS to a fixed address while the certificate is verified for the URL's host (curl's --connect-to)."""

    def __init__(self, host: str, port: int, *, address: tuple[str, int], context: ssl.SSLContext, timeout: float):
        super().__init__(host, port, context=context, timeout=timeout)
        self._address = address
        self._tls_context = context

    def connect(self) -> None:
        sock = socket.create_connection(self._address, self.timeout)
        self.sock = self._tls_context.wrap_socket(sock, server_hostname=self.host)


def parse_connect_to(value: str) -> tuple[str, int]:
    """`HOST:PORT` (e.g. `127.0.0.1:8443`) -> (host, port), or ValueError saying what is expected."""
    host, sep, port = value.rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError(f"--connect-to {value!r} is invalid: expected HOST:PORT, e.g. 127.0.0.1:8443")
    return host.strip("[]"), int(port)


def https_get(
    url: str, *, ca_bundle: str | None = None, connect_to: tuple[str, int] | None = None, timeout: float = 10.0
) -> HttpsResult:
    """GET `url` over HTTPS with the certificate and host name verified (TLS 1.2 at least); no redirects followed."""
    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.hostname:
        raise CheckFailed(f"{url} is not an https:// URL")
    context = ssl.create_default_context(cafile=ca_bundle)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    port = parts.port or 443
    conn = _PinnedHTTPSConnection(
        parts.hostname, port, address=connect_to or (parts.hostname, port), context=context, timeout=timeout
    )
    try:
        conn.request("GET", parts.path or "/", headers={"User-Agent": "payments-verify"})
        # Read before the response: http.client drops the socket once a closing response is read.
        tls_version = conn.sock.version() if isinstance(conn.sock, ssl.SSLSocket) else None
        return HttpsResult(status=conn.getresponse().status, tls_version=tls_version or "?")
    finally:
        conn.close()


HttpsGet = Callable[[str], HttpsResult]
TargetHealthReader = Callable[[Any, str], list[TargetHealth]]


@dataclass(frozen=True)
class Platform:
    """Everything one verification run looks at."""

    exports: PlatformExports
    aws: AwsClients
    expect: Expectations = Expectations()
    get: HttpsGet = field(default=https_get)
    # The one call moto cannot answer with anything but "healthy": tests inject other states here.
    target_health: TargetHealthReader = field(default=describe_target_health)


# The checks ----------------------------------------------------------------------------------


def check_ecs_service(p: Platform) -> str:
    """The service is active and runs its desired count, which is at least the floor (3 in prod)."""
    e = p.exports
    response = p.aws.ecs.describe_services(cluster=e.cluster_name, services=[e.service_name])
    if not response["services"]:
        reasons = ", ".join(f.get("reason", "?") for f in response.get("failures", []))
        raise CheckFailed(f"service {e.service_name} not found in cluster {e.cluster_name} ({reasons or 'no answer'})")
    service = response["services"][0]
    running, desired = service["runningCount"], service["desiredCount"]
    seen = (
        f"{e.service_name}: {service['status']}, running {running} of desired {desired} (minimum {p.expect.min_tasks})"
    )
    if service["status"] != "ACTIVE" or running != desired or desired < p.expect.min_tasks:
        raise CheckFailed(seen)
    return seen


def check_target_health(p: Platform) -> str:
    """Every target registered in the edge target group is healthy, and there are at least the floor."""
    targets = p.target_health(p.aws.elbv2, p.exports.target_group_arn)
    bad = [t for t in targets if t.state != "healthy"]
    healthy = len(targets) - len(bad)
    seen = f"{healthy} of {len(targets)} targets healthy (minimum {p.expect.min_tasks})"
    if bad:
        details = ", ".join(f"{t.target_id} {t.state}" + (f" ({t.reason})" if t.reason else "") for t in bad)
        raise CheckFailed(f"{seen}; not healthy: {details}")
    if healthy < p.expect.min_tasks:
        raise CheckFailed(seen)
    return seen


def check_task_definition(p: Platform) -> str:
    """The task definition the service runs: 512 CPU units, 1024 MiB, awsvpc, Fargate."""
    e = p.exports
    service = p.aws.ecs.describe_services(cluster=e.cluster_name, services=[e.service_name])["services"]
    arn = service[0]["taskDefinition"] if service else e.task_definition_arn
    td = p.aws.ecs.describe_task_definition(taskDefinition=arn)["taskDefinition"]
    compat = sorted(td.get("requiresCompatibilities", []))
    seen = (
        f"{arn.rsplit('/', 1)[-1]}: cpu {td.get('cpu')}, memory {td.get('memory')}, "
        f"{td.get('networkMode')}, {'/'.join(compat) or 'no compatibilities'}"
    )
    wrong = []
    if str(td.get("cpu")) != p.expect.cpu:
        wrong.append(f"cpu {p.expect.cpu}")
    if str(td.get("memory")) != p.expect.memory:
        wrong.append(f"memory {p.expect.memory}")
    if td.get("networkMode") != "awsvpc":
        wrong.append("network mode awsvpc")
    if "FARGATE" not in compat:
        wrong.append("FARGATE compatibility")
    if wrong:
        raise CheckFailed(f"{seen}; expected {', '.join(wrong)}")
    return seen


def check_database(p: Platform) -> str:
    """RDS is available, Multi-AZ and encrypted with the data layer's KMS key."""
    e = p.exports
    db = p.aws.rds.describe_db_instances(DBInstanceIdentifier=e.db_instance_identifier)["DBInstances"][0]
    kms = db.get("KmsKeyId") or ""
    seen = (
        f"{e.db_instance_identifier}: {db['DBInstanceStatus']}, "
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
    elif kms != e.db_kms_key_arn:
        wrong.append(f"the data layer's key {e.db_kms_key_arn}")
    if wrong:
        raise CheckFailed(f"{seen}; expected {', '.join(wrong)}")
    return seen


def check_log_group(p: Platform) -> str:
    """The containers' log group keeps 7 days and is KMS-encrypted."""
    name = p.exports.log_group_name
    groups = p.aws.logs.describe_log_groups(logGroupNamePrefix=name)["logGroups"]
    group = next((g for g in groups if g["logGroupName"] == name), None)
    if group is None:
        raise CheckFailed(f"log group {name} not found")
    retention = group.get("retentionInDays")
    encryption = "KMS-encrypted" if group.get("kmsKeyId") else "no KMS key"
    seen = f"{name}: retention {retention or 'never expire'} days, {encryption}"
    if retention != p.expect.log_retention_days or not group.get("kmsKeyId"):
        raise CheckFailed(f"{seen}; expected retention {p.expect.log_retention_days} days with a KMS key")
    return seen


def check_https_listener(p: Platform) -> str:
    """The :443 listener serves the exported certificate with a TLS 1.2+ policy."""
    e = p.exports
    listener = p.aws.elbv2.describe_listeners(ListenerArns=[e.https_listener_arn])["Listeners"][0]
    certs = [c["CertificateArn"] for c in listener.get("Certificates", [])]
    policy = listener.get("SslPolicy", "")
    where = f"{listener['Protocol']}:{listener['Port']}"
    seen = f"{where}, policy {policy or 'none'}, certificate {', '.join(certs) or 'none'}"
    wrong = []
    if listener["Protocol"] != "HTTPS" or listener["Port"] != 443:
        wrong.append("HTTPS on 443")
    if certs[:1] != [e.certificate_arn]:
        wrong.append(f"certificate {e.certificate_arn}")
    if policy not in p.expect.tls_policies:
        wrong.append("a TLS 1.2+ policy (" + ", ".join(p.expect.tls_policies[:2]) + ", ...)")
    if wrong:
        raise CheckFailed(f"{seen}; expected {'; '.join(wrong)}")
    return seen


def _dns(name: str) -> str:
    # Route53 answers with a trailing dot, and often a `dualstack.` prefix on ALB aliases.
    name = name.lower().rstrip(".")
    return name.removeprefix("dualstack.")


def check_dns_alias(p: Platform) -> str:
    """The domain's A alias record (and AAAA, if any) points at the load balancer."""
    e = p.exports
    domain = e.domain
    paginator = p.aws.route53.get_paginator("list_resource_record_sets")
    records = [
        r
        for page in paginator.paginate(HostedZoneId=e.hosted_zone_id)
        for r in page["ResourceRecordSets"]
        if _dns(r["Name"]) == domain and r["Type"] in ("A", "AAAA")
    ]
    targets = {r["Type"]: (r.get("AliasTarget") or {}).get("DNSName", "") for r in records}
    if "A" not in targets:
        raise CheckFailed(f"no A record for {domain} in zone {e.hosted_zone_id}")
    seen = ", ".join(
        f"{kind} {domain} -> {target.rstrip('.') or 'not an alias'}" for kind, target in sorted(targets.items())
    )
    if any(_dns(t) != _dns(e.alb_dns_name) for t in targets.values()):
        raise CheckFailed(f"{seen}; expected an alias to {e.alb_dns_name}")
    return seen


def check_https_endpoint(p: Platform) -> str:
    """The service answers over verified HTTPS on its health path with a status below 500."""
    url = urljoin(p.exports.service_url, p.expect.health_path)
    try:
        result = p.get(url)
    except ssl.SSLError as e:
        raise CheckFailed(f"{url}: TLS failed ({e.reason or e})") from None
    except (OSError, http.client.HTTPException) as e:
        raise CheckFailed(f"{url}: no answer ({type(e).__name__}: {e})") from None
    seen = f"{url}: HTTP {result.status} over {result.tls_version}"
    if result.status >= 500:
        raise CheckFailed(f"{seen}; expected a status below 500")
    return seen


@dataclass(frozen=True)
class Check:
    """One named check: what it proves and the function that proves it."""

    name: str
    title: str
    run: Callable[[Platform], str]


CHECKS: tuple[Check, ...] = (
    Check("ecs-service", "ECS service runs its desired count", check_ecs_service),
    Check("target-health", "all load balancer targets healthy", check_target_health),
    Check("task-definition", "task definition 512 CPU / 1024 MiB / awsvpc / Fargate", check_task_definition),
    Check("database", "RDS available, Multi-AZ, KMS-encrypted", check_database),
    Check("log-group", "container logs kept 7 days, KMS-encrypted", check_log_group),
    Check("https-listener", "HTTPS listener: exported certificate, TLS 1.2+ policy", check_https_listener),
    Check("dns-alias", "DNS alias of the domain points at the load balancer", check_dns_alias),
    Check("https-endpoint", "service answers over verified HTTPS", check_https_endpoint),
)
CHECK_NAMES: tuple[str, ...] = tuple(c.name for c in CHECKS)


@dataclass(frozen=True)
class CheckResult:
    """One check's verdict and what it saw."""

    name: str
    title: str
    ok: bool
    detail: str

    def line(self) -> str:
        """`PASS ecs-service  ECS service ...: what was seen`, one line per check."""
        return f"{'PASS' if self.ok else 'FAIL'}  {self.name:<15} {self.title}: {self.detail}"


def _aws_error(e: ClientError | BotoCoreError) -> str:
    if isinstance(e, ClientError):
        err = e.response.get("Error", {})
        return f"AWS said {err.get('Code', '?')}: {err.get('Message', '')}".rstrip(": ")
    return f"AWS call failed: {e}"


def run_checks(platform: Platform, only: Iterable[str] | None = None) -> list[CheckResult]:
    """Run every check (or the named ones) and return one result each; a check never stops the others."""
    chosen = set(only) if only is not None else set(CHECK_NAMES)
    results = []
    for check in CHECKS:
        if check.name not in chosen:
            continue
        try:
            results.append(CheckResult(check.name, check.title, True, check.run(platform)))
        except CheckFailed as e:
            results.append(CheckResult(check.name, check.title, False, str(e)))
        except (ClientError, BotoCoreError) as e:
            results.append(CheckResult(check.name, check.title, False, _aws_error(e)))
    return results
