"""Edge-layer fixtures: the prod/dev plans and the mock engines (`registrations` is in tests/conftest.py)."""

from __future__ import annotations

import pytest

from ops import mock_engine


@pytest.fixture
def prod_plan(run_layer):
    return run_layer("edge", "prod")


@pytest.fixture
def dev_plan(run_layer):
    return run_layer("edge", "dev")


@pytest.fixture
def engines(monkeypatch) -> list[mock_engine.PlanMocks]:
    """Every mock engine a test creates, to inspect its registrations and data-source calls."""
    made: list[mock_engine.PlanMocks] = []
    original_init = mock_engine.PlanMocks.__init__

    def recording_init(self, *args, **kwargs):
        original_init(self, *args, **kwargs)
        made.append(self)

    monkeypatch.setattr(mock_engine.PlanMocks, "__init__", recording_init)
    return made
