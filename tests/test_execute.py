"""Executing one notebook: parameters converted to their declared types, cwd, env, failures."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from mlops_course.classroom.running.execute import NotebookNotFound, execute
from mlops_course.classroom.running.parameters import BadParameter, resolve_parameters

NOTEBOOKS = Path(__file__).parent / "fixtures" / "notebooks"


def _printed(notebook: Path) -> str:
    cells = nbformat.read(notebook, as_version=4).cells
    return "".join(output.get("text", "") for cell in cells for output in cell.get("outputs", []))


def test_text_values_are_converted_to_the_declared_types() -> None:
    given = {"seed": "7", "label": "x", "rate": "0.25", "verbose": "true"}
    resolved = resolve_parameters(NOTEBOOKS / "prints-parameters.ipynb", given)
    assert resolved == {"seed": 7, "label": "x", "rate": 0.25, "verbose": True}
    assert type(resolved["seed"]) is int and type(resolved["rate"]) is float


def test_unknown_parameter_names_the_notebook_and_its_parameters() -> None:
    with pytest.raises(BadParameter) as raised:
        resolve_parameters(NOTEBOOKS / "prints-parameters.ipynb", {"sed": "7"})
    message = str(raised.value)
    assert "prints-parameters.ipynb has no parameter 'sed'" in message
    assert "its parameters are seed (int), label (str), rate (float), verbose (bool)" in message


@pytest.mark.parametrize(
    ("name", "value"), [("seed", "seven"), ("seed", "7.5"), ("verbose", "maybe")]
)
def test_value_that_does_not_convert_names_parameter_and_type(name: str, value: str) -> None:
    with pytest.raises(BadParameter, match=f"parameter '{name}' of .*prints-parameters.ipynb must"):
        resolve_parameters(NOTEBOOKS / "prints-parameters.ipynb", {name: value})


def test_injected_parameters_reach_the_notebook(tmp_path: Path) -> None:
    output = tmp_path / "out.ipynb"
    result = execute(NOTEBOOKS / "prints-parameters.ipynb", output, {"seed": "7"})
    assert result.ok and result.error is None
    assert "seed=7 (int)" in _printed(output)


def test_kernel_runs_in_the_notebook_folder_with_static_env(tmp_path: Path) -> None:
    output = tmp_path / "out.ipynb"
    assert execute(NOTEBOOKS / "reports-cwd-and-env.ipynb", output).ok
    printed = _printed(output)
    assert f"cwd {NOTEBOOKS}\n" in printed
    assert "MLOPS_COURSE_STATIC 1\n" in printed


def test_kernels_use_one_thread_each_unless_the_caller_says_otherwise(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    assert execute(NOTEBOOKS / "reports-cwd-and-env.ipynb", tmp_path / "one.ipynb").ok
    monkeypatch.setenv("OMP_NUM_THREADS", "2")
    assert execute(NOTEBOOKS / "reports-cwd-and-env.ipynb", tmp_path / "two.ipynb").ok
    assert "OMP_NUM_THREADS 1\n" in _printed(tmp_path / "one.ipynb")
    assert "OMP_NUM_THREADS 2\n" in _printed(tmp_path / "two.ipynb")


@pytest.mark.parametrize("parameters", [{}, {"seed": "5"}], ids=["defaults", "injected"])
def test_failure_names_the_input_cell_even_after_injection(tmp_path: Path, parameters) -> None:
    result = execute(NOTEBOOKS / "fails-in-third-cell.ipynb", tmp_path / "out.ipynb", parameters)
    assert result.status == "failed"
    assert (result.error.cell_index, result.error.ename) == (2, "ValueError")
    assert result.error.evalue.startswith("broken on purpose with seed")


def test_cell_over_the_time_limit_is_reported_as_timeout(tmp_path: Path) -> None:
    notebook = NOTEBOOKS / "sleeps-briefly.ipynb"
    result = execute(notebook, tmp_path / "out.ipynb", {"seconds": "30"}, timeout_per_cell=1)
    assert result.status == "timeout"
    assert result.error.cell_index == 1
    assert result.duration < 15


def test_missing_notebook_is_an_error_naming_it(tmp_path: Path) -> None:
    with pytest.raises(NotebookNotFound, match="no-such.ipynb does not exist"):
        execute(tmp_path / "no-such.ipynb", tmp_path / "out.ipynb")


def test_kernel_that_dies_is_reported_with_its_cell(tmp_path: Path) -> None:
    result = execute(NOTEBOOKS / "kills-its-kernel.ipynb", tmp_path / "out.ipynb")
    assert result.status == "failed"
    assert (result.error.cell_index, result.error.ename) == (1, "DeadKernelError")
