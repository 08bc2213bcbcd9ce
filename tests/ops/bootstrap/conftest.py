"""Bootstrap writes into the state bucket it made TLS-only: moto must see its requests as TLS. Its
offline plan (to derive the roles) reuses identical layer runs, as every plan of the suite does."""

from __future__ import annotations

from collections.abc import Iterator
from unittest import mock

import pytest

from tests.conftest import reusing_run_program
from tests.moto_tls import requests_over_tls


@pytest.fixture(autouse=True)
def _tls_and_reused_plans() -> Iterator[None]:
    with requests_over_tls(), mock.patch("ops.plan.platform.run_program", reusing_run_program):
        yield
