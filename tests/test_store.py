"""Storing walkthroughs with outputs (`mlops-course store`) and checking them (`store --check`)."""

from __future__ import annotations

import shutil
from pathlib import Path

import nbformat
import pytest

from mlops_course.classroom.cli import main
from mlops_course.classroom.running.store import NotStorable, clean, store_notebook
from mlops_course.classroom.running.store_check import notebook_problems, stored_notebook_problems

NOTEBOOKS = Path(__file__).parent / "fixtures" / "notebooks"
STATIC_LINE = "Static run (MLOPS_COURSE_STATIC=1) with scale=2"

# Each dirty fixture and the words `store --check` must say about it.
DIRTY = {
    "stored-with-papermill-metadata": ["papermill's run metadata", "execution timings"],
    "stored-without-execution-counts": ["no execution_count in cells 1, 2, 3"],
    "stored-out-of-order": ["execution_count 7 in cell 2 where a top-to-bottom run gives 2"],
    "stored-with-widget-state": ["ipywidgets state"],
    "stored-with-widget-view": ["live widget view in cell 2"],
    "stored-with-injected-parameters": ["injected-parameters cell (cell 2)"],
    "stored-on-another-kernel": ["runs on kernel 'python3', not 'mlops-course'"],
    "stored-without-parameters-cell": ["no cell tagged 'parameters'"],
    "stored-with-empty-code-cell": ["empty code cell (cell 4)"],
}
# What a run leaves behind and cleaning removes.
RUN_LEFTOVERS = [
    "stored-with-papermill-metadata",
    "stored-with-widget-state",
    "stored-with-injected-parameters",
]


def _read(name: str) -> nbformat.NotebookNode:
    return nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)


def _copy(name: str, folder: Path) -> Path:
    target = folder / f"{name}.ipynb"
    shutil.copy(NOTEBOOKS / f"{name}.ipynb", target)
    return target


def _course(root: Path, fixtures: dict[str, str]) -> None:
    """A course whose written lessons' walkthroughs are copies of fixture notebooks."""
    (root / "notebooks").mkdir(exist_ok=True)
    tables = []
    for lesson_id, fixture in fixtures.items():
        slug = f"{lesson_id}-{fixture}"
        shutil.copy(NOTEBOOKS / f"{fixture}.ipynb", root / "notebooks" / f"{slug}.ipynb")
        tables.append(
            f'[[lessons]]\nid = "{lesson_id}"\nslug = "{slug}"\ntitle = "{fixture}"\n'
            f'practice = "Store {fixture}."\nstatus = "written"\n'
            f'notebook = "notebooks/{slug}.ipynb"\nsolution = "solutions/{slug}.ipynb"\n'
            f'exercise = "exercises/{slug}.ipynb"\npoints = 10\n'
        )
    (root / "course" / "course.toml").write_text("\n".join(tables))


@pytest.mark.parametrize("fixture", DIRTY)
def test_check_names_what_keeps_a_notebook_from_being_clean(fixture: str) -> None:
    found = " | ".join(problem.what for problem in notebook_problems(_read(fixture)))
    for words in DIRTY[fixture]:
        assert words in found


def test_a_notebook_stored_clean_has_no_problem() -> None:
    assert stored_notebook_problems(NOTEBOOKS / "stored-clean.ipynb") == []


def test_a_file_that_is_not_a_notebook_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    broken = tmp_path / "broken.ipynb"
    broken.write_text("{ not json")
    [problem] = stored_notebook_problems(broken)
    assert problem.what.startswith("cannot be read as a notebook") and problem.fix


@pytest.mark.parametrize("fixture", RUN_LEFTOVERS)
def test_cleaning_removes_the_run_leftovers_and_keeps_every_output(fixture: str) -> None:
    dirty = _read(fixture)
    cleaned = clean(dirty)

    # the injected cell's counts are off by one after it goes; nothing else is left
    leftovers = [p.what for p in notebook_problems(cleaned) if "execution_count" not in p.what]
    assert leftovers == []
    kept = {cell.id: cell for cell in dirty.cells}
    for cell in cleaned.cells:
        assert cell.source == kept[cell.id].source
        assert cell.get("outputs") == kept[cell.id].get("outputs")
        assert cell.metadata.get("tags") == (kept[cell.id].metadata.get("tags") or None)
    assert dirty != cleaned, "clean() must copy, not edit its argument"


def test_store_twice_gives_the_same_bytes_without_run_metadata(tmp_path: Path) -> None:
    notebook = _copy("shows-a-widget", tmp_path)

    first = store_notebook(notebook)
    stored = notebook.read_bytes()
    second = store_notebook(notebook)

    assert first.ok and first.changed and second.ok and not second.changed
    assert notebook.read_bytes() == stored
    result = nbformat.reads(stored.decode(), as_version=4)
    assert notebook_problems(result) == []
    assert STATIC_LINE in result.cells[2].outputs[0].text
    assert result.cells[3].outputs[0].text == "seed=42, rows=3\n"


def test_the_static_run_itself_leaves_widget_state_and_timings(tmp_path: Path) -> None:
    # The premise of the test above: without cleaning, this fixture's run is not clean.
    from mlops_course.classroom.running.execute import execute

    executed = tmp_path / "executed.ipynb"
    assert execute(NOTEBOOKS / "shows-a-widget.ipynb", executed).ok
    found = " | ".join(p.what for p in notebook_problems(nbformat.read(executed, as_version=4)))
    assert "ipywidgets state" in found and "papermill" in found and "timings" in found


def test_store_drops_injected_parameters_and_runs_the_defaults(tmp_path: Path) -> None:
    notebook = _copy("stored-with-injected-parameters", tmp_path)
    assert "seed=7" in notebook.read_text()

    assert store_notebook(notebook).ok

    result = nbformat.read(notebook, as_version=4)
    assert [cell.id for cell in result.cells] == [
        f"stored-with-injected-parameters-{index}" for index in range(4)
    ]
    assert result.cells[3].outputs[0].text == "seed=42, rows=3\n"
    assert [cell.execution_count for cell in result.cells[1:]] == [1, 2, 3]


@pytest.mark.parametrize(
    ("fixture", "reason"),
    [
        ("stored-on-another-kernel", "runs on kernel 'python3'"),
        ("stored-without-parameters-cell", "has no cell tagged 'parameters'"),
    ],
)
def test_store_refuses_what_no_run_can_fix_before_executing(
    tmp_path: Path, fixture: str, reason: str
) -> None:
    notebook = _copy(fixture, tmp_path)
    before = notebook.read_bytes()
    with pytest.raises(NotStorable, match=f"{fixture}.ipynb cannot be stored, it {reason}"):
        store_notebook(notebook)
    assert notebook.read_bytes() == before


def test_cli_failing_notebook_stays_untouched_and_names_cell_and_error(
    tmp_course: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _course(tmp_course, {"00": "fails-in-third-cell"})
    notebook = tmp_course / "notebooks" / "00-fails-in-third-cell.ipynb"
    before = notebook.read_bytes()

    assert main(["store", "00"]) == 1

    assert notebook.read_bytes() == before
    assert list(notebook.parent.iterdir()) == [notebook], "no temporary file is left behind"
    error = capsys.readouterr().err
    assert "lesson 00: " in error and "00-fails-in-third-cell.ipynb not stored" in error
    assert "cell 2: ValueError: broken on purpose with seed 42" in error
    assert "the committed notebook is unchanged" in error


def test_cli_check_exits_1_naming_only_the_unclean_notebooks(
    tmp_course: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _course(tmp_course, {"00": "stored-clean", "01": "stored-with-papermill-metadata"})

    assert main(["store", "--check"]) == 1

    lines = capsys.readouterr().err.splitlines()
    assert lines and all(line.startswith("lesson 01: ") for line in lines)
    assert "01-stored-with-papermill-metadata.ipynb carries papermill's run metadata" in lines[0]
    assert lines[0].endswith("; run `mlops-course store 01` and commit it.")


def test_cli_check_of_clean_notebooks_exits_0(
    tmp_course: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _course(tmp_course, {"00": "stored-clean"})
    assert main(["store", "--check"]) == 0
    assert "stored clean (1 notebook)" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["store"], "give lesson ids or --all; store rewrites committed notebooks"),
        (["store", "00", "--all"], "give lesson ids or --all, not both."),
        (["store", "07"], "no lesson '07' in course/course.toml"),
    ],
    ids=["no-selection", "ids-and-all", "unknown-lesson"],
)
def test_cli_bad_selection_is_one_error_sentence_with_exit_2(
    tmp_course: Path, capsys: pytest.CaptureFixture[str], args: list[str], expected: str
) -> None:
    _course(tmp_course, {"00": "stored-clean"})
    assert main(args) == 2
    [line] = capsys.readouterr().err.splitlines()
    assert line.startswith("mlops-course: error: ") and expected in line
