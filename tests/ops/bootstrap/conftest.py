"""Bootstrap writes into the state bucket it made TLS-only: moto must see its requests as TLS."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.moto_tls import requests_over_tls


@pytest.fixture(autouse=True)
def _tls() -> Iterator[None]:
    with requests_over_tls():
        yield
