"""The CrossGuard pack on real previews and deploys: where it is, and whether it can run.

`invoke preview`, `deploy` and `deploy-all` hand the engine the repository's pack (`policy/`) and
its enforcement config (`policy/config.json`, Pulumi's policy pack config format: a rule name, or
`all`, mapped to `mandatory` or `advisory`), so the rules `invoke plan` applies offline also judge
every real deploy before it changes anything: in the preview each deploy starts with, whose change
the update that follows applies. The rules read a value the preview cannot know yet (an id, an
ARN) as the offline plan does. Teardown runs without them: lifting a protected environment's
deletion protection is exactly what a rule forbids.

Pulumi creates the virtualenv of a published pack, not of a pack on disk: it must exist as
`policy/venv` with the pack's requirements before the first preview.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ops.environment.stack_files import REPO_ROOT

POLICY_DIR = REPO_ROOT / "policy"
CONFIG_FILE = "config.json"
VENV_COMMAND = "python3 -m venv policy/venv && policy/venv/bin/pip install -r policy/requirements.txt"


@dataclass(frozen=True)
class PolicyPacks:
    """The packs and their configs, as the Automation API takes them."""

    packs: tuple[str, ...] = ()
    configs: tuple[str, ...] = ()


def repository_pack(folder: Path = POLICY_DIR) -> PolicyPacks:
    """The repository's pack, with its enforcement config when the file exists."""
    config = folder / CONFIG_FILE
    return PolicyPacks((str(folder),), (str(config),) if config.is_file() else ())


def check_policy_pack(folder: Path = POLICY_DIR) -> str | None:
    """None when the pack's virtualenv holds its runtime; else one line saying how to make it."""
    venv = folder / "venv"
    found = list(venv.glob("lib/python3*/site-packages/pulumi_policy"))
    if found:
        return None
    state = "has no pulumi-policy" if venv.exists() else "does not exist"
    return (
        f"policy pack: {venv} {state}, and every preview and deploy runs the pack in it: "
        f"make it once with `{VENV_COMMAND}`"
    )
