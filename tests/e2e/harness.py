"""A sandbox for the journeys: a checkout, the real Pulumi CLI, the test provider and moto, all on this machine.

`Sandbox.create(folder)` makes:
- `checkout/`: the repository's files as a fresh clone has them (tracked and new, never ignored
  ones), with `.venv` linked to the running virtualenv, so each project's `Pulumi.yaml` finds it;
- `bin/`: `pulumi-resource-aws` (the test provider, see `tests.e2e.provider.server`), first on PATH,
  and `pulumi`, which logs every CLI call the tooling makes, then runs the real CLI;
- `cloud/`: the provider's cloud; `state/`: the file backend; `dns.json`: public DNS;
- a moto server of its own (`tests.e2e.moto_server`) with fake credentials, reached through
  `AWS_ENDPOINT_URL` by boto3 in the tooling, by the provider's data sources and by the CLI's
  own AWS SDK (the `s3://` backend and `awskms://` secrets provider).

`Sandbox.invoke(...)` runs the real `invoke` command in the checkout (`tests.e2e.launch`).
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import re
import shutil
import signal
import ssl
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3

from tests.e2e.provider.cloud import Cloud
from tests.ops.verify.verify_helpers import write_certificates

REPO = Path(__file__).resolve().parents[2]
REGION = "ap-northeast-2"
ACCOUNT = "123456789012"  # moto's default account
LAYERS = ("network", "data", "edge", "compute")
IMAGE_REPOSITORY = "payments-api"


def pulumi_cli() -> str | None:
    """The Pulumi CLI's path, or None."""
    return shutil.which("pulumi")


@dataclass(frozen=True)
class Ran:
    """What a finished command left: its exit code and everything it printed."""

    args: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str
    seconds: float

    @property
    def output(self) -> str:
        """stdout and stderr together."""
        return self.stdout + self.stderr

    def __str__(self) -> str:
        return f"invoke {' '.join(self.args)} -> {self.returncode} in {self.seconds:.1f}s\n{self.stdout}\n{self.stderr}"


def _source_files() -> list[str]:
    """The files a fresh clone of this working tree would have (tracked and new, never ignored ones)."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=REPO,
        capture_output=True,
        check=True,
    ).stdout.decode()
    return [p for p in listed.split("\0") if p and (REPO / p).is_file()]


def copy_checkout(target: Path) -> Path:
    """Copy the repository's files into `target` (see `_source_files`) and link its `.venv` and the
    policy pack's `policy/venv` to the running virtualenv."""
    for rel in _source_files():
        dest = target / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(REPO / rel, dest)
    (target / ".venv").symlink_to(Path(sys.prefix))
    # The policy pack's own virtualenv: the running one holds everything its requirements name.
    (target / "policy" / "venv").symlink_to(Path(sys.prefix))
    return target


def start_moto(log: Path, env: Mapping[str, str], seconds: float = 60) -> tuple[subprocess.Popen[str], str]:
    """Our moto server in a process of its own, over TLS as AWS is; returns it and its URL (read from its log).

    The server's certificate is signed by a CA made for the sandbox, which every client trusts
    through the environment (`AWS_CA_BUNDLE` for boto3, `SSL_CERT_FILE` for the CLI's Go SDK).
    """
    ca, cert, key = write_certificates(log.parent, "localhost")
    server = subprocess.Popen(
        [sys.executable, "-m", "tests.e2e.moto_server", "--ssl-cert", str(cert), "--ssl-key", str(key)],
        env={**env, "PYTHONPATH": str(REPO)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    urls: queue.Queue[str] = queue.Queue()

    def read_log() -> None:
        with log.open("w") as out:
            for line in server.stderr or ():
                out.write(line)
                out.flush()
                if found := re.search(r"Running on (https://127\.0\.0\.1:\d+)", line):
                    urls.put(found.group(1))

    threading.Thread(target=read_log, daemon=True).start()
    try:
        url = urls.get(timeout=seconds)
    except queue.Empty:
        server.kill()
        raise RuntimeError(f"moto did not say where it serves within {seconds:.0f} s: see {log}") from None
    # The same ids for the same calls (a secret's ARN suffix, a key id), so a copy's moto given the
    # same calls holds the same resources.
    urllib.request.urlopen(
        urllib.request.Request(f"{url}/moto-api/seed?a=42", method="POST"),
        timeout=10,
        context=ssl.create_default_context(cafile=str(ca)),
    )
    return server, url


_CLI_SHIM = """#!/bin/bash
# Every call the tooling makes to the Pulumi CLI, one line each (started, ended, arguments).
start=$EPOCHREALTIME
"{real}" "$@"
code=$?
printf '%s %s %s\\n' "$start" "$EPOCHREALTIME" "$*" >> "{log}"
exit $code
"""

_PROVIDER = """#!{python}
# The test AWS provider plugin (tests/e2e/provider/server.py), started by the Pulumi engine.
import sys
sys.path.insert(0, {root!r})
from tests.e2e.provider.server import main
main(sys.argv[1:])
"""


@dataclass
class Sandbox:
    """One journey's world (see the module docstring)."""

    home: Path
    checkout: Path
    moto_url: str
    env: dict[str, str]
    _moto: subprocess.Popen[str] | None = field(default=None, repr=False)
    # What was put into moto, to put it again into a copy's moto (`clone`).
    _moto_setup: list[tuple[str, tuple[Any, ...]]] = field(default_factory=list, repr=False)

    @classmethod
    def create(cls, home: Path, *, passphrase: str = "e2e-passphrase") -> Sandbox:
        """Make the sandbox under `home` (see the module docstring) and start its moto."""
        home.mkdir(parents=True, exist_ok=True)
        checkout = copy_checkout(home / "checkout")
        (home / "state").mkdir()
        return cls._start(home, checkout, passphrase)

    @classmethod
    def _start(cls, home: Path, checkout: Path, passphrase: str) -> Sandbox:
        real = pulumi_cli()
        if real is None:
            raise RuntimeError("the Pulumi CLI is not on PATH")
        bin_dir = home / "bin"
        bin_dir.mkdir(exist_ok=True)
        (bin_dir / "pulumi").write_text(_CLI_SHIM.format(log=home / "cli.log", real=real))
        (bin_dir / "pulumi-resource-aws").write_text(_PROVIDER.format(python=sys.executable, root=str(checkout)))
        for exe in bin_dir.iterdir():
            exe.chmod(0o755)
        base = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("AWS_", "PULUMI_", "PAYMENTS_")) and k not in ("CI", "PYTHONPATH")
        }
        fake = {
            "AWS_ACCESS_KEY_ID": "AKIAE2ETESTING00000",
            "AWS_SECRET_ACCESS_KEY": "e2e-secret",
            "AWS_DEFAULT_REGION": REGION,
            "AWS_REGION": REGION,
            "AWS_EC2_METADATA_DISABLED": "true",
            "MOTO_ECS_SERVICE_RUNNING": "3",
        }
        moto, url = start_moto(home / "moto.log", {**base, **fake})
        env = {
            **base,
            **fake,
            "AWS_ENDPOINT_URL": url,
            "AWS_CA_BUNDLE": str(home / "ca.pem"),
            "SSL_CERT_FILE": str(home / "ca.pem"),
            "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}",
            "HOME": str(home),
            "PULUMI_HOME": str(home / ".pulumi"),
            "PULUMI_SKIP_UPDATE_CHECK": "true",
            "PULUMI_BACKEND_URL": f"file://{home / 'state'}",
            "PULUMI_CONFIG_PASSPHRASE": passphrase,
            "PAYMENTS_TEST_CLOUD": str(home / "cloud"),
            "PAYMENTS_TEST_DNS": str(home / "dns.json"),
            "PYTHONPATH": os.pathsep.join([str(checkout), *(str(checkout / "projects" / layer) for layer in LAYERS)]),
            "COLUMNS": "120",
            "NO_COLOR": "1",
            "TERM": "dumb",
        }
        return cls(home, checkout, url, env, moto)

    def clone(self, home: Path) -> Sandbox:
        """A copy of this sandbox under `home`: its checkout, state, cloud and public DNS, and a moto of its
        own holding what this one's was given (the same secrets, image and delegation sets)."""
        home.mkdir(parents=True, exist_ok=True)
        for part in ("checkout", "state", "cloud"):
            shutil.copytree(self.home / part, home / part, symlinks=True)
        for part in ("dns.json", "cli.log"):
            if (self.home / part).exists():
                shutil.copy2(self.home / part, home / part)
        copy = self._start(home, home / "checkout", self.env["PULUMI_CONFIG_PASSPHRASE"])
        for method, args in self._moto_setup:
            getattr(copy, method)(*args)
        return copy

    def stop(self) -> None:
        """Stop the sandbox's moto."""
        if self._moto is not None:
            self._moto.terminate()
            try:
                self._moto.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._moto.kill()
            self._moto = None

    # running -----------------------------------------------------------------------------

    def command(self, *args: str) -> list[str]:
        """The argv of `invoke ARGS` in this sandbox."""
        return [sys.executable, "-m", "tests.e2e.launch", *args]

    def invoke(self, *args: str, env: Mapping[str, str] | None = None, timeout: float = 300) -> Ran:
        """Run `invoke ARGS` in the checkout and wait for it."""
        start = time.monotonic()
        done = subprocess.run(
            self.command(*args),
            cwd=self.checkout,
            env={**self.env, **(env or {})},
            capture_output=True,
            text=True,
            timeout=timeout,
            stdin=subprocess.DEVNULL,
        )
        return Ran(args, done.returncode, done.stdout, done.stderr, time.monotonic() - start)

    def start(self, *args: str, env: Mapping[str, str] | None = None) -> subprocess.Popen[str]:
        """Start `invoke ARGS` as a terminal would: the leader of a process group of its own."""
        return subprocess.Popen(
            self.command(*args),
            cwd=self.checkout,
            env={**self.env, **(env or {})},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
            text=True,
            start_new_session=True,
        )

    @staticmethod
    def interrupt(process: subprocess.Popen[str]) -> None:
        """Ctrl-C as a terminal sends it: SIGINT to the whole foreground process group."""
        os.killpg(process.pid, signal.SIGINT)

    def pulumi(self, layer: str, *args: str, env: Mapping[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        """The plain CLI in a layer's folder, as an owning team runs it."""
        return subprocess.run(
            ["pulumi", *args],
            cwd=self.checkout / "projects" / layer,
            env={**self.env, **(env or {})},
            capture_output=True,
            text=True,
            timeout=300,
            stdin=subprocess.DEVNULL,
        )

    # looking -----------------------------------------------------------------------------

    @property
    def cloud(self) -> Cloud:
        """The test provider's cloud."""
        return Cloud(self.home / "cloud")

    def aws(self, service: str) -> Any:
        """A boto3 client of moto, with the sandbox's credentials."""
        return boto3.client(
            service,
            region_name=REGION,
            endpoint_url=self.moto_url,
            verify=self.env["AWS_CA_BUNDLE"],
            aws_access_key_id=self.env["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=self.env["AWS_SECRET_ACCESS_KEY"],
        )

    def cli_calls(self) -> list[str]:
        """Every Pulumi CLI call made so far (its arguments), in the order they ended."""
        return [line.split(" ", 2)[2] for line in self._cli_log()]

    def cli_timings(self) -> list[tuple[float, float, str]]:
        """Every Pulumi CLI call made so far: (started, ended, arguments), in the order they ended."""
        return [(float(a), float(b), args) for a, b, args in (line.split(" ", 2) for line in self._cli_log())]

    def _cli_log(self) -> list[str]:
        log = self.home / "cli.log"
        return log.read_text().splitlines() if log.exists() else []

    def stack_file(self, layer: str, env: str) -> Path:
        """A stack file in the checkout."""
        return self.checkout / "projects" / layer / f"Pulumi.{env}.yaml"

    def set_dns(self, records: Mapping[str, list[str]]) -> None:
        """Public DNS's records (see `tests.e2e.launch`)."""
        path = self.home / "dns.json"
        current = json.loads(path.read_text()) if path.exists() else {}
        path.write_text(json.dumps({**current, **records}, indent=1))

    # the account's contents a deploy expects ----------------------------------------------

    def _reserve(self, env: str) -> Ran:
        self._moto_setup.append(("_reserve", (env,)))
        return self.invoke("dns", "--env", env, "--reserve")

    def delegate(self, env: str, parent: str = "payments.example.com") -> str:
        """Follow `invoke dns --reserve`'s advice: reserve the zone's name servers, set the id it
        prints in edge's stack file, and add the NS record at the parent (public DNS); returns the id."""
        reserved = self._reserve(env)
        found = re.search(r"`edge:delegationSetId: (N\w+)`", reserved.stdout)
        servers = re.search(r"\(([^()]*awsdns[^()]*)\)", reserved.stdout)
        if not found or not servers:
            raise AssertionError(f"invoke dns --reserve did not print the set and its servers:\n{reserved}")
        path = self.stack_file("edge", env)
        path.write_text(path.read_text().replace("config:\n", f"config:\n  edge:delegationSetId: {found[1]}\n", 1))
        domain = re.search(r"edge:domainName: (\S+)", path.read_text())
        assert domain, f"no edge:domainName in {path}"
        self.set_dns({parent: ["ns1.registrar.example.net"], domain[1]: servers[1].split(", ")})
        return found[1]

    def seed_account(self, env: str, image_tag: str = "1.0.0") -> None:
        """What exists before a first deploy: the database secret and the image in ECR."""
        self._moto_setup.append(("seed_account", (env, image_tag)))
        secret_id = f"payments/{env}/db-master"
        self.aws("secretsmanager").create_secret(
            Name=secret_id,
            SecretString=json.dumps({"username": "payments_app", "password": "e2e-Passw0rd-long-enough"}),
        )
        ecr = self.aws("ecr")
        with contextlib.suppress(ecr.exceptions.RepositoryAlreadyExistsException):
            ecr.create_repository(repositoryName=IMAGE_REPOSITORY)
        manifest = {
            "schemaVersion": 2,
            "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
            "config": {
                "mediaType": "application/vnd.docker.container.image.v1+json",
                "size": 2,
                "digest": "sha256:" + "c" * 64,
            },
            "layers": [],
        }
        ecr.put_image(repositoryName=IMAGE_REPOSITORY, imageManifest=json.dumps(manifest), imageTag=image_tag)
