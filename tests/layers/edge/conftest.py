"""Edge-layer fixtures: the prod/dev plans (`engines` and `registrations` are in tests/conftest.py)."""

from __future__ import annotations

import pytest


@pytest.fixture
def prod_plan(run_layer):
    return run_layer("edge", "prod")


@pytest.fixture
def dev_plan(run_layer):
    return run_layer("edge", "dev")
