"""The CrossGuard pack on real deploys: a mandatory violation stops before any change, an advisory one is reported."""

from __future__ import annotations

import json

from tests.e2e.harness import Sandbox

SECURITY_GROUPS = "projects/network/payments_network/security_groups.py"
LAST_RULE = '        rule("db-in-app", self.db, DB_PORT'
OPEN_TO_THE_WORLD = (
    '        rule("app-in-world", self.app, APP_PORT, "test: the API open to the internet", '
    "inbound=True, cidr_ipv4=ANYWHERE_V4)\n"
)


def open_the_app_to_the_internet(sb: Sandbox) -> None:
    """A change a reviewer should never let through: the tasks' port reachable from 0.0.0.0/0."""
    path = sb.checkout / SECURITY_GROUPS
    code = path.read_text()
    assert LAST_RULE in code
    path.write_text(code.replace(LAST_RULE, OPEN_TO_THE_WORLD + LAST_RULE, 1))


def test_a_mandatory_violation_stops_the_deploy_before_any_change_naming_rule_and_resource(
    deployed_dev: Sandbox,
) -> None:
    sb = deployed_dev
    open_the_app_to_the_internet(sb)
    mark = len(sb.cloud.calls())
    refused = sb.invoke("deploy", "--layer", "network", "--env", "dev")
    assert refused.returncode == 1, refused
    assert (
        "stopped before any change by the policy pack: no-public-ingress (mandatory) on sgr-payments-app-in-world-dev"
        in (" ".join(refused.output.split()))
    )
    assert sb.cloud.changes(since=mark) == []

    # The platform team lets the rule warn while a change rolls out: the same deploy goes ahead,
    # and the summary names the rule and the resource.
    (sb.checkout / "policy" / "config.json").write_text(
        json.dumps({"all": "mandatory", "no-public-ingress": "advisory"})
    )
    allowed = sb.invoke("deploy", "--layer", "network", "--env", "dev")
    assert allowed.returncode == 0, allowed
    assert "network: policy no-public-ingress (advisory) on sgr-payments-app-in-world-dev" in " ".join(
        allowed.output.split()
    )
    assert [c["urn"].rsplit("::", 1)[-1] for c in sb.cloud.changes(since=mark)] == ["sgr-payments-app-in-world-dev"]
