"""Hosted zone, ACM DNS validation and the alias record; the existing-zone and existing-cert variants."""

import logging

import pytest

from shared.plan_values import computed
from tests.layers.edge.edge_helpers import urn_name

ZONE = "aws:route53/zone:Zone"
RECORD = "aws:route53/record:Record"
CERT = "aws:acm/certificate:Certificate"
VALIDATION = "aws:acm/certificateValidation:CertificateValidation"
LISTENER = "aws:lb/listener:Listener"
EXISTING_ZONE = "Z0123456789ABCDEFGHIJ"
EXISTING_CERT = "arn:aws:acm:ap-northeast-2:123456789012:certificate/0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9"


def records_by_type(plan) -> dict[str, dict]:
    return {r.inputs["type"]: r.inputs for r in plan.by_type(RECORD)}


def https_listener(plan) -> dict:
    return next(r.inputs for r in plan.by_type(LISTENER) if r.inputs["port"] == 443)


def test_a_public_zone_is_created_for_the_service_domain(prod_plan, dev_plan):
    zone = prod_plan.one(ZONE).inputs
    assert zone["name"] == "api.payments.example.com"
    assert "vpcs" not in zone  # public, not private
    assert dev_plan.one(ZONE).inputs["name"] == "api.dev.payments.example.com"


def test_prod_zone_is_neither_force_destroyed_nor_deleted_with_the_stack(registrations, run_layer):
    plan = run_layer("edge", "prod")
    assert plan.one(ZONE).inputs["forceDestroy"] is False
    assert registrations["zone-payments-prod"].retainOnDelete is True


def test_dev_zone_is_destroyed_with_its_records(registrations, run_layer):
    plan = run_layer("edge", "dev")
    assert plan.one(ZONE).inputs["forceDestroy"] is True
    assert registrations["zone-payments-dev"].retainOnDelete is False


@pytest.mark.parametrize("env", ["prod", "dev"])
def test_caa_record_lets_only_amazon_issue_certificates_for_the_domain(run_layer, env):
    plan = run_layer("edge", env)
    caa = records_by_type(plan)["CAA"]
    assert caa["name"] == plan.exports["service_url"].removeprefix("https://")
    assert caa["zoneId"] == computed(f"zone-payments-{env}", "zoneId")
    assert sorted(caa["records"]) == [
        '0 issue "amazon.com"',
        '0 issue "amazonaws.com"',
        '0 issue "amazontrust.com"',
        '0 issue "awstrust.com"',
    ]
    assert caa["ttl"] == 3600


def test_caa_record_goes_into_an_existing_zone_too(run_layer):
    plan = run_layer("edge", "prod", overrides={"hostedZoneId": EXISTING_ZONE})
    assert records_by_type(plan)["CAA"]["zoneId"] == EXISTING_ZONE


def test_name_servers_are_exported_and_printed_for_delegation(run_layer, caplog):
    with caplog.at_level(logging.INFO):
        plan = run_layer("edge", "prod")
    assert plan.exports["name_servers"] == [computed("zone-payments-prod", "nameServers")]
    assert plan.exports["hosted_zone_id"] == computed("zone-payments-prod", "zoneId")
    printed = [m for m in caplog.messages if "name servers" in m]
    assert len(printed) == 1
    assert "delegate api.payments.example.com" in printed[0]
    assert computed("zone-payments-prod", "nameServers") in printed[0]


def test_certificate_is_dns_validated_for_the_domain(prod_plan):
    cert = prod_plan.one(CERT).inputs
    assert cert["domainName"] == "api.payments.example.com"
    assert cert["validationMethod"] == "DNS"
    assert "subjectAlternativeNames" not in cert


def test_validation_record_is_keyed_by_domain_and_filled_from_the_certificate(prod_plan):
    record = prod_plan.named("dns-payments-certvalidation-api-payments-example-com-prod").inputs
    assert record["zoneId"] == computed("zone-payments-prod", "zoneId")
    assert record["name"] == computed("cert-payments-prod", "validation[api.payments.example.com].name")
    assert record["records"] == [computed("cert-payments-prod", "validation[api.payments.example.com].value")]
    assert record["type"] == "CNAME"
    assert record["ttl"] == 60
    assert record["allowOverwrite"] is True


def test_validation_waits_for_the_record_within_a_bounded_timeout(registrations, run_layer):
    plan = run_layer("edge", "prod", overrides={"certificateValidationTimeoutMinutes": 30})
    validation = plan.one(VALIDATION).inputs
    assert validation["certificateArn"] == computed("cert-payments-prod", "arn")
    assert validation["validationRecordFqdns"] == [
        computed("dns-payments-certvalidation-api-payments-example-com-prod", "fqdn")
    ]
    assert registrations["certvalidation-payments-prod"].customTimeouts.create == "30m"


def test_default_validation_timeout_is_45_minutes(registrations, run_layer):
    run_layer("edge", "dev")
    assert registrations["certvalidation-payments-dev"].customTimeouts.create == "45m"


def test_alias_a_record_points_the_domain_at_the_alb(prod_plan):
    records = records_by_type(prod_plan)
    assert sorted(records) == ["A", "CAA", "CNAME"]  # IPv4-only ALB: no AAAA
    alias = records["A"]
    assert alias["name"] == "api.payments.example.com"
    assert alias["zoneId"] == computed("zone-payments-prod", "zoneId")
    assert alias["aliases"] == [
        {
            "name": computed("alb-payments-prod", "dnsName"),
            "zoneId": computed("alb-payments-prod", "zoneId"),
            "evaluateTargetHealth": True,
        }
    ]
    assert "records" not in alias and "ttl" not in alias


def test_existing_zone_is_used_and_no_zone_is_created(run_layer):
    plan = run_layer("edge", "prod", overrides={"hostedZoneId": EXISTING_ZONE})
    assert plan.by_type(ZONE) == []
    assert {r.inputs["zoneId"] for r in plan.by_type(RECORD)} == {EXISTING_ZONE}
    assert plan.exports["hosted_zone_id"] == EXISTING_ZONE
    assert plan.exports["name_servers"] == []
    assert len(plan.by_type(CERT)) == 1  # still validated, in the existing zone


def test_existing_certificate_is_served_and_no_certificate_is_requested(registrations, run_layer):
    plan = run_layer("edge", "prod", overrides={"certificateArn": EXISTING_CERT})
    assert plan.by_type(CERT) == [] and plan.by_type(VALIDATION) == []
    assert sorted(r.inputs["type"] for r in plan.by_type(RECORD)) == ["A", "CAA"]  # no validation CNAME
    assert https_listener(plan)["certificateArn"] == EXISTING_CERT
    assert plan.exports["certificate_arn"] == EXISTING_CERT
    assert registrations["listener-payments-https-prod"].propertyDependencies["certificateArn"].urns == []
    assert len(plan.by_type(ZONE)) == 1


def test_both_existing_zone_and_certificate(run_layer):
    plan = run_layer("edge", "dev", overrides={"hostedZoneId": EXISTING_ZONE, "certificateArn": EXISTING_CERT})
    assert plan.by_type(ZONE) == [] and plan.by_type(CERT) == []
    alias = records_by_type(plan)["A"]
    assert alias["zoneId"] == EXISTING_ZONE and alias["name"] == "api.dev.payments.example.com"
    assert sorted(records_by_type(plan)) == ["A", "CAA"]


def test_components_parent_their_children(registrations, run_layer):
    run_layer("edge", "prod")
    assert urn_name(registrations["cert-payments-prod"].parent) == "certificate-payments-prod"
    assert urn_name(registrations["zone-payments-prod"].parent) == "hostedzone-payments-prod"
    assert urn_name(registrations["alb-payments-prod"].parent) == "loadbalancer-payments-prod"
    assert urn_name(registrations["s3-payments-alblogs-prod"].parent) == "accesslogs-payments-prod"
    assert urn_name(registrations["dns-payments-api-payments-example-com-a-prod"].parent) == "alias-payments-prod"
