"""A rollout that fails fails the deploy: the service waits for steady state, and a rollback is an error."""

from __future__ import annotations

import pytest
from pulumi.runtime import settings as pulumi_settings

from ops.plan.mock_engine import PlanMocks
from payments_compute.service import ROLLOUT_TIMEOUT, RolloutRolledBack, confirm_rollout
from shared.plan_values import computed
from tests.layers.compute.compute_helpers import ACCOUNT, REGION, upstream

SERVICE = "aws:ecs/service:Service"
OLD_REVISION = f"arn:aws:ecs:{REGION}:{ACCOUNT}:task-definition/task-payments-api-prod:6"


def test_the_service_waits_for_steady_state_within_the_rollout_timeout(registrations, run_layer):
    plan = run_layer("compute", "prod", upstream_exports=upstream())
    assert plan.one(SERVICE).inputs["waitForSteadyState"] is True
    timeouts = registrations["ecs-payments-api-prod"].customTimeouts
    assert (timeouts.create, timeouts.update) == ("30m", "30m") == (ROLLOUT_TIMEOUT, ROLLOUT_TIMEOUT)


def test_the_service_names_the_ecs_deployment_controller_whose_failed_deployment_ends_the_wait(run_layer):
    # The provider follows the deployment through ECS's service deployment API, and stops waiting
    # when ECS stops it, only for the ECS controller as DescribeServices reports it: a first deploy
    # whose image never starts then fails when the circuit breaker trips, not after 30 minutes.
    service = run_layer("compute", "prod", upstream_exports=upstream()).one(SERVICE).inputs
    assert service["deploymentController"] == {"type": "ECS"}
    assert service["deploymentCircuitBreaker"] == {"enable": True, "rollback": True}
    assert service["waitForSteadyState"] is True


def test_a_steady_service_on_the_new_task_definition_is_a_successful_rollout(run_layer):
    # The mock engine reads the service back with the task definition it was given.
    plan = run_layer("compute", "prod", upstream_exports=upstream())
    assert plan.one(SERVICE).inputs["taskDefinition"] == computed("task-payments-api-prod", "arn")


@pytest.fixture
def forget_failed_outputs():
    """A failed program leaves its unawaited outputs in Pulumi's global settings; drop them after."""
    yield
    with pulumi_settings.SETTINGS.lock:
        pulumi_settings.SETTINGS.outputs.clear()


def test_a_rolled_back_deployment_fails_the_deploy_naming_both_revisions(monkeypatch, run_layer, forget_failed_outputs):
    original = PlanMocks.new_resource

    def rolled_back(self, args):
        resource_id, state = original(self, args)
        if args.typ == SERVICE:
            # What the provider reads back after the circuit breaker restored the old revision.
            state = {**state, "taskDefinition": OLD_REVISION}
        return resource_id, state

    monkeypatch.setattr(PlanMocks, "new_resource", rolled_back)
    with pytest.raises(RolloutRolledBack) as e:
        run_layer("compute", "prod", upstream_exports=upstream())
    message = str(e.value)
    assert message.startswith(
        f"ECS rolled back the deployment of ecs-payments-api-prod: it runs {OLD_REVISION}, "
        f"not the new {computed('task-payments-api-prod', 'arn')}"
    )
    assert "--services ecs-payments-api-prod --query 'services[0].deployments'" in message
    assert "\n" not in message


def test_confirm_rollout_returns_the_running_revision_when_it_is_the_new_one():
    new = OLD_REVISION.replace(":6", ":7")
    assert confirm_rollout(requested=new, running=new, service="s", cluster="c") == new
    with pytest.raises(RolloutRolledBack, match=r"it runs .*:6, not the new .*:7"):
        confirm_rollout(requested=new, running=OLD_REVISION, service="s", cluster="c")
