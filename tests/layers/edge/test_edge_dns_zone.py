"""What the edge layer tells `invoke dns`: its domain and zone keys, and the output with the zone's servers."""

from __future__ import annotations

from payments_edge.lifecycle import LIFECYCLE
from payments_edge.settings import EdgeSettings
from shared.contracts.edge import EdgeContract
from shared.layers import LAYER_NAMES, lifecycle
from tests.layers.layer_settings import layer_settings


def test_the_declared_keys_are_edge_settings_and_the_output_is_in_its_contract() -> None:
    zone = LIFECYCLE.dns_zone
    assert zone is not None
    assert {zone.domain_key, zone.zone_id_key} <= set(EdgeSettings.config_keys())
    assert zone.name_servers_output in EdgeContract.names()


def test_the_keys_read_the_domain_and_the_existing_zone_of_an_environment() -> None:
    zone = LIFECYCLE.dns_zone
    assert zone is not None
    given = layer_settings("edge", "prod", hostedZoneId="Z0123456789ABCDEFGHIJ").model_dump(by_alias=True)
    assert (given[zone.domain_key], given[zone.zone_id_key]) == ("api.payments.example.com", "Z0123456789ABCDEFGHIJ")


def test_edge_is_the_only_layer_serving_a_public_zone() -> None:
    assert [name for name in LAYER_NAMES if lifecycle(name).dns_zone is not None] == ["edge"]
