"""The one layer graph (SPEC §2) and every order derived from it."""

import pytest

from shared.layers import (
    LAYER_NAMES,
    UnknownLayerError,
    deploy_order,
    downstream,
    get_layer,
    lifecycle,
    teardown_order,
    upstream,
    waves,
)


def test_graph_edges_are_exactly_the_spec():
    edges = {(dep, layer) for layer in LAYER_NAMES for dep in get_layer(layer).depends_on}
    assert edges == {
        ("network", "data"),
        ("network", "edge"),
        ("network", "compute"),
        ("data", "compute"),
        ("edge", "compute"),
    }


def test_waves_put_data_and_edge_together_between_network_and_compute():
    assert waves() == [("network",), ("data", "edge"), ("compute",)]


def test_teardown_is_the_reverse_of_deploy():
    assert deploy_order() == ["network", "data", "edge", "compute"]
    assert teardown_order() == ["compute", "edge", "data", "network"]


def test_every_layer_comes_after_all_its_dependencies():
    order = deploy_order()
    for layer in LAYER_NAMES:
        for dep in upstream(layer):
            assert order.index(dep) < order.index(layer)


def test_upstream_and_downstream_are_transitive():
    assert upstream("compute") == ("network", "data", "edge")
    assert upstream("network") == ()
    assert downstream("network") == ("data", "edge", "compute")
    assert downstream("data") == ("compute",)
    assert downstream("compute") == ()


def test_a_selection_keeps_graph_order():
    assert waves(["compute", "network"]) == [("network",), ("compute",)]
    assert teardown_order(["network", "edge"]) == ["edge", "network"]


def test_unknown_layer_names_the_valid_ones():
    with pytest.raises(UnknownLayerError, match="unknown layer 'netwrk': expected one of network, data, edge, compute"):
        get_layer("netwrk")


def test_teardown_lifts_protection_only_on_data_and_edge():
    flips = {name: dict(lifecycle(name).teardown.config) for name in LAYER_NAMES}
    assert flips == {
        "network": {},
        "data": {"deletionProtection": "false", "teardown": "true"},
        "edge": {"albDeletionProtection": "false", "teardown": "true"},
        "compute": {},
    }


def test_teardown_flips_target_real_properties_of_real_resource_types():
    import re

    from shared.aws_schema import resource_class

    for name in LAYER_NAMES:
        teardown = lifecycle(name).teardown
        assert bool(teardown.config) == bool(teardown.targets) == bool(teardown.properties)
        for token in teardown.targets:
            cls = resource_class(token)
            assert cls is not None, token
            for prop in teardown.properties:
                snake = re.sub(r"(?<!^)(?=[A-Z])", "_", prop).lower()
                assert isinstance(getattr(cls, snake, None), property), (token, prop)
