"""Compute layer program: `pulumi up -s <env>` in this folder, or `invoke deploy --layer compute`."""

from payments_compute.layer import build
from payments_compute.settings import ComputeSettings
from shared.settings import load_settings

build(load_settings(ComputeSettings)).export()
