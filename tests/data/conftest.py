"""Data-layer fixtures: the prod and dev plans, and the raw registrations (dependencies)."""

from __future__ import annotations

from typing import Any

import pytest
from pulumi.runtime.mocks import MockMonitor


@pytest.fixture
def prod_plan(run_layer):
    return run_layer("data", "prod")


@pytest.fixture
def dev_plan(run_layer):
    return run_layer("data", "dev")


@pytest.fixture
def registrations(monkeypatch) -> dict[str, Any]:
    """Logical name -> the raw RegisterResource request (dependencies, parent)."""
    seen: dict[str, Any] = {}
    original = MockMonitor.RegisterResource

    def record(self, request):
        seen[request.name] = request
        return original(self, request)

    monkeypatch.setattr(MockMonitor, "RegisterResource", record)
    return seen
