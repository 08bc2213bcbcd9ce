"""Data layer program: `pulumi up -s <env>` in this folder, or `invoke deploy --layer data`."""

from payments_data.layer import build
from payments_data.settings import DataSettings
from shared.settings import load_settings

build(load_settings(DataSettings)).export()
