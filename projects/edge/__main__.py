"""Edge layer program: `pulumi up -s <env>` in this folder, or `invoke deploy --layer edge`."""

from payments_edge.layer import build
from payments_edge.settings import EdgeSettings
from shared.settings import load_settings

build(load_settings(EdgeSettings)).export()
