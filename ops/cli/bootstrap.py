"""Invoke task that creates a team's Pulumi state backend before the first deploy: `invoke bootstrap --env E`."""

from __future__ import annotations

from invoke.context import Context
from invoke.exceptions import Exit
from invoke.tasks import task

from ops.cli.common import check_env, console


@task(help={"env": "Environment whose backend to create (its stack config names the service, region and account)."})
def bootstrap(c: Context, env: str = "") -> None:
    """Create (or bring in line) ENV's S3 state bucket and KMS secrets key in its account; print what to export.

    The service name, region, allowed accounts and role come from the environment's stack config:
    the role is assumed first and the account must be one the stacks allow. Running it again
    changes nothing that is already right.
    """
    environment = check_env(env)
    # Imported here so `invoke --list` and `--help` need no boto3.
    from botocore.exceptions import BotoCoreError, ClientError

    from ops.aws import AwsClients, describe_aws_error
    from ops.bootstrap.accounts import AccountGuardError, enter_account
    from ops.bootstrap.state_backend import BootstrapError, bootstrap_state_backend
    from ops.environment.account import AccountConfigError, environment_account
    from ops.stacks.preflight import check_credentials

    try:
        account = environment_account(environment)
    except AccountConfigError as e:
        raise Exit(str(e), code=2) from None
    aws = AwsClients(account.region)
    problem = check_credentials(aws.client("sts"), account.region)
    if problem:
        raise Exit(problem, code=1)
    try:
        aws = enter_account(aws, account, purpose="bootstrap")
        result = bootstrap_state_backend(service=account.service, env=env, region=account.region, session=aws.session)
    except (AccountGuardError, BootstrapError) as e:
        raise Exit(str(e), code=1) from None
    except (BotoCoreError, ClientError) as e:
        raise Exit(f"bootstrap of {env} stopped: {describe_aws_error(e)}; run it again once fixed", code=1) from None
    console.print(result.summary(), markup=False, highlight=False, soft_wrap=True)
    console.print(f"export these before deploying {env} (or set them as CI variables):", highlight=False)
    for line in result.exports:
        console.print(line, markup=False, highlight=False, soft_wrap=True)
