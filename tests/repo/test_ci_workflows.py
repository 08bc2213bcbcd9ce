"""The users' GitHub Actions workflows: which layers a change deploys, and the safety rails around them.

actionlint itself runs in `.ci/actionlint.sh`; these tests pin what the workflows must keep doing.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
WORKFLOWS = REPO / ".github" / "workflows"
SCRIPT = REPO / ".github" / "scripts" / "changed_layers.py"

_spec = importlib.util.spec_from_file_location("changed_layers", SCRIPT)
assert _spec and _spec.loader
changed_layers_module = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(changed_layers_module)
changed_layers = changed_layers_module.changed_layers


def workflow(name: str) -> dict[str, Any]:
    return yaml.safe_load((WORKFLOWS / name).read_text())


def steps(wf: dict[str, Any], job: str) -> list[dict[str, Any]]:
    return wf["jobs"][job]["steps"]


def step(wf: dict[str, Any], job: str, name_part: str) -> dict[str, Any]:
    return next(s for s in steps(wf, job) if name_part in s.get("name", ""))


# Which layers a change touches --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("paths", "layers"),
    [
        (["projects/edge/payments_edge/load_balancer.py"], ["edge"]),
        (["projects/compute/Pulumi.prod.yaml", "projects/network/Pulumi.yaml"], ["network", "compute"]),
        (["projects/data/__main__.py", "projects/edge/Pulumi.yaml", "tests/edge/test_x.py"], ["data", "edge"]),
        (["shared/naming.py"], ["network", "data", "edge", "compute"]),
        (["pyproject.toml", "projects/edge/Pulumi.yaml"], ["network", "data", "edge", "compute"]),
        (["docs/operations.md", "ops/verify.py", "tests/verify/test_verify_cli.py", "README.md"], []),
        (["projects/README.md", "projects/billing/__main__.py"], []),
    ],
)
def test_changed_paths_select_their_layers_in_graph_order(paths, layers):
    assert changed_layers(paths) == layers


def run_changes_step(tmp_path: Path, files_changed: list[str], *, before: str | None = None) -> dict[str, str]:
    """Run deploy.yml's `changes` step script in a scratch git repository; return its step outputs."""
    repo = tmp_path / "repo"
    (repo / ".github" / "scripts").mkdir(parents=True)
    shutil.copy(SCRIPT, repo / ".github" / "scripts" / "changed_layers.py")

    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, text=True).stdout.strip()

    git("init", "-q")
    git("-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "--allow-empty", "-m", "base")
    base = git("rev-parse", "HEAD")
    for path in files_changed:
        (repo / path).parent.mkdir(parents=True, exist_ok=True)
        (repo / path).write_text("changed\n")
    git("add", "-A")
    git("-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "-m", "change")
    output = tmp_path / "github_output"
    output.write_text("")
    env = {
        "PATH": os.environ["PATH"],
        "HOME": str(tmp_path),
        "GITHUB_WORKSPACE": str(REPO),  # where `shared/` is importable from
        "GITHUB_SHA": git("rev-parse", "HEAD"),
        "GITHUB_OUTPUT": str(output),
        "BEFORE": base if before is None else before,
        "EVENT": "push",
    }
    script = step(workflow("deploy.yml"), "changes", "Layers under")["run"]
    python_dir = Path(sys.executable).parent  # `python3` in the step: any 3.11 works, as on a runner
    env["PATH"] = f"{python_dir}:{env['PATH']}"
    subprocess.run(["bash", "-e", "-c", script], cwd=repo, env=env, check=True, capture_output=True, text=True)
    return dict(line.split("=", 1) for line in output.read_text().splitlines())


EVERY_WAVE = {"wave1": '["network"]', "wave2": '["data", "edge"]', "wave3": '["compute"]'}


def test_deploy_changes_step_deploys_the_touched_layers_and_those_below_them(tmp_path):
    outputs = run_changes_step(tmp_path, ["projects/compute/Pulumi.prod.yaml", "projects/edge/x.py", "docs/a.md"])

    assert outputs == {"wave1": "[]", "wave2": '["edge"]', "wave3": '["compute"]', "layers": "edge compute"}


def test_a_change_to_data_redeploys_compute_under_computes_own_job(tmp_path):
    outputs = run_changes_step(tmp_path, ["projects/data/Pulumi.prod.yaml"])

    assert outputs == {"wave1": "[]", "wave2": '["data"]', "wave3": '["compute"]', "layers": "data compute"}


def test_deploy_changes_step_deploys_everything_when_shared_changed(tmp_path):
    outputs = run_changes_step(tmp_path, ["shared/tags.py"])

    assert outputs == {**EVERY_WAVE, "layers": "network data edge compute"}


def test_deploy_changes_step_deploys_nothing_for_docs_only(tmp_path):
    assert run_changes_step(tmp_path, ["docs/operations.md"]) == {
        "wave1": "[]",
        "wave2": "[]",
        "wave3": "[]",
        "layers": "",
    }


def test_deploy_changes_step_deploys_everything_after_a_force_push(tmp_path):
    # `before` is not in the history (force push) or all zeros (new branch): diffing is impossible.
    outputs = run_changes_step(tmp_path, ["docs/a.md"], before="0" * 40)

    assert outputs == {**EVERY_WAVE, "layers": "network data edge compute"}


# Safety rails in every workflow -------------------------------------------------------------------


ALL = sorted(p.name for p in WORKFLOWS.glob("*.yml"))


def test_the_four_user_workflows_exist():
    assert ALL == ["deploy.yml", "drift.yml", "ephemeral.yml", "pull-request.yml"]


# Each action at the commit its release tag named when it was pinned, read from the action's own
# repository (`git rev-parse <tag>^{commit}`); the comment on the `uses:` line says which release.
PINNED = {
    "actions/checkout": ("fbc6f3992d24b796d5a048ff273f7fcc4a7b6c09", "v5.1.0"),
    "actions/setup-python": ("ece7cb06caefa5fff74198d8649806c4678c61a1", "v6.3.0"),
    "actions/upload-artifact": ("b7c566a772e6b6bfb58ed0dc250532a479d7789f", "v6.0.0"),
    "aws-actions/configure-aws-credentials": ("e6de054238d6b7531b4efff3b6587d9aade6a06c", "v6.2.3"),
}


@pytest.mark.parametrize("name", ALL)
def test_actions_are_pinned_to_a_full_commit_with_its_release_in_a_comment(name):
    uses = re.findall(r"uses:\s*(\S+)(.*)", (WORKFLOWS / name).read_text())
    assert uses
    for ref, comment in uses:
        action, _, commit = ref.partition("@")
        assert re.fullmatch(r"[0-9a-f]{40}", commit), ref
        assert (commit, comment.strip()) == (PINNED[action][0], f"# {PINNED[action][1]}"), ref


@pytest.mark.parametrize("name", ALL)
def test_checkouts_never_keep_the_token_in_the_git_config(name):
    for job_name, job in workflow(name)["jobs"].items():
        for s in job["steps"]:
            if s.get("uses", "").startswith("actions/checkout@"):
                assert s["with"]["persist-credentials"] is False, job_name


@pytest.mark.parametrize("name", ALL)
def test_no_expression_is_expanded_inside_a_script(name):
    # `${{ }}` in `run:` is pasted into the script before the shell sees it (GitHub's "Security
    # hardening for GitHub Actions": script injection); values reach scripts through `env:` only.
    for job_name, job in workflow(name)["jobs"].items():
        for s in job["steps"]:
            assert "${{" not in s.get("run", ""), f"{job_name}: {s.get('name')}"


@pytest.mark.parametrize("name", ALL)
def test_every_job_that_previews_or_deploys_makes_the_policy_packs_virtualenv_first(name):
    # `invoke preview`/`deploy` run the CrossGuard pack, whose virtualenv Pulumi does not create.
    made = "python -m venv policy/venv && policy/venv/bin/pip install -r policy/requirements.txt"
    for job_name, job in workflow(name)["jobs"].items():
        scripts = [s.get("run", "") for s in job["steps"]]
        runs = [i for i, text in enumerate(scripts) if re.search(r"invoke (preview|deploy|deploy-all)\b", text)]
        if runs:
            assert any(made in text for text in scripts[: runs[0]]), job_name


@pytest.mark.parametrize("name", ALL)
def test_aws_access_is_oidc_only_and_granted_per_job(name):
    wf = workflow(name)
    # Nothing by default; every job states what it needs, and only a job that talks to AWS asks
    # for the OIDC token.
    assert wf["permissions"] == {}
    for job_name, job in wf["jobs"].items():
        aws_steps = [s for s in job["steps"] if s.get("uses", "").startswith("aws-actions/configure-aws-credentials@")]
        for s in aws_steps:
            assert s["with"]["role-to-assume"].startswith("${{ vars.AWS_"), job_name
            assert not {"aws-access-key-id", "aws-secret-access-key"} & set(s["with"]), job_name
            assert s["with"]["aws-region"] == "${{ env.AWS_REGION }}"
        if aws_steps:
            assert job["permissions"] == {"contents": "read", "id-token": "write"}, job_name
        else:
            assert job["permissions"] == {"contents": "read"}, job_name
    assert wf["env"]["AWS_REGION"] == "ap-northeast-2"


def test_pull_request_runs_the_offline_plan_and_tests_then_previews_changed_layers():
    wf = workflow("pull-request.yml")
    offline = " ".join(s.get("run", "") for s in steps(wf, "offline"))
    assert ".venv/bin/invoke plan --env prod" in offline
    assert ".venv/bin/pytest" in offline
    assert "bash .ci/actionlint.sh" in offline
    preview = wf["jobs"]["preview"]
    assert preview["needs"] == ["offline", "changes"]
    assert "needs.changes.outputs.layers != ''" in preview["if"]
    assert 'invoke preview --layer "$layer" --env dev' in step(wf, "preview", "Preview each")["run"]
    # unreviewed code never runs with prod credentials, state or passphrase
    assert preview["environment"] == "preview"
    assert "--env prod" not in str(preview)
    assert wf["concurrency"]["cancel-in-progress"] is True  # a new push supersedes the old checks


def test_deploy_is_serialized_never_cancelled_and_runs_each_layer_in_its_own_environment_with_its_own_role():
    from shared.layers import waves

    wf = workflow("deploy.yml")
    assert wf[True] == {"push": {"branches": ["main"]}, "workflow_dispatch": None}  # YAML reads `on` as True
    assert wf["concurrency"] == {"group": "deploy-prod", "cancel-in-progress": False}
    wave_jobs = [name for name in wf["jobs"] if name.startswith("wave-")]
    assert wave_jobs == [f"wave-{n}" for n in range(1, len(waves()) + 1)]  # one job per wave of the graph
    for n, name in enumerate(wave_jobs, 1):
        job = wf["jobs"][name]
        assert job["needs"] == ["changes", *([f"wave-{n - 1}"] if n > 1 else [])]
        assert job["if"] == f"${{{{ !cancelled() && !failure() && needs.changes.outputs.wave{n} != '[]' }}}}"
        assert job["strategy"]["matrix"] == {"layer": f"${{{{ fromJSON(needs.changes.outputs.wave{n}) }}}}"}
        assert job["environment"] == "prod-${{ matrix.layer }}"  # the layer's reviewers and its role
        assert job["env"]["LAYER"] == "${{ matrix.layer }}"
        (creds,) = credential_steps(job)
        assert creds["with"]["role-to-assume"] == "${{ vars.AWS_DEPLOY_ROLE_ARN }}"
        assert steps(wf, name)[-1]["run"] == '.venv/bin/invoke deploy --layer "$LAYER" --env prod'
    assert "deploy-all" not in (WORKFLOWS / "deploy.yml").read_text()  # no job holds every layer's rights
    verify = wf["jobs"]["verify"]
    assert verify["needs"] == ["changes", *wave_jobs]
    assert verify["environment"] == "prod-drift"
    (creds,) = credential_steps(verify)
    assert creds["with"]["role-to-assume"] == "${{ vars.AWS_DRIFT_ROLE_ARN }}"  # read-only
    assert steps(wf, "verify")[-1]["run"] == ".venv/bin/invoke verify --env prod"


def test_the_changes_job_outputs_one_wave_per_graph_wave():
    from shared.layers import waves

    outputs = workflow("deploy.yml")["jobs"]["changes"]["outputs"]
    assert set(outputs) == {"layers", *(f"wave{n}" for n in range(1, len(waves()) + 1))}


def test_ephemeral_environment_is_created_from_dev_verified_and_always_destroyed():
    wf = workflow("ephemeral.yml")
    job_steps = steps(wf, "ephemeral")
    deploy = next(s for s in job_steps if s.get("id") == "deploy")
    assert deploy["run"] == (
        '.venv/bin/invoke deploy-all --env "$ENV_NAME" --from dev'
        ' --set "edge:domainName=$ENV_NAME.$EPHEMERAL_PARENT_DOMAIN" --set "edge:hostedZoneId=$EPHEMERAL_HOSTED_ZONE_ID"'
    )
    assert deploy["env"]["EPHEMERAL_PARENT_DOMAIN"] == "${{ vars.EPHEMERAL_PARENT_DOMAIN }}"
    assert deploy["env"]["EPHEMERAL_HOSTED_ZONE_ID"] == "${{ vars.EPHEMERAL_HOSTED_ZONE_ID }}"
    verify = step(wf, "ephemeral", "Verify it")["run"]
    assert '.venv/bin/invoke verify --env "$ENV_NAME" --outputs-json outputs.json' in verify

    destroy = job_steps[-1]
    assert destroy["run"] == '.venv/bin/invoke destroy-all --env "$ENV_NAME" --yes'
    # Runs after a failed or cancelled deploy too; skipped only if the deploy never started.
    assert destroy["if"] == "always() && steps.deploy.outcome != 'skipped'"
    refresh = job_steps[-2]
    assert refresh["uses"].startswith("aws-actions/configure-aws-credentials@")
    assert refresh["if"] == destroy["if"]
    assert job_steps.index(deploy) < job_steps.index(step(wf, "ephemeral", "Verify it")) < job_steps.index(destroy)
    assert wf["jobs"]["ephemeral"]["concurrency"]["cancel-in-progress"] is False


def test_every_job_that_gets_aws_credentials_or_secrets_runs_in_a_github_environment():
    # The environment is the OIDC subject its role trusts (not any branch or pull request) and the
    # only place its secrets live.
    for name in ALL:
        for job_name, job in workflow(name)["jobs"].items():
            text = json.dumps(job)
            if (job.get("permissions") or {}).get("id-token") == "write" or "secrets." in text:
                assert job.get("environment"), f"{name}: job {job_name} has no environment"


def test_ephemeral_environment_name_follows_the_env_name_rule(tmp_path):
    script = step(workflow("ephemeral.yml"), "ephemeral", "Choose the environment name")["run"]

    def name_for(**env: str) -> tuple[str, subprocess.CompletedProcess[str]]:
        """(the step's outputs, the finished process) for these environment variables."""
        output = tmp_path / "out"
        output.write_text("")
        base = {
            "PATH": os.environ["PATH"],
            "GITHUB_OUTPUT": str(output),
            "REQUESTED": "",
            "PR_NUMBER": "",
            "RUN_NUMBER": "7",
        }
        result = subprocess.run(["bash", "-e", "-c", script], env=base | env, capture_output=True, text=True)
        return output.read_text(), result

    assert name_for(PR_NUMBER="42")[0] == "env=pr42\n"
    assert name_for()[0] == "env=ci7\n"
    assert name_for(REQUESTED="smoke1")[0] == "env=smoke1\n"
    for bad in ("prod", "dev", "Pr42", "a", "toolongname1", "x;rm"):
        outputs, result = name_for(REQUESTED=bad)
        assert (outputs, result.returncode) == ("", 1), bad
        assert "is invalid: expected 2-10 lowercase letters or digits" in result.stdout


def test_drift_runs_daily_and_by_hand_and_only_ever_reads_prod():
    wf = workflow("drift.yml")
    triggers = wf[True]  # YAML reads `on` as True
    assert set(triggers) == {"schedule", "workflow_dispatch"}
    (cron,) = [entry["cron"] for entry in triggers["schedule"]]
    assert cron.split()[2:] == ["*", "*", "*"]  # every day
    runs = "\n".join(s.get("run", "") for s in steps(wf, "drift"))
    assert re.findall(r"invoke (\S+(?: --\S+ \S+)*)", runs) == ["drift --env prod"]
    assert not re.search(r"pulumi (up|refresh|destroy|import|state|cancel)\b", runs)
    job = wf["jobs"]["drift"]
    # Its own environment and a read-only role: never the reviewed production environment or the deploy role.
    assert job["environment"] == "prod-drift"
    (creds,) = credential_steps(job)
    assert creds["with"]["role-to-assume"] == "${{ vars.AWS_DRIFT_ROLE_ARN }}"
    assert "AWS_DEPLOY_ROLE_ARN" not in (WORKFLOWS / "drift.yml").read_text()
    # Never queued behind or ahead of a deploy in its concurrency group.
    assert wf["concurrency"]["group"] != workflow("deploy.yml")["concurrency"]["group"]


def test_drift_fails_visibly_and_never_swallows_a_failure():
    wf = workflow("drift.yml")
    job = wf["jobs"]["drift"]
    assert "continue-on-error" not in job
    assert [s.get("name", s.get("uses")) for s in job["steps"] if "continue-on-error" in s or "if" in s] == []


@pytest.mark.parametrize(
    ("status", "headline", "annotation"),
    [
        (0, "## prod: no drift", None),
        (1, "## prod: DRIFT: resources changed outside Pulumi", "::error title=Drift in prod::"),
        (2, "## prod: NOT CHECKED (exit 2)", "::error title=Drift check of prod did not run::"),
    ],
)
def test_drift_step_fails_the_job_with_the_tasks_status_and_writes_the_summary(tmp_path, status, headline, annotation):
    script = step(workflow("drift.yml"), "drift", "Compare prod")["run"]
    fake = tmp_path / ".venv" / "bin" / "invoke"
    fake.parent.mkdir(parents=True)
    fake.write_text(f'#!/bin/bash\necho "│ data │ drifted │ 2 resource(s) differ │ $*"\nexit {status}\n')
    fake.chmod(0o755)
    summary = tmp_path / "summary.md"
    env = {"PATH": os.environ["PATH"], "GITHUB_STEP_SUMMARY": str(summary)}
    # GitHub's shell for `run` on Linux: bash -e -o pipefail.
    result = subprocess.run(
        ["bash", "-eo", "pipefail", "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert result.returncode == status
    lines = summary.read_text().splitlines()
    assert lines[0] == headline
    assert "│ data │ drifted │ 2 resource(s) differ │ drift --env prod" in lines
    errors = [ln for ln in result.stdout.splitlines() if ln.startswith("::error")]
    assert [e.startswith(annotation) for e in errors] == ([True] if annotation else [])


# Cloud session length -----------------------------------------------------------------------------

IAM_DEFAULT_SESSION_SECONDS = 3600  # what STS grants when a workflow asks for no duration
IAM_LONGEST_SESSION_SECONDS = 43200  # the highest MaxSessionDuration IAM accepts
OPERATIONS = REPO / "docs" / "operations.md"


def documented_max_sessions(name: str) -> dict[str, int]:
    """Role variable -> the MaxSessionDuration the workflow's header says that role must allow."""
    header = (WORKFLOWS / name).read_text().split("\nname:", 1)[0]
    found: dict[str, int] = {}
    role = None
    for line in header.splitlines():
        entry = re.match(r"#\s+(vars|secrets)\.(\w+)", line)
        if entry:
            role = entry.group(2) if entry.group(2).endswith("_ROLE_ARN") else None
        limit = re.search(r"MaxSessionDuration >= (\d+) s", line)
        if limit and role:
            found[role] = int(limit.group(1))
    return found


def credential_steps(job: dict[str, Any]) -> list[dict[str, Any]]:
    return [s for s in job["steps"] if s.get("uses", "").startswith("aws-actions/configure-aws-credentials@")]


def session_seconds(credentials_step: dict[str, Any]) -> int:
    return int(credentials_step["with"].get("role-duration-seconds", IAM_DEFAULT_SESSION_SECONDS))


def role_variable(credentials_step: dict[str, Any]) -> str:
    match = re.fullmatch(r"\$\{\{ vars\.(\w+) \}\}", credentials_step["with"]["role-to-assume"])
    assert match, credentials_step
    return match.group(1)


@pytest.mark.parametrize("name", ALL)
def test_the_first_aws_session_of_a_job_lasts_as_long_as_the_job_may_run(name):
    for job_name, job in workflow(name)["jobs"].items():
        steps_with_credentials = credential_steps(job)
        if steps_with_credentials:
            assert session_seconds(steps_with_credentials[0]) >= job["timeout-minutes"] * 60, job_name


@pytest.mark.parametrize("name", ALL)
def test_every_session_fits_the_max_session_duration_the_header_requires_of_its_role(name):
    documented = documented_max_sessions(name)
    asked = [s for job in workflow(name)["jobs"].values() for s in credential_steps(job)]
    assert asked
    for s in asked:
        role = role_variable(s)
        assert role in documented, f"{name}: the header does not say which MaxSessionDuration {role} needs"
        assert session_seconds(s) <= documented[role] <= IAM_LONGEST_SESSION_SECONDS, role


def test_sessions_longer_than_the_iam_default_are_the_ones_the_docs_tell_you_to_allow():
    assert documented_max_sessions("deploy.yml") == {"AWS_DEPLOY_ROLE_ARN": 7200, "AWS_DRIFT_ROLE_ARN": 3600}
    assert documented_max_sessions("ephemeral.yml") == {"AWS_EPHEMERAL_ROLE_ARN": 10800}
    assert documented_max_sessions("pull-request.yml") == {"AWS_PREVIEW_ROLE_ARN": 3600}
    assert documented_max_sessions("drift.yml") == {"AWS_DRIFT_ROLE_ARN": 3600}


def test_the_operations_guide_gives_each_role_its_max_session_duration_and_oidc_subject():
    guide = OPERATIONS.read_text()
    section = guide.split("## The CI roles: trust and session length", 1)[1].split("\n## ", 1)[0]
    for name in ALL:
        for role, seconds in documented_max_sessions(name).items():
            (row,) = [line for line in section.splitlines() if line.startswith(f"| `{role}`")]
            max_session_cell = row.strip(" |").split("|")[-1]
            assert re.search(rf"\b{seconds}\b", max_session_cell), row
    assert "aws iam update-role --role-name <deploy role name> --max-session-duration 7200" in section
    assert "aws iam update-role --role-name <ephemeral role name> --max-session-duration 10800" in section
    assert '"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"' in section
    assert '"token.actions.githubusercontent.com:sub": "repo:<owner>/<repo>:environment:prod-network"' in section
    assert "sts:AssumeRoleWithWebIdentity" in section


# The security audit -------------------------------------------------------------------------------


ZIZMOR = Path(sys.executable).parent / "zizmor"


def _zizmor(*paths: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(ZIZMOR), "--offline", "--persona=auditor", "--format=plain", *map(str, paths)],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_ci_audits_the_workflows_with_zizmor_offline():
    # The auditor persona: nothing suppressed (the default hides, e.g., a secret used outside an environment).
    assert (
        ".venv/bin/zizmor --offline --persona=auditor .github/workflows"
        in (REPO / ".ci" / "run").read_text().splitlines()
    )


def test_zizmor_finds_nothing_in_the_workflows_and_flags_an_unpinned_credentialed_checkout(tmp_path):
    clean = _zizmor(WORKFLOWS)
    assert clean.returncode == 0, clean.stdout + clean.stderr
    canary = tmp_path / "canary.yml"
    canary.write_text(
        "on: push\npermissions: {}\njobs:\n  canary:\n    runs-on: ubuntu-latest\n    permissions: {}\n"
        "    steps:\n      - uses: actions/checkout@v5\n"
    )
    flagged = _zizmor(canary)
    assert flagged.returncode != 0
    assert "unpinned-uses" in flagged.stdout and "artipacked" in flagged.stdout
