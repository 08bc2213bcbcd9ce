"""Invoke task that creates a team's Pulumi state backend before the first deploy: `invoke bootstrap --env E`."""

from __future__ import annotations

from invoke.context import Context
from invoke.exceptions import Exit
from invoke.tasks import task

from ops.cli.common import check_env, console


@task(
    help={
        "env": "Environment whose backend to create (its stack config names the service, region and account).",
        "repository": "The GitHub repository (owner/name) whose deploy jobs the roles trust; default: "
        "$GITHUB_REPOSITORY, else the github.com remote `origin`.",
    }
)
def bootstrap(c: Context, env: str = "", repository: str = "") -> None:
    """Create (or bring in line) ENV's state backend and its deploy roles; print what to export and set.

    In the environment's account: the S3 state bucket and KMS secrets key, then one deploy role per
    layer (trusted by that layer's GitHub environment `<env>-<layer>` and its owners, allowed what
    the layer's offline plan needs and its own state) and a read-only drift role. The service name,
    region, allowed accounts and role come from the environment's stack config: the role is
    assumed first and the account must be one the stacks allow. Running it again changes nothing
    that is already right.
    """
    environment = check_env(env)
    from ops.bootstrap.repository import RepositoryError, github_repository

    try:
        repository = github_repository(repository)
    except RepositoryError as e:
        raise Exit(str(e), code=2) from None
    # Imported here so `invoke --list` and `--help` need no boto3.
    from botocore.exceptions import BotoCoreError, ClientError

    from ops.aws import AwsClients, describe_aws_error
    from ops.bootstrap.accounts import AccountGuardError, enter_account
    from ops.bootstrap.deploy_roles import DeployRolesError, bootstrap_roles
    from ops.bootstrap.state_backend import BootstrapError, bootstrap_state_backend
    from ops.environment.account import AccountConfigError, environment_account
    from ops.plan.platform import plan_platform
    from ops.roles.derive import AccountScope, DerivationError
    from ops.roles.names import github_environment
    from ops.roles.roles import StateBackend, environment_roles
    from ops.stacks.preflight import check_credentials
    from shared.tags import standard_tags

    try:
        account = environment_account(environment)
    except AccountConfigError as e:
        raise Exit(str(e), code=2) from None
    aws = AwsClients(account.region)
    problem = check_credentials(aws.client("sts"), account.region)
    if problem:
        raise Exit(problem, code=1)
    plan = plan_platform(environment)
    if not plan.ok:
        failed = "; ".join(f"{lp.layer}: {lp.error}" for lp in plan.layers if lp.error)
        raise Exit(f"the offline plan of {env} failed, so the deploy roles cannot be derived: {failed}", code=2)
    try:
        aws = enter_account(aws, account, purpose="bootstrap")
        result = bootstrap_state_backend(service=account.service, env=env, region=account.region, session=aws.session)
        identity = aws.client("sts").get_caller_identity()
        account_id, partition = str(identity["Account"]), str(identity["Arn"]).split(":")[1]
        scope = AccountScope(env, account.service, account_id, account.region, partition, environment)
        roles = environment_roles(plan, scope, StateBackend(result.names.bucket, result.key_arn), repository)
        tags = {**standard_tags(env=env, project=account.service, layer="state"), "ManagedBy": "invoke-bootstrap"}
        done = bootstrap_roles(
            iam=aws.client("iam"),
            s3=aws.client("s3"),
            roles=roles,
            bucket=result.names.bucket,
            partition=partition,
            account=account_id,
            tags=tags,
        )
    except (AccountGuardError, BootstrapError, DeployRolesError, DerivationError) as e:
        raise Exit(str(e), code=1) from None
    except (BotoCoreError, ClientError) as e:
        raise Exit(f"bootstrap of {env} stopped: {describe_aws_error(e)}; run it again once fixed", code=1) from None
    console.print(result.summary(), markup=False, highlight=False, soft_wrap=True)
    for line in [*(f"created {c}" for c in done.created), *(f"changed {c}" for c in done.changed)]:
        console.print(line, markup=False, highlight=False, soft_wrap=True)
    console.print(f"set these variables in the GitHub environments of {repository}:", highlight=False)
    for role in roles:
        where = github_environment(env, role.layer or "drift")
        variable = "AWS_DEPLOY_ROLE_ARN" if role.layer else "AWS_DRIFT_ROLE_ARN"
        arn = f"arn:{partition}:iam::{account_id}:role/{role.name}"
        console.print(f"  {where}: {variable}={arn}", markup=False, highlight=False, soft_wrap=True)
    console.print(f"export these before deploying {env} (or set them as CI variables):", highlight=False)
    for line in result.exports:
        console.print(line, markup=False, highlight=False, soft_wrap=True)
