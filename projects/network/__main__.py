"""Network layer program: `pulumi up -s <env>` in this folder, or `invoke deploy --layer network`."""

from payments_network.layer import build
from payments_network.settings import NetworkSettings
from shared.settings import load_settings

build(load_settings(NetworkSettings)).export()
