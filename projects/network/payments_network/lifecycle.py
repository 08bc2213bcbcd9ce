"""What the tooling needs to know about the network layer beyond its place in the graph."""

from __future__ import annotations

from payments_network.settings import NetworkSettings
from shared.contracts.network import NetworkContract
from shared.lifecycle import LayerLifecycle

LIFECYCLE = LayerLifecycle(
    contract=NetworkContract,
    settings=NetworkSettings,
    diagram_colors=("#e3eefb", "#3b6ea8"),
)
