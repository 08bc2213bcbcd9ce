"""Network-layer fixtures: the prod and dev plans (`registrations` comes from tests/conftest.py)."""

from __future__ import annotations

import pytest


@pytest.fixture
def prod_plan(run_layer):
    return run_layer("network", "prod")


@pytest.fixture
def dev_plan(run_layer):
    return run_layer("network", "dev")
