"""What the tooling needs to know about the network layer beyond its place in the graph."""

from __future__ import annotations

from payments_network.preflight import check_availability_zones_of
from payments_network.settings import NetworkSettings
from shared.contracts.network import NetworkContract
from shared.lifecycle import LayerLifecycle, PreflightCheck

LIFECYCLE = LayerLifecycle(
    contract=NetworkContract,
    settings=NetworkSettings,
    preflight=(PreflightCheck("availability-zones", check_availability_zones_of, when="deploy-only"),),
    held_by_downstream=("aws:ec2/securityGroup:SecurityGroup",),
    diagram_colors=("#e3eefb", "#3b6ea8"),
)
