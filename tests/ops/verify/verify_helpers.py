"""What the verify tests share besides fixtures: the platform's names, the test CA, a free port."""

from __future__ import annotations

import datetime
import ipaddress
import socket
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

REGION = "ap-northeast-2"
ACCOUNT = "123456789012"  # moto's account
SERVICE = "payments"  # the projects' default `service`, which `invoke verify` reads without stack files
ENV = "verify"
DOMAIN = "api.verify.payments.example.com"
GOOD_TLS_POLICY = "ELBSecurityPolicy-TLS13-1-2-Res-2021-06"
# The alarms the data, edge and compute layers create (`alarm-<service>-<key>-<env>`): key -> namespace, metric.
ALARMS: dict[str, tuple[str, str]] = {
    "archive-delivery-late": ("AWS/Firehose", "DeliveryToS3.DataFreshness"),
    "archive-replication-failed": ("AWS/S3", "OperationsFailedReplication"),
    "db-cpu-high": ("AWS/RDS", "CPUUtilization"),
    "db-free-storage-low": ("AWS/RDS", "FreeStorageSpace"),
    "db-connections-high": ("AWS/RDS", "DatabaseConnections"),
    "db-freeable-memory-low": ("AWS/RDS", "FreeableMemory"),
    "db-cpu-credits-low": ("AWS/RDS", "CPUCreditBalance"),
    "elb-5xx-rate": ("AWS/ApplicationELB", "HTTPCode_ELB_5XX_Count"),
    "target-5xx-rate": ("AWS/ApplicationELB", "HTTPCode_Target_5XX_Count"),
    "unhealthy-hosts": ("AWS/ApplicationELB", "UnHealthyHostCount"),
    "target-p99-latency": ("AWS/ApplicationELB", "TargetResponseTime"),
    "waf-blocked-spike": ("AWS/WAFV2", "BlockedRequests"),
    "running-tasks-low": ("ECS/ContainerInsights", "RunningTaskCount"),
    "service-cpu-high": ("AWS/ECS", "CPUUtilization"),
    "service-memory-high": ("AWS/ECS", "MemoryUtilization"),
}
FAKE_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": REGION,
}


@dataclass
class HttpsService:
    """A running local HTTPS service: where to connect, which CA to trust, what /health answers."""

    address: tuple[str, int]
    ca_bundle: Path
    status: int = 200

    @property
    def connect_to(self) -> str:
        return f"{self.address[0]}:{self.address[1]}"


def write_certificates(folder: Path, domain: str) -> tuple[Path, Path, Path]:
    """A test CA and a server certificate for `domain` (and 127.0.0.1) signed by it: (ca, cert, key) PEM files."""
    now = datetime.datetime.now(datetime.UTC)

    def certificate(subject: str, public_key: Any, issuer: x509.Certificate | None, signer: Any) -> x509.Certificate:
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)])
        builder = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(issuer.subject if issuer else name)
            .public_key(public_key)
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.BasicConstraints(ca=issuer is None, path_length=None), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(signer.public_key()), critical=False)
        )
        if issuer is None:  # the CA: may sign certificates
            builder = builder.add_extension(
                x509.KeyUsage(True, False, False, False, False, True, True, False, False), critical=True
            )
        else:  # the server: its names, for server authentication only
            builder = builder.add_extension(
                x509.SubjectAlternativeName([x509.DNSName(domain), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                critical=False,
            ).add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        return builder.sign(signer, hashes.SHA256())

    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = certificate("payments verify test CA", ca_key.public_key(), None, ca_key)
    key = ec.generate_private_key(ec.SECP256R1())
    server = certificate(domain, key.public_key(), ca, ca_key)

    paths = folder / "ca.pem", folder / "cert.pem", folder / "key.pem"
    paths[0].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    paths[1].write_bytes(server.public_bytes(serialization.Encoding.PEM))
    paths[2].write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return paths


def free_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])
