"""Locked cells come back as the exercise has them, and the change is recorded."""

from __future__ import annotations

import nbformat
from grading_helpers import GRADING_COURSE, SUBMISSIONS

from mlops_course.classroom.authoring.assign import build_exercise
from mlops_course.classroom.authoring.solution import read_solution
from mlops_course.classroom.grading.restore import restore_locked_cells

EXERCISE = build_exercise(read_solution(GRADING_COURSE / "solutions" / "00-parcel-delays.ipynb"))


def submitted(name: str) -> nbformat.NotebookNode:
    return nbformat.read(SUBMISSIONS / f"{name}.ipynb", as_version=4)


def locked_sources(notebook: nbformat.NotebookNode) -> list[str]:
    return [c.source for c in notebook.cells
            if c.metadata.get("mlops_course", {}).get("role") in ("setup", "tests")]  # fmt: skip


def test_untouched_submission_needs_no_restoration() -> None:
    restored = restore_locked_cells(submitted("solved"), EXERCISE)
    assert restored.notes == []
    assert restored.notebook == submitted("solved")


def test_edited_tests_and_setup_cells_are_restored_and_recorded() -> None:
    restored = restore_locked_cells(submitted("edited-test-and-setup-cells"), EXERCISE)
    assert locked_sources(restored.notebook) == locked_sources(EXERCISE)
    assert sorted(restored.notes) == [
        "the setup cell (id 'setup') was edited; restored from the exercise",
        "the tests cell of q1 (id 'q1-tests') was edited; restored from the exercise",
    ]


def test_deleted_tests_cell_is_reinserted_at_its_place() -> None:
    restored = restore_locked_cells(submitted("deleted-test-cell"), EXERCISE)
    ids = [cell.id for cell in restored.notebook.cells]
    assert ids[ids.index("q2-answer") + 1] == "q2-tests"
    assert restored.notes == [
        "the tests cell of q2 (id 'q2-tests') was deleted; re-inserted from the exercise"
    ]


def test_a_rewritten_checksum_does_not_hide_an_edit() -> None:
    notebook = submitted("solved")
    tests = next(c for c in notebook.cells if c.id == "q1-tests")
    tests.source = "pass"
    tests.metadata["mlops_course"]["source_sha256"] = "0" * 64
    restored = restore_locked_cells(notebook, EXERCISE)
    assert next(c for c in restored.notebook.cells if c.id == "q1-tests").source != "pass"
    assert len(restored.notes) == 1
