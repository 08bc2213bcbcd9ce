"""A prod rebuild takes back what the teardown kept: the zone the parent delegates to and the access logs.

Route53 refuses a second zone of a name on one reusable delegation set, and without a set a second
zone would answer with name servers nobody delegated to; so the edge program finds its own kept
zone (a public zone of the domain carrying this stack's tags) and imports it.
"""

from __future__ import annotations

import pytest

from ops.plan.mock_engine import OfflineCloud, OfflineZone
from shared.adoption import KeptResourceError
from shared.tags import standard_tags

DOMAIN = "api.payments.example.com"
OURS = tuple(standard_tags(env="prod", project="payments", layer="edge").items())
SET_ID = "N0123456789ABCDEFGHIJ"
SET_SERVERS = ("ns-1.awsdns-01.com", "ns-2.awsdns-02.net", "ns-3.awsdns-03.org", "ns-4.awsdns-04.co.uk")
KEPT_LOGS = "s3-payments-alblogs-prod-a1b2c3d"


def imported(registrations) -> dict[str, str]:
    return {name: r.importId for name, r in registrations.items() if r.importId}


def test_prod_imports_its_kept_zone_and_access_log_bucket(run_layer, registrations):
    cloud = OfflineCloud(
        zones=(
            OfflineZone("ZPARENT", "payments.example.com.", OURS),  # another name: not ours to adopt
            OfflineZone("ZFOREIGN", f"{DOMAIN}.", (("Owner", "someone-else"),)),  # not made by this stack
            OfflineZone("ZPRIVATE", f"{DOMAIN}.", OURS, private=True),  # the parent cannot delegate to it
            OfflineZone("ZKEPT", f"{DOMAIN}.", OURS, SET_SERVERS),
        ),
        buckets=(KEPT_LOGS, "s3-payments-auditarchive-prod-0a1b2c3"),
    )
    run_layer("edge", "prod", cloud=cloud)
    assert imported(registrations) == {"zone-payments-prod": "ZKEPT", "s3-payments-alblogs-prod": KEPT_LOGS}


def test_of_two_tagged_zones_the_one_on_the_delegation_set_is_adopted(run_layer, registrations):
    other = ("ns-9.awsdns-09.com", "ns-8.awsdns-08.net", "ns-7.awsdns-07.org", "ns-6.awsdns-06.co.uk")
    cloud = OfflineCloud(
        zones=(OfflineZone("ZOTHER", DOMAIN, OURS, other), OfflineZone("ZSET", DOMAIN, OURS, SET_SERVERS)),
        delegation_sets=((SET_ID, SET_SERVERS),),
    )
    run_layer("edge", "prod", cloud=cloud, overrides={"delegationSetId": SET_ID})
    assert imported(registrations) == {"zone-payments-prod": "ZSET"}
    with pytest.raises(KeptResourceError) as failed:  # without a set to tell them apart: a person decides
        run_layer("edge", "prod", cloud=cloud, fresh=True)
    assert str(failed.value).startswith(
        f"2 public hosted zones of {DOMAIN} carry this stack's tags (ZOTHER, ZSET): expected at most one"
    )


def test_a_first_deploy_and_dev_import_nothing(run_layer, registrations, engines):
    run_layer("edge", "prod")
    assert imported(registrations) == {}
    dev_zone = OfflineZone(
        "ZDEV",
        "api.dev.payments.example.com",
        tuple(standard_tags(env="dev", project="payments", layer="edge").items()),
    )
    run_layer("edge", "dev", cloud=OfflineCloud(zones=(dev_zone,), buckets=("s3-payments-alblogs-dev-a1b2c3d",)))
    assert imported(registrations) == {}
    assert not [t for t, _ in engines[-1].calls if t.startswith(("aws:route53/getZone", "aws:s3/getBuckets"))]


def test_an_existing_zone_from_config_is_used_and_never_looked_for(run_layer, engines):
    run_layer("edge", "prod", overrides={"hostedZoneId": "Z0123456789ABCDEFGHIJ"})
    assert not [t for t, _ in engines[-1].calls if t.startswith("aws:route53/getZone")]
