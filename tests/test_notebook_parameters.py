"""Every course notebook documents its parameters for `papermill --help-notebook`.

The lesson template asks for a typed, commented `parameters` cell; papermill silently drops
a line it cannot parse (a colon in the comment, a missing type), and the parameter then
neither shows in the help nor gets its type for `mlops-course run -p`.
"""

from __future__ import annotations

import logging
from pathlib import Path

import papermill
import pytest

REPO = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted(
    path.relative_to(REPO)
    for folder in ("notebooks", "solutions", "exercises")
    for path in (REPO / folder).glob("*.ipynb")
)


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=str)
def test_every_parameter_is_typed_commented_and_parsed(notebook: Path, caplog) -> None:
    with caplog.at_level(logging.WARNING, logger="papermill"):
        parameters = papermill.inspect_notebook(str(REPO / notebook))
    assert parameters, f"{notebook} has no parameters cell"
    assert not caplog.records, f"papermill cannot parse {notebook}: {caplog.records[0].message}"
    for name, parameter in parameters.items():
        assert parameter["inferred_type_name"] != "None", f"{notebook}: {name} has no type"
        assert parameter["help"], f"{notebook}: {name} has no comment saying what it is"
