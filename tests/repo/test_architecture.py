"""The code's shape: dependencies point one way, and generic tooling knows no layer by name."""

from __future__ import annotations

import ast
import dataclasses
import textwrap
from pathlib import Path

import pytest

import shared.layers as shared_layers
from shared.layers import LAYER_NAMES, Layer, lifecycle

REPO = Path(__file__).resolve().parents[2]
GENERIC = [REPO / "ops", REPO / "policy" / "payments_policy"]
LAYER_PACKAGES = {f"payments_{name}" for name in LAYER_NAMES}


def _python_files(*roots: Path) -> list[Path]:
    return sorted(p for root in roots for p in root.rglob("*.py"))


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


def _top(module: str) -> str:
    return module.split(".")[0]


def test_shared_imports_neither_ops_nor_policy_nor_a_layer_package():
    for path in _python_files(REPO / "shared"):
        bad = {m for m in _imports(path) if _top(m) in {"ops", "payments_policy", *LAYER_PACKAGES}}
        assert not bad, f"{path.relative_to(REPO)} imports {sorted(bad)}"


def test_the_policy_pack_imports_nothing_from_ops():
    # The pack's own code; its virtualenv (policy/venv) holds third-party code, not ours.
    for path in [REPO / "policy" / "__main__.py", *_python_files(REPO / "policy" / "payments_policy")]:
        bad = {m for m in _imports(path) if _top(m) == "ops"}
        assert not bad, f"{path.relative_to(REPO)} imports {sorted(bad)}"


@pytest.mark.parametrize("layer", LAYER_NAMES)
def test_every_registered_layer_has_its_project_folder_with_pulumi_yaml_and_program(layer: str):
    project = REPO / "projects" / layer
    assert (project / "Pulumi.yaml").is_file(), f"projects/{layer}/Pulumi.yaml is missing"
    assert (project / "__main__.py").is_file(), f"projects/{layer}/__main__.py is missing"


def test_every_project_folder_is_a_registered_layer():
    folders = sorted(p.parent.name for p in (REPO / "projects").glob("*/Pulumi.yaml"))
    assert folders == sorted(LAYER_NAMES)


def test_layer_packages_import_no_tooling():
    for name in LAYER_NAMES:
        for path in _python_files(REPO / "projects" / name):
            bad = {m for m in _imports(path) if _top(m) in {"ops", "payments_policy"}}
            assert not bad, f"{path.relative_to(REPO)} imports {sorted(bad)}"


def _code_strings(path: Path) -> list[str]:
    """String constants of a module that are not docstrings (messages, keys, paths)."""
    tree = ast.parse(path.read_text())
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    return [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings
    ]


def test_generic_code_names_no_layer():
    for path in _python_files(*GENERIC):
        imported = {m for m in _imports(path) if _top(m) in LAYER_PACKAGES}
        assert not imported, f"{path.relative_to(REPO)} imports a layer package: {sorted(imported)}"
        for text in _code_strings(path):
            for name in LAYER_NAMES:
                assert text != name and not text.startswith(f"{name}:"), (
                    f"{path.relative_to(REPO)} names the {name} layer in {text!r}"
                )


# A fifth layer is its folder plus one registry line -------------------------------------------


@pytest.fixture
def fifth_layer(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """Register a throwaway `cache` layer (on network) whose package declares its own lifecycle."""
    package = tmp_path / "payments_cache"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "lifecycle.py").write_text(
        textwrap.dedent(
            """
            from dataclasses import dataclass
            from typing import ClassVar

            from shared.contracts import Contract, output
            from shared.lifecycle import LayerLifecycle, PreflightCheck, Teardown, VerifyCheck
            from shared.ownership import Ownership
            from shared.settings import StackSettings


            @dataclass(frozen=True)
            class CacheContract(Contract):
                LAYER: ClassVar[str] = "cache"
                cache_endpoint: str = output("Endpoint of the cache cluster.")


            class CacheSettings(StackSettings):
                pass


            LIFECYCLE = LayerLifecycle(
                contract=CacheContract,
                settings=CacheSettings,
                owner=Ownership(team="@payments/cache"),
                preflight=(PreflightCheck("cache-quota", lambda ctx: f"cache quota checked in {ctx.env}"),),
                teardown=Teardown(config=(("deletionProtection", "false"),), targets=("aws:elasticache/cluster:Cluster",)),
                verify=(VerifyCheck("cache", "cache answers", lambda p: "ok", needs=("cache_endpoint",)),),
                diagram_colors=("#000000", "#ffffff"),
            )
            """
        )
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(shared_layers, "LAYERS", (*shared_layers.LAYERS, Layer("cache", ("network",), "a cache")))
    return "cache"


def test_a_registered_fifth_layer_takes_its_place_in_the_graph(fifth_layer: str):
    assert shared_layers.layer_names()[-1] == fifth_layer
    assert shared_layers.waves() == [("network",), ("data", "edge", "cache"), ("compute",)]
    assert shared_layers.teardown_order()[-1] == "network"


def test_the_tooling_finds_a_fifth_layers_checks_flips_and_colours(fifth_layer: str):
    from ops.docs.diagram_model import layer_colors
    from ops.stacks.teardown import teardown_flips
    from ops.verify.checks import check_names

    assert lifecycle(fifth_layer).contract.names() == ("cache_endpoint",)
    assert "cache" in check_names()
    assert teardown_flips(fifth_layer, "dev") == (("cache:deletionProtection", "false"),)
    assert layer_colors()[fifth_layer] == ("#000000", "#ffffff")


def test_a_fifth_layers_team_owns_its_folder_in_codeowners(fifth_layer: str):
    from ops.docs.codeowners import codeowners

    lines = codeowners().splitlines()
    assert lines[-1] == "/projects/cache/ @payments/cache"  # last: GitHub applies the last matching line


def test_preflight_runs_a_fifth_layers_own_check(fifth_layer: str, tmp_path: Path):
    from ops.environment.environment import Environment
    from ops.stacks.preflight import run_preflight

    projects = tmp_path / "projects"
    for name in (*LAYER_NAMES, fifth_layer):
        (projects / name).mkdir(parents=True)
        (projects / name / "__main__.py").write_text("")
        (projects / name / "Pulumi.yaml").write_text(f"name: {name}\nruntime: python\n")
        (projects / name / "Pulumi.dev.yaml").write_text("config:\n  aws:region: ap-northeast-2\n")
    pack = tmp_path / "policy"
    (pack / "venv" / "lib" / "python3.11" / "site-packages" / "pulumi_policy").mkdir(parents=True)

    class Clients:
        def client(self, service: str) -> object:
            assert service == "sts"
            return type("Sts", (), {"get_caller_identity": staticmethod(lambda: {"Account": "123456789012"})})()

    report = run_preflight(
        Environment.load("dev", projects),
        [fifth_layer],
        changes_config=True,
        aws=Clients(),  # type: ignore[arg-type]
        which=lambda _: "/usr/bin/pulumi",
        environ={"PULUMI_CONFIG_PASSPHRASE": "x"},
        models={},
        policy_dir=pack,
    )
    assert report.problems == ("cache quota checked in dev",)


def test_lifecycles_are_frozen_declarations():
    for name in LAYER_NAMES:
        assert dataclasses.is_dataclass(lifecycle(name))
