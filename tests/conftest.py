"""One mock engine for every test: the same `run_program` the offline plan uses.

- `run_layer(layer, env, overrides=..., cloud=..., upstream=...)` runs one layer's real program
  with its real stack config (plus overrides), feeding its StackReferences with stand-in
  exports shaped by the upstream contracts, so each layer is tested on its own. A run identical
  to an earlier one of the worker is answered with a copy of its plan, unless a test has swapped
  a part of the engine (as `registrations` does) or listens for info messages, or asks for
  `fresh=True` (a determinism test comparing two runs): those always get a run of their own.
- `platform_plan(env)` is the full offline plan (every layer wired to the real exports of the
  layers before it), computed once per session and environment.
- boto3 clients made in this process share one botocore loader, so each service's model is read
  once per worker instead of once per client (`pytest_configure`).
- `registrations` records what the engine saw beyond inputs (options such as dependencies,
  parent, protect, retainOnDelete, custom timeouts) for every layer run in the test.
"""

from __future__ import annotations

import copy
import dataclasses
import gc
import json
import logging
import os
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any
from unittest import mock

import botocore.loaders
import pytest
from moto.server import ThreadedMotoServer
from pulumi.runtime.mocks import MockMonitor

from ops.environment.environment import Environment
from ops.environment.stack_files import project_dir, stack_config
from ops.plan import mock_engine
from ops.plan.mock_engine import OfflineCloud, PlanMocks, ProgramRun, run_program
from ops.plan.platform import LayerPlan, PlatformPlan, plan_platform
from shared.contracts import Contract
from shared.contracts.network import NetworkContract
from shared.layers import lifecycle, upstream
from shared.plan_values import computed


def standin_exports(contract: type[Contract]) -> dict[str, Any]:
    """Exports shaped like `contract`: lists get two entries (one per AZ), ports are numbers."""
    out: dict[str, Any] = {}
    for f in dataclasses.fields(contract):
        marker = computed(f"{contract.LAYER}-stack", f.name)
        type_text = str(f.type)
        if "list[" in type_text:
            out[f.name] = [f"{marker}[0]", f"{marker}[1]"]
        elif "int" in type_text:
            out[f.name] = 5432
        else:
            out[f.name] = marker
    if contract is NetworkContract:
        out["availability_zones"] = ["ap-northeast-2a", "ap-northeast-2c"]
        out["vpc_cidr"] = "10.10.0.0/16"
    return out


RunLayer = Callable[..., LayerPlan]

# Program runs already made in this worker: the same program, stack, config, cloud and upstream
# exports give the same run, so a test gets a copy of it instead of a second run (0.1-0.2 s each).
_RUNS: dict[str, ProgramRun] = {}


def _engine_parts() -> tuple[Any, ...]:
    return (
        PlanMocks.__init__,
        PlanMocks.new_resource,
        PlanMocks.call,
        MockMonitor.RegisterResource,
        *mock_engine.CALLS.items(),
    )


_ENGINE = _engine_parts()


def _reusable() -> bool:
    """Only a plain run may be reused: no test has swapped a part of the engine (to record or alter
    registrations or data-source answers), and none listens for the program's info messages, which a
    reused run would not print again."""
    return _engine_parts() == _ENGINE and logging.getLogger().getEffectiveLevel() > logging.INFO


def reusing_run_program(main: Path, *, fresh: bool = False, **run: Any) -> ProgramRun:
    """`run_program`, answered with a copy of an identical earlier run when there is one (unless `fresh`:
    a test that compares two runs must get two)."""
    if fresh or not _reusable():
        return run_program(main, **run)
    key = json.dumps(
        [str(main), mock_engine.ORGANIZATION, {k: repr(v) if k == "cloud" else v for k, v in run.items()}],
        sort_keys=True,
        default=str,
    )
    if key not in _RUNS:
        _RUNS[key] = run_program(main, **run)
    return copy.deepcopy(_RUNS[key])


@pytest.fixture
def run_layer() -> RunLayer:
    """Run one layer's program under mocks (or reuse an identical earlier run); see the module docstring."""

    def run(
        layer: str,
        env: str = "prod",
        *,
        overrides: Mapping[str, Any] | None = None,
        cloud: OfflineCloud | None = None,
        upstream_exports: Mapping[str, Mapping[str, Any]] | None = None,
        fresh: bool = False,
    ) -> LayerPlan:
        config = dict(stack_config(layer, env).values)
        for key, value in (overrides or {}).items():
            full = key if ":" in key else f"{layer}:{key}"
            config[full] = value if isinstance(value, str) else json.dumps(value)
        feeds = {u: standin_exports(lifecycle(u).contract) for u in upstream(layer)}
        feeds.update(upstream_exports or {})
        result = reusing_run_program(
            project_dir(layer) / "__main__.py",
            project=layer,
            stack=env,
            config=config,
            cloud=cloud or OfflineCloud(),
            stack_outputs=feeds,
            fresh=fresh,
        )
        return LayerPlan(layer, "planned", result.resources, result.exports, result.secret_exports)

    return run


PlanWith = Callable[..., PlatformPlan]


def _reusing_plan_platform(env: str, **options: Any) -> PlatformPlan:
    with mock.patch("ops.plan.platform.run_program", reusing_run_program):
        return plan_platform(Environment.load(env), **options)


@pytest.fixture
def plan_with() -> PlanWith:
    """`plan_platform(env, ...)` whose layer runs are reused when identical (a what-if that changes
    compute runs compute again, not the layers above it). Calling `plan_platform` itself runs all."""
    return _reusing_plan_platform


_PLANS: dict[str, PlatformPlan] = {}


@pytest.fixture
def platform_plan(plan_with: PlanWith) -> Callable[[str], PlatformPlan]:
    """The full offline plan of an environment, computed once per session."""

    def get(env: str) -> PlatformPlan:
        if env not in _PLANS:
            _PLANS[env] = plan_with(env)
        return _PLANS[env]

    return get


@pytest.fixture
def registrations(monkeypatch) -> dict[str, Any]:
    """Logical name -> the raw RegisterResource request (dependencies, parent, protect, timeouts...).

    Request it before the plan fixture (or before calling `run_layer`) so it records that run.
    """
    seen: dict[str, Any] = {}
    original = MockMonitor.RegisterResource

    def record(self, request):
        seen[request.name] = request
        return original(self, request)

    monkeypatch.setattr(MockMonitor, "RegisterResource", record)
    return seen


@pytest.fixture
def engines(monkeypatch) -> list[PlanMocks]:
    """Every mock engine a test creates, to inspect its registrations even when the program failed."""
    made: list[PlanMocks] = []
    original_init = PlanMocks.__init__

    def recording_init(self, *args, **kwargs):
        original_init(self, *args, **kwargs)
        made.append(self)

    monkeypatch.setattr(PlanMocks, "__init__", recording_init)
    return made


@pytest.fixture(scope="session")
def moto_server() -> Iterator[str]:
    """moto's server on loopback and a free port, for the whole session (each worker); yields its URL.

    The one moto server of the suite: tests that use it reset it (`POST /moto-api/reset`) for a clean cloud.
    """
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # not one line per AWS call
    # moto's EC2 loads thousands of default AMIs into every fresh backend (after each reset): no test
    # reads them, and skipping them saves about 0.6 s per test that creates a VPC.
    os.environ.setdefault("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


_LOADER_PATCH = pytest.MonkeyPatch()


def pytest_configure(config: pytest.Config) -> None:
    """Every botocore session of this process reads service models through one loader, whose cache
    then serves every client after the first of a service (a new loader per session re-reads the
    JSON: moto alone builds three sessions when its EC2 models are imported). Credentials, region
    and configuration stay per session. Set before collection, which imports moto."""
    shared = botocore.loaders.create_loader()
    _LOADER_PATCH.setattr("botocore.session.create_loader", lambda search_path_string=None: shared)


def pytest_unconfigure(config: pytest.Config) -> None:
    _LOADER_PATCH.undo()
    gc.freeze()  # as the tasks do at exit: shutting down then skips walking the whole heap again


def pytest_collection_finish(session: pytest.Session) -> None:
    """Keep Python's full garbage collections cheap: the imported libraries (pulumi, botocore, moto)
    are millions of objects that live as long as the worker, yet every full collection would walk
    them again. Freeze them once collected, and make full collections rarer; young garbage is still
    collected as usual. Without this a worker spends 15-20 s of a run in full collections."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(700, 10, 100)
