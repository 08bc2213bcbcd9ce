"""Preflight: everything a deploy or teardown needs, checked before anything changes.

Generic checks first: the Pulumi CLI on PATH, a usable backend (a team backend for a protected
environment), for a deploy or preview the policy pack's virtualenv, valid AWS credentials for the
configured region, every running layer's stack config against its settings model, and the account
guard (the role the stacks name is assumed, and the account must be one they allow; the checks
after it run in that account), and on a team backend each layer's owner (`ops.stacks.layer_access`:
the identity writes the layer's state and is or assumes its deploy role). Then each layer's own
checks (`LIFECYCLE.preflight` in its package: a secret that must exist, an image that must be in
ECR, a snapshot name that must be free, the zones and instance class AWS offers), so preflight
accepts exactly what the programs accept. Each failure is one line that names the problem and the
fix; all are reported together.
The boto3 calls go through one `ops.aws.AwsClients`, so tests point them at moto on loopback.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError

from ops.aws import CREDENTIAL_ERROR_CODES, AwsClients
from ops.bootstrap.accounts import AccountGuardError, enter_account
from ops.bootstrap.local_backend import check_team_backend
from ops.environment.account import AccountConfigError, agreed_account
from ops.environment.environment import REGION_KEY, Environment
from ops.stacks.backend import BackendError, backend_settings
from ops.stacks.errors import PULUMI_INSTALL_HINT
from ops.stacks.layer_access import check_layer_access
from ops.stacks.policy import POLICY_DIR, check_policy_pack
from ops.stacks.teardown import teardown_flips
from shared.layers import get_layer, layer_names, lifecycle
from shared.settings import ConfigError, StackSettings, parse_settings

# The checks: each returns None when fine, or one line -------------------------------------


def check_pulumi_cli(which: Callable[[str], str | None] = shutil.which) -> str | None:
    """The Pulumi CLI the Automation API drives must be on PATH."""
    if which("pulumi"):
        return None
    installed = Path.home() / ".pulumi" / "bin" / "pulumi"
    if installed.is_file():
        return f"Pulumi CLI: found {installed} but it is not on PATH: add ~/.pulumi/bin to PATH"
    return f"Pulumi CLI: not found on PATH: {PULUMI_INSTALL_HINT}"


def check_backend(environ: Mapping[str, str] | None = None) -> str | None:
    """The backend can encrypt secrets (a passphrase or a secrets provider is set)."""
    try:
        backend_settings(environ)
    except BackendError as e:
        return f"Pulumi backend: {e}"
    return None


def check_credentials(sts: Any, region: str) -> str | None:
    """`sts get-caller-identity` succeeds in `region` with the credentials boto3 finds."""
    fix = "refresh them (`aws sso login`, or export AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY/AWS_SESSION_TOKEN)"
    try:
        sts.get_caller_identity()
    except NoCredentialsError:
        return f"AWS credentials: none found for {region}: {fix}, or set AWS_PROFILE"
    except ClientError as e:
        code = e.response.get("Error", {}).get("Code", "")
        if code in CREDENTIAL_ERROR_CODES:
            return f"AWS credentials: rejected by STS in {region} ({code}: expired or invalid): {fix}"
        return f"AWS credentials: STS in {region} failed ({code}): {e.response.get('Error', {}).get('Message', '')}"
    except BotoCoreError as e:
        return f"AWS credentials: cannot reach STS in {region}: {e}"
    return None


Models = Mapping[str, type[StackSettings]]


def check_config(environment: Environment, layers: Iterable[str], models: Models | None = None) -> list[str]:
    """Each of `layers` parses its config into its settings model (one line per bad key).

    `models` replaces the layers' own settings models (tests); a layer without one is only read.
    """
    env = environment.name
    problems: list[str] = []
    for layer in layers:
        try:
            model = lifecycle(layer).settings if models is None else models.get(layer)
            if model is not None:
                parse_settings(model, environment.values(layer), namespace=layer, env=env)
        except ConfigError as e:
            problems.extend(f"config of {layer}/{env}: {line}" for line in str(e).splitlines())
        except (ImportError, LookupError) as e:
            problems.append(
                f"config of {layer}/{env}: cannot load the settings model of {get_layer(layer).package_name}: {e}"
            )
    return problems


# All together ------------------------------------------------------------------------------


@dataclass(frozen=True)
class PreflightReport:
    """The problems found (empty when everything is ready)."""

    problems: tuple[str, ...]

    @property
    def ok(self) -> bool:
        """True when nothing stands in the way."""
        return not self.problems


@dataclass
class _Context:
    """The `PreflightContext` the layers' checks receive."""

    environment: Environment
    aws: AwsClients
    _parsed: dict[str, StackSettings | None] = field(default_factory=dict)

    @property
    def env(self) -> str:
        return self.environment.name

    def settings(self, layer: str) -> StackSettings | None:
        if layer not in self._parsed:
            try:
                values = self.environment.values(layer)
                model = lifecycle(layer).settings
                self._parsed[layer] = parse_settings(model, values, namespace=layer, env=self.env) if values else None
            except ConfigError:
                self._parsed[layer] = None
        return self._parsed[layer]

    def value(self, key: str) -> str | None:
        return self.environment.value(key)

    def delegation(self, domain: str, name_servers: Sequence[str]) -> str | None:
        from ops.dns.delegation import check_delegation  # dnspython, only when a layer asks

        result = check_delegation(domain, name_servers)
        return None if result.delegated else result.line()

    def use_account(self, layers: Iterable[str]) -> str | None:
        """Act in the environment's account from here on (as its role, when set); None, or the one line why not.

        The account comes from whichever of `layers` have readable settings (the layers agree, or
        that is the problem); when none has, the config lines already say why and nothing is checked.
        """
        parsed = {layer: s for layer in layers if (s := self.settings(layer)) is not None}
        if not parsed:
            return None
        try:
            self.aws = enter_account(self.aws, agreed_account(self.env, parsed), purpose="preflight")
        except (AccountConfigError, AccountGuardError) as e:
            return str(e)
        return None


def run_preflight(
    environment: Environment,
    layers: Iterable[str],
    *,
    changes_config: bool,
    aws: AwsClients | None = None,
    which: Callable[[str], str | None] = shutil.which,
    environ: Mapping[str, str] | None = None,
    models: Models | None = None,
    writes_state: bool = True,
    policy_dir: Path = POLICY_DIR,
) -> PreflightReport:
    """Run every check that applies to `layers` of the loaded `environment`.

    `changes_config`: a deploy or preview, which runs the programs - so their config, the DB secret
    (data, compute) and the image (compute) must be ready too. Teardown needs the CLI, the backend
    and credentials, and for the layers whose teardown flips protection (a targeted `up`, which
    runs the program) their config and, for data, the DB secret; the other layers' config may
    have gone stale. A teardown of data that keeps a final snapshot also needs that snapshot's
    name free (`changes_config=False` is exactly destroy / destroy-all).
    On a team backend each layer's owner must be the one deploying it (`ops.stacks.layer_access`):
    the identity writes the layer's state and is or assumes its deploy role; a preview
    (`writes_state=False`) only reads its state.
    """
    env = environment.name
    layers = [n for n in layer_names() if n in set(layers)]
    environ = os.environ if environ is None else environ
    problems = [p for p in (check_pulumi_cli(which), check_backend(environ), check_team_backend(env, environ)) if p]
    if changes_config:
        problems += [p for p in [check_policy_pack(policy_dir)] if p]
    # The layers whose programs run: all of them for a deploy or preview; for teardown, the flipped ones.
    running = layers if changes_config else [n for n in layers if teardown_flips(n, env)]
    problems += check_config(environment, running, models)
    region = environment.region
    if region is None:
        problems.append(f"{REGION_KEY}: not set for {env}: add `aws:region: ap-northeast-2` to each Pulumi.{env}.yaml")
        return PreflightReport(tuple(problems))
    aws = aws or AwsClients(region)
    credential_problem = check_credentials(aws.client("sts"), region)
    if credential_problem:
        # Without credentials the remaining checks would only repeat the same failure.
        return PreflightReport((*problems, credential_problem))
    context = _Context(environment, aws)
    account_problem = context.use_account(layers)
    if account_problem:
        # In another account (or none) the layers' checks would judge the wrong resources.
        return PreflightReport((*problems, account_problem))
    backend_url = environ.get("PULUMI_BACKEND_URL", "")
    for layer in layers:
        access = check_layer_access(
            context.aws,
            layer=layer,
            env=env,
            service=environment.service,
            backend_url=backend_url,
            writes=writes_state,
        )
        problems += [access] if access else []
    seen: set[str] = set()
    for layer in layers:
        for check in lifecycle(layer).preflight:
            if check.when == "deploy":
                due = layer in running
            elif check.when == "deploy-only":
                due = changes_config
            else:
                due = not changes_config
            if due and check.name not in seen:  # a check two layers share (the DB secret) runs once
                seen.add(check.name)
                problems += [p for p in [check.run(context)] if p]
    return PreflightReport(tuple(problems))
