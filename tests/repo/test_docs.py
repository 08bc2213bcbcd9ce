"""The docs' tables are generated from Pulumi.yaml and the contracts; they must match the code."""

import pytest

from ops.docs.tables import config_table, contracts_table, exports_table, rendered
from ops.environment.stack_files import project_file
from shared.contracts.data import DataContract
from shared.layers import LAYER_NAMES, lifecycle


@pytest.mark.parametrize("path_and_text", list(rendered().items()), ids=lambda p: str(p[0].name))
def test_committed_docs_match_a_fresh_render(path_and_text):
    path, text = path_and_text
    assert path.read_text() == text, f"{path} is stale: run `invoke docs`"


@pytest.mark.parametrize("layer", LAYER_NAMES)
def test_config_table_lists_every_declared_key_once(layer):
    table = config_table(layer)
    for key in project_file(layer)["config"]:
        assert table.count(f"| `{layer}:{key}` |") == 1


def test_exports_table_lists_the_contract_and_its_readers():
    table = exports_table("data")
    for name in DataContract.names():
        assert f"| `{name}` |" in table
    assert table.endswith("Read by: compute.")


def test_contracts_table_has_one_row_per_output():
    rows = contracts_table().splitlines()[2:]
    assert len(rows) == sum(len(lifecycle(n).contract.names()) for n in LAYER_NAMES) == 45
