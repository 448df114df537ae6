"""Scoring: all or nothing per question, verdicts from replies, worst incident first."""

from __future__ import annotations

import nbformat
from nbformat.v4 import new_code_cell

from mlops_course.classroom.authoring.solution import Question
from mlops_course.classroom.authoring.solution import Test as AuthoredTest
from mlops_course.classroom.grading.cell_runner import CellReply, RunRecord
from mlops_course.classroom.grading.grade import (
    GradingLimits,
    run_status,
    score_questions,
    score_tests,
)
from mlops_course.classroom.grading.results import TestOutcome as Outcome

LIMITS = GradingLimits(cell_timeout=5, memory_mb=256)


def a_test(name: str, hidden: bool = False) -> AuthoredTest:
    return AuthoredTest("q1", name, f"def {name}():\n    pass", hidden, "")


def test_question_earns_its_points_only_when_every_test_passes() -> None:
    questions = (Question("q1", 2, (), (), 0, ()), Question("q2", 3, (), (), 0, ()))
    outcomes = [Outcome("q1", "a", False, True), Outcome("q1", "b", True, False),
                Outcome("q2", "c", False, True), Outcome("q2", "d", True, True)]  # fmt: skip
    q1, q2 = score_questions(questions, outcomes)
    assert (q1.points, q1.max_points, q1.reason) == (0.0, 2, "1 of 2 tests failed (hidden)")
    assert (q2.points, q2.reason) == (3, "all 2 tests passed")


def test_verdict_comes_from_the_reply_and_unrun_tests_fail() -> None:
    placed = [(a_test("test_ok"), 3), (a_test("test_raises", True), 4), (a_test("test_never"), 5)]
    record = RunRecord(replies={3: CellReply("ok"), 4: CellReply("error", "AssertionError", "no")},
                       crashed_at=5)  # fmt: skip
    ok, raises, never = score_tests(placed, record, LIMITS)
    assert ok.passed and not raises.passed and not never.passed
    assert raises.message == "AssertionError: no"
    assert never.message == "not run: the kernel had died"


def test_status_names_the_worst_incident_with_its_cell() -> None:
    notebook = nbformat.v4.new_notebook(cells=[new_code_cell("while True:\n    pass"),
                                               new_code_cell("x = bytearray(10**10)")])  # fmt: skip
    both = RunRecord(replies={1: CellReply("error", "MemoryError")}, timed_out_cells=[0])
    status, reason = run_status(both, notebook, LIMITS)
    assert status == "timeout" and "'while True:'" in reason and "5 s" in reason
    memory = RunRecord(replies={1: CellReply("error", "MemoryError")}, output_truncated=True)
    assert run_status(memory, notebook, LIMITS)[0] == "memory"
    assert run_status(RunRecord(output_truncated=True), notebook, LIMITS)[0] == "output_limit"
    assert run_status(RunRecord(), notebook, LIMITS) == ("graded", "")
