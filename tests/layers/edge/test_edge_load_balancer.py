"""The ALB, its listeners and the target group under mocks (SPEC §3 edge): real values."""

from shared.plan_values import computed
from shared.ports import APP_PORT
from tests.layers.edge.edge_helpers import urn_name

ALB = "aws:lb/loadBalancer:LoadBalancer"
TG = "aws:lb/targetGroup:TargetGroup"
LISTENER = "aws:lb/listener:Listener"
NETWORK = "network-stack"


def listeners(plan) -> dict[int, dict]:
    return {r.inputs["port"]: r.inputs for r in plan.by_type(LISTENER)}


def test_alb_is_internet_facing_in_the_networks_public_subnets_with_the_alb_group(prod_plan):
    alb = prod_plan.one(ALB).inputs
    assert alb["loadBalancerType"] == "application"
    assert alb["internal"] is False
    assert alb["subnets"] == [
        f"{computed(NETWORK, 'public_subnet_ids')}[0]",
        f"{computed(NETWORK, 'public_subnet_ids')}[1]",
    ]
    assert alb["securityGroups"] == [computed(NETWORK, "alb_security_group_id")]
    assert alb["ipAddressType"] == "ipv4"


def test_alb_drops_invalid_headers_and_keeps_desync_mitigation(prod_plan):
    alb = prod_plan.one(ALB).inputs
    assert alb["dropInvalidHeaderFields"] is True
    assert alb["desyncMitigationMode"] in ("defensive", "strictest")
    assert alb["idleTimeout"] == 60


def test_deletion_protection_follows_config_on_in_prod_off_in_dev(prod_plan, dev_plan, run_layer):
    assert prod_plan.one(ALB).inputs["enableDeletionProtection"] is True
    assert dev_plan.one(ALB).inputs["enableDeletionProtection"] is False
    # what teardown applies before destroy (the edge LIFECYCLE's teardown config)
    lifted = run_layer("edge", "prod", overrides={"albDeletionProtection": "false", "teardown": "true"})
    assert lifted.one(ALB).inputs["enableDeletionProtection"] is False


def test_alb_writes_access_logs_to_the_log_bucket_after_its_policy_exists(registrations, run_layer):
    alb = run_layer("edge", "prod").one(ALB)
    assert alb.inputs["accessLogs"] == {
        "enabled": True,
        "bucket": computed("s3-payments-alblogs-prod", "bucket"),
        "prefix": "alb",
    }
    deps = {urn_name(d) for d in registrations[alb.name].dependencies}
    assert "s3policy-payments-alblogs-prod" in deps


def test_https_listener_serves_the_validated_certificate_with_a_tls12_plus_policy(registrations, run_layer):
    https = listeners(run_layer("edge", "prod"))[443]
    assert https["protocol"] == "HTTPS"
    assert https["sslPolicy"] == "ELBSecurityPolicy-TLS13-1-2-Res-2021-06"
    assert https["certificateArn"] == computed("cert-payments-prod", "arn")
    assert https["loadBalancerArn"] == computed("alb-payments-prod", "arn")
    assert https["defaultActions"] == [{"type": "forward", "targetGroupArn": computed("tg-payments-app-prod", "arn")}]
    assert https["routingHttpResponseStrictTransportSecurityHeaderValue"].startswith("max-age=31536000")
    # the listener takes the ARN from the validation, so it waits until ACM has issued it
    cert_deps = registrations["listener-payments-https-prod"].propertyDependencies["certificateArn"].urns
    assert [urn_name(u) for u in cert_deps] == ["certvalidation-payments-prod"]


def test_http_listener_only_redirects_permanently_to_https(prod_plan):
    assert sorted(listeners(prod_plan)) == [80, 443]
    http = listeners(prod_plan)[80]
    assert http["protocol"] == "HTTP"
    assert "certificateArn" not in http and "sslPolicy" not in http
    (action,) = http["defaultActions"]
    assert action["type"] == "redirect"
    assert "targetGroupArn" not in action and "forward" not in action
    assert action["redirect"] == {
        "protocol": "HTTPS",
        "port": "443",
        "host": "#{host}",
        "path": "/#{path}",
        "query": "#{query}",
        "statusCode": "HTTP_301",
    }


def test_target_group_is_ready_for_fargate_tasks_on_the_app_port(prod_plan):
    tg = prod_plan.one(TG).inputs
    assert tg["targetType"] == "ip"
    assert tg["port"] == APP_PORT == 3000
    assert tg["protocol"] == "HTTP"
    assert tg["vpcId"] == computed(NETWORK, "vpc_id")
    assert tg["deregistrationDelay"] == 30
    assert tg["healthCheck"] == {
        "enabled": True,
        "protocol": "HTTP",
        "port": "traffic-port",
        "path": "/health",
        "matcher": "200",
        "interval": 15,
        "timeout": 5,
        "healthyThreshold": 2,
        "unhealthyThreshold": 3,
    }


def test_health_check_and_drain_come_from_config(run_layer):
    plan = run_layer(
        "edge",
        "dev",
        overrides={"healthCheckPath": "/v1/ready", "healthCheckMatcher": "200-204", "deregistrationDelaySeconds": 5},
    )
    tg = plan.one(TG).inputs
    assert (tg["healthCheck"]["path"], tg["healthCheck"]["matcher"], tg["deregistrationDelay"]) == (
        "/v1/ready",
        "200-204",
        5,
    )


def test_tls_policy_and_idle_timeout_come_from_config(run_layer):
    plan = run_layer(
        "edge", "prod", overrides={"tlsPolicy": "ELBSecurityPolicy-TLS13-1-3-2021-06", "idleTimeoutSeconds": 120}
    )
    assert listeners(plan)[443]["sslPolicy"] == "ELBSecurityPolicy-TLS13-1-3-2021-06"
    assert plan.one(ALB).inputs["idleTimeout"] == 120


def test_alb_and_target_group_are_auto_named_so_replacement_never_clashes(prod_plan, dev_plan):
    for plan, env in ((prod_plan, "prod"), (dev_plan, "dev")):
        alb, tg = plan.one(ALB), plan.one(TG)
        assert (alb.name, tg.name) == (f"alb-payments-{env}", f"tg-payments-app-{env}")
        for r in (alb, tg):
            # no fixed physical name: Pulumi appends "-" + 7 random characters within AWS's 32
            assert "name" not in r.inputs and "namePrefix" not in r.inputs
            assert len(r.name) + 8 <= 32
