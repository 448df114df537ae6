"""Scoring: all or nothing per question, verdicts from replies and the judge's word on
observations, canaries that catch a lying kernel, worst incident first."""

from __future__ import annotations

import nbformat
from nbformat.v4 import new_code_cell

from mlops_course.classroom.authoring.solution import Question
from mlops_course.classroom.authoring.solution import Test as AuthoredTest
from mlops_course.classroom.grading.canaries import ERROR, VALUE, Canary
from mlops_course.classroom.grading.cell_runner import CellReply, RunRecord
from mlops_course.classroom.grading.grade import GradingLimits, run_status
from mlops_course.classroom.grading.judge import Observation
from mlops_course.classroom.grading.results import TestOutcome as Outcome
from mlops_course.classroom.grading.scoring import (
    Judging,
    PlacedCell,
    Reference,
    score_questions,
    score_tests,
    tampering,
)

LIMITS = GradingLimits(cell_timeout=5, memory_mb=256)
REFERENCE = Reference("key", {"test_share": (Observation("share", 0.25, hint="count them"),)})
JUDGING = Judging(REFERENCE, {}, {}, LIMITS.cell_timeout)


def a_test(name: str, hidden: bool = False) -> AuthoredTest:
    return AuthoredTest("q1", name, f"def {name}():\n    pass", hidden, "")


def test_question_earns_its_points_only_when_every_test_passes() -> None:
    questions = (Question("q1", 2, (), (), 0, ()), Question("q2", 3, (), (), 0, ()))
    outcomes = [Outcome("q1", "a", False, True), Outcome("q1", "b", True, False),
                Outcome("q2", "c", False, True), Outcome("q2", "d", True, True)]  # fmt: skip
    q1, q2 = score_questions(questions, outcomes)
    assert (q1.points, q1.max_points, q1.reason) == (0.0, 2, "1 of 2 tests failed (hidden)")
    assert (q2.points, q2.reason) == (3, "all 2 tests passed")


def observation(label: str, value: object) -> dict:
    return {"label": label, "value": value, "rtol": 1e-9, "atol": 1e-12, "hint": ""}


def test_a_public_verdict_comes_from_the_reply_and_unrun_tests_fail() -> None:
    placed = [PlacedCell(3, a_test("test_ok")), PlacedCell(4, a_test("test_raises")),
              PlacedCell(5, a_test("test_never"))]  # fmt: skip
    record = RunRecord(replies={3: CellReply("ok"), 4: CellReply("error", "AssertionError", "no")},
                       crashed_at=5)  # fmt: skip
    ok, raises, never = score_tests(placed, record, JUDGING)
    assert ok.passed and not raises.passed and not never.passed
    assert raises.message == "AssertionError: no"
    assert never.message == "not run: the kernel had died"


def test_a_hidden_test_passes_only_with_an_ok_reply_and_the_reference_values() -> None:
    cases = {
        "right value": (CellReply("ok"), [observation("share", 0.25)], True),
        "forged ok, nothing observed": (CellReply("ok"), [], False),
        "forged ok, a guessed value": (CellReply("ok"), [observation("share", 0.5)], False),
        "the value twice, one of them right": (
            CellReply("ok"), [observation("share", 0.5), observation("share", 0.25)], False),
        "right value, then the cell raised": (
            CellReply("error", "ValueError", "late"), [observation("share", 0.25)], False),
    }  # fmt: skip
    for case, (reply, observed, passes) in cases.items():
        record = RunRecord(replies={7: reply}, observations={7: observed})
        [outcome] = score_tests([PlacedCell(7, a_test("test_share", hidden=True))], record,
                                JUDGING)  # fmt: skip
        assert outcome.passed is passes, case


def test_a_failed_observation_says_what_was_observed_against_the_reference() -> None:
    record = RunRecord(replies={7: CellReply("ok")}, observations={7: [observation("share", 0.5)]})
    [outcome] = score_tests([PlacedCell(7, a_test("test_share", hidden=True))], record, JUDGING)
    expected = "share: observed 0.5, not the reference value (within rtol 1e-09); count them"
    assert outcome.message == expected


def test_tolerance_and_hint_come_from_the_reference_not_the_kernel() -> None:
    claims = {"label": "share", "value": 0.5, "rtol": 10.0, "atol": 10.0, "hint": "all fine"}
    record = RunRecord(replies={7: CellReply("ok")}, observations={7: [claims]})
    [outcome] = score_tests([PlacedCell(7, a_test("test_share", hidden=True))], record, JUDGING)
    assert not outcome.passed and "count them" in outcome.message and "fine" not in outcome.message


def test_honest_canaries_say_nothing_and_lying_ones_name_themselves() -> None:
    value, error = Canary("test_a_b_c", VALUE, "f00d"), Canary("test_d_e_f", ERROR, "beef")
    placed = [PlacedCell(1, canary=value), PlacedCell(2, canary=error)]
    failed = CellReply("error", "AssertionError", f"d_e_f is {error.expected}")
    honest = RunRecord(replies={1: CellReply("ok"), 2: failed},
                       observations={1: [observation("a_b_c", value.expected)]})  # fmt: skip
    assert tampering(placed, honest) == []
    forged = RunRecord(replies={1: CellReply("ok"), 2: CellReply("ok")})
    lies = tampering(placed, forged)
    assert len(lies) == 2 and "test_a_b_c" in lies[0] and "replied ok" in lies[1]


def test_canaries_that_could_not_run_are_no_evidence() -> None:
    value, error = Canary("test_a_b_c", VALUE, "f00d"), Canary("test_d_e_f", ERROR, "beef")
    placed = [PlacedCell(1, canary=value), PlacedCell(2, canary=error)]
    died = RunRecord(replies={}, crashed_at=0)
    timed_out = RunRecord(replies={1: CellReply("error", "KeyboardInterrupt"),
                                   2: CellReply("error", "KeyboardInterrupt")},
                          timed_out_cells=[1, 2])  # fmt: skip
    stream_lost = RunRecord(replies={1: CellReply("ok"), 2: CellReply(
        "error", "AssertionError", f"d_e_f is {error.expected}")}, iopub_lost=True)  # fmt: skip
    assert tampering(placed, died) == tampering(placed, timed_out) == []
    assert tampering(placed, stream_lost) == []


def test_a_lying_kernel_is_the_worst_incident() -> None:
    notebook = nbformat.v4.new_notebook(cells=[new_code_cell("pass")])
    status, reason = run_status(RunRecord(timed_out_cells=[0]), notebook, LIMITS, ["canary x lied"])
    assert status == "tampered" and reason.startswith("the kernel lied to the grader (canary x")


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
