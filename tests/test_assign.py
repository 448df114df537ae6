"""Solutions to exercises: stubs, no hidden tests, cleared outputs, locked cells, sync check."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import nbformat
import pytest
from solution_cases import SOLUTION_FIXTURES, WELL_FORMED, make_course, readable_text, secret_lines

from mlops_course.classroom.authoring.assign import (
    AssignError,
    assign,
    build_exercise,
    check_assignments,
)
from mlops_course.classroom.authoring.solution import AuthoringError, parse_solution
from mlops_course.classroom.cli import main
from mlops_course.paths import ROOT_ENV

EXERCISE = Path("exercises/00-mlops-lifecycle.ipynb")
SOLUTION = Path("solutions/00-mlops-lifecycle.ipynb")


@pytest.fixture
def course(tmp_path: Path) -> Path:
    """Lesson 00 has the well-formed solution; lesson 01 has none yet."""
    return make_course(tmp_path / "course", {"00": WELL_FORMED})


def _cells(notebook_path: Path) -> dict[str, nbformat.NotebookNode]:
    return {cell["id"]: cell for cell in nbformat.read(notebook_path, as_version=4).cells}


def test_assign_writes_only_lessons_that_have_a_solution(course):
    assert assign(root=course) == [course / EXERCISE]
    assert not (course / "exercises" / "01-data-validation.ipynb").exists()


def test_exercise_holds_no_solution_code_and_no_hidden_test(course):
    assign(root=course)

    text = readable_text(course / EXERCISE)
    secrets = secret_lines(course / SOLUTION)
    assert secrets, "the fixture must have solution and hidden-test lines to look for"
    assert [line for line in secrets if line in text] == []
    assert "HIDDEN TESTS" not in text and "SOLUTION" not in text


def test_solution_blocks_become_stubs_by_the_documented_rule(course):
    assign(root=course)

    cells = _cells(course / EXERCISE)
    # a top-level block that only assigns names: one None stub per name
    assert cells["q1-answer"].source == "late_share = None  # YOUR CODE HERE"
    # a block inside a function body: a raise at the block's indentation
    assert cells["q2-answer"].source.endswith(
        '    # YOUR CODE HERE\n    raise NotImplementedError("Write your answer for q2 here")'
    )
    assert cells["q2-answer"].source.startswith("def mean_delay(values):\n")


def test_public_tests_stay_and_the_hidden_block_leaves_no_gap(course):
    assign(root=course)

    tests = _cells(course / EXERCISE)["q1-tests"].source
    assert "def test_late_share_is_a_fraction():" in tests
    assert "\n\n\n\n" not in tests
    assert tests.endswith('"late_share should lie between 0 and 1"\n\n\ncheck("q1")')


def test_outputs_execution_counts_and_run_metadata_are_cleared(course):
    solution = nbformat.read(course / SOLUTION, as_version=4)
    assert any(cell.get("outputs") for cell in solution.cells), "fixture has stored outputs"

    assign(root=course)

    for cell in nbformat.read(course / EXERCISE, as_version=4).cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None
        assert "execution" not in cell.metadata


def test_setup_and_tests_cells_are_locked_with_the_checksum_of_their_source(course):
    assign(root=course)

    for cell_id, cell in _cells(course / EXERCISE).items():
        role = cell.metadata.get("mlops_course", {}).get("role")
        if role in ("setup", "tests"):
            assert cell.metadata["editable"] is False and cell.metadata["deletable"] is False
            expected = hashlib.sha256(cell.source.encode("utf-8")).hexdigest()
            assert cell.metadata["mlops_course"]["source_sha256"] == expected, cell_id
        else:
            assert "editable" not in cell.metadata and "deletable" not in cell.metadata
            assert "source_sha256" not in cell.metadata.get("mlops_course", {})


def test_exercise_keeps_the_kernelspec_and_the_parameters_tag(course):
    assign(root=course)

    exercise = nbformat.read(course / EXERCISE, as_version=4)
    assert exercise.metadata.kernelspec.name == "mlops-course"
    assert exercise.cells[1].metadata.tags == ["parameters"]


def test_same_solution_gives_byte_identical_exercises_in_any_course_folder(course, tmp_path):
    assign(root=course)
    first = (course / EXERCISE).read_bytes()
    (course / EXERCISE).unlink()
    assign(root=course)
    other = make_course(tmp_path / "elsewhere", {"00": WELL_FORMED})
    assign(root=other)

    assert (course / EXERCISE).read_bytes() == first
    assert (other / EXERCISE).read_bytes() == first


def test_cells_without_ids_get_stable_numbered_ids():
    solution = nbformat.read(SOLUTION_FIXTURES / f"{WELL_FORMED}.ipynb", as_version=4)
    for cell in solution.cells:
        del cell["id"]

    exercise = parse_solution(solution, Path("no-ids.ipynb"))

    ids = [cell["id"] for cell in build_exercise(exercise).cells]
    assert ids == [f"cell-{index}" for index in range(len(solution.cells))]


@pytest.mark.parametrize(
    ("block", "stub"),
    [
        ("x = 1\ny: int = 2", "x = None  # YOUR CODE HERE\ny = None  # YOUR CODE HERE"),
        ("x = y = 1\nx = 2", "x = None  # YOUR CODE HERE\ny = None  # YOUR CODE HERE"),
        ("for day in range(3):\n    x = day", 'raise NotImplementedError("Write your answer'),
        ("table['late'] = 1", 'raise NotImplementedError("Write your answer'),
        ("x, y = 1, 2", 'raise NotImplementedError("Write your answer'),
    ],
    ids=["assignments", "chained-assignment", "loop", "subscript-target", "tuple-target"],
)
def test_stub_rule_per_kind_of_top_level_block(block, stub):
    solution = nbformat.read(SOLUTION_FIXTURES / f"{WELL_FORMED}.ipynb", as_version=4)
    answer = next(cell for cell in solution.cells if cell["id"] == "q1-answer")
    answer.source = f"### BEGIN SOLUTION\n{block}\n### END SOLUTION"

    exercise = build_exercise(parse_solution(solution, Path("stub-rule.ipynb")))

    source = next(cell for cell in exercise.cells if cell["id"] == "q1-answer").source
    assert stub in source
    assert block not in source


def test_check_assignments_is_empty_when_every_exercise_is_in_sync(course):
    assign(root=course)

    assert check_assignments(root=course) == []


def test_check_assignments_is_empty_when_no_lesson_has_a_solution_yet(tmp_path):
    course = make_course(tmp_path / "course", {})

    assert check_assignments(root=course) == []


def test_check_assignments_reports_a_missing_exercise(course):
    assert check_assignments(root=course) == ["00"]


def test_check_assignments_reports_a_stale_exercise(course):
    assign(root=course)
    solution = nbformat.read(course / SOLUTION, as_version=4)
    solution.cells[0].source += "\n\nA sentence added after the last assign."
    nbformat.write(solution, course / SOLUTION)

    assert check_assignments(root=course) == ["00"]


def test_check_assignments_reports_an_exercise_edited_by_hand(course):
    assign(root=course)
    exercise = nbformat.read(course / EXERCISE, as_version=4)
    tests = next(cell for cell in exercise.cells if cell["id"] == "q1-tests")
    tests.source = tests.source.replace("0 <= late_share <= 1", "True")
    nbformat.write(exercise, course / EXERCISE)

    assert check_assignments(root=course) == ["00"]


def test_assign_of_a_lesson_without_solution_says_to_write_it(course):
    with pytest.raises(AssignError) as raised:
        assign(["01"], root=course)

    assert str(raised.value) == (
        "lesson 01 has no solution notebook solutions/01-data-validation.ipynb; write it "
        "first, since exercises are generated from solutions."
    )


def test_points_that_disagree_with_the_catalog_are_refused(tmp_path):
    course = make_course(tmp_path / "course", {"00": WELL_FORMED}, points=10)

    with pytest.raises(AssignError, match=r"awards 5 points but course/course.toml gives lesson "):
        assign(root=course)


def test_broken_solution_stops_the_sync_check_with_its_authoring_error(tmp_path):
    course = make_course(tmp_path / "course", {"00": "duplicate-test-names"})

    with pytest.raises(AuthoringError, match="rename one"):
        check_assignments(root=course)


def test_assigning_again_leaves_an_unchanged_exercise_untouched(course):
    assign(root=course)
    os.utime(course / EXERCISE, ns=(1, 1))  # a rewrite would stamp the current time

    assign(root=course)

    assert (course / EXERCISE).stat().st_mtime_ns == 1


def test_cli_assign_check_fails_naming_the_out_of_sync_lesson(course, monkeypatch, capsys):
    monkeypatch.setenv(ROOT_ENV, str(course))

    assert main(["assign", "--check"]) == 1

    assert capsys.readouterr().err == (
        "lesson 00: exercises/00-mlops-lifecycle.ipynb is missing; "
        "run `mlops-course assign 00` and commit it.\n"
    )


def test_cli_assign_then_check_passes(course, monkeypatch, capsys):
    monkeypatch.setenv(ROOT_ENV, str(course))

    assert main(["assign"]) == 0
    assert main(["assign", "--check"]) == 0

    assert capsys.readouterr().out.endswith("every exercise is in sync with its solution\n")


def test_cli_assign_check_names_a_hand_edited_exercise(course, monkeypatch, capsys):
    monkeypatch.setenv(ROOT_ENV, str(course))
    assign(root=course)
    (course / EXERCISE).write_text((course / EXERCISE).read_text().replace("q1", "q9"))

    assert main(["assign", "--check"]) == 1

    assert "differs from what solutions/00-mlops-lifecycle.ipynb generates" in (
        capsys.readouterr().err
    )


def test_cli_assign_check_passes_when_no_lesson_has_a_solution_yet(tmp_path, monkeypatch):
    monkeypatch.setenv(ROOT_ENV, str(make_course(tmp_path / "course", {})))

    assert main(["assign", "--check"]) == 0


def test_cli_assign_of_a_lesson_without_solution_prints_one_error_line(course, monkeypatch, capsys):
    monkeypatch.setenv(ROOT_ENV, str(course))

    assert main(["assign", "01"]) == 2

    error = capsys.readouterr().err
    assert error.startswith("mlops-course: error: lesson 01 has no solution notebook")
    assert error.count("\n") == 1
