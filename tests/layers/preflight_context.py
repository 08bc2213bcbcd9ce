"""A `PreflightContext` for a layer's own preflight checks: its real settings and stubbed AWS clients."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from shared.settings import StackSettings


@dataclass
class StubClients:
    """Hands out the given boto3 clients (usually wrapped in a botocore `Stubber`) by service name."""

    clients: dict[str, Any]

    def client(self, service: str) -> Any:
        return self.clients[service]


@dataclass
class FakePreflightContext:
    """The environment's settings per layer (None: unreadable) and the AWS clients checks may call."""

    aws: StubClients
    layer_settings: dict[str, StackSettings | None] = field(default_factory=dict)
    env: str = "prod"
    values: dict[str, str] = field(default_factory=dict)

    def settings(self, layer: str) -> StackSettings | None:
        return self.layer_settings.get(layer)

    def value(self, key: str) -> str | None:
        return self.values.get(key)
