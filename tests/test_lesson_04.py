"""Lesson 04's exercise graded for real, with the course's grading parameters.

Submissions: the solution's own answers (full marks), the untouched exercise (zero), the
solution with one plausible mistake per question (loses exactly that question's points),
and two answers hard-coded from a run with the default parameters: the q2 thresholds and
their cost typed in, and the gate's margin written as 0.05 instead of `margin_eur` in q4.
Grading runs with another seed, world, margin and recall floor, so both lose their
question's points (with the defaults, run here in process, their hidden tests observe what
the solution's observe). The untouched exercise with each measured forgery appended earns
nothing. Hidden tests only observe values; the grader compares them with the solution's,
run with the same grading parameters.
"""

from __future__ import annotations

import pytest
from lesson_round_trip import (
    assert_cells_right_under_the_defaults,
    assert_forgery_earned_nothing,
    assert_full_marks,
    assert_grading_changes,
    assert_loses_exactly,
    assert_points_add_up,
    changed_answers,
    failed_tests,
    forgeries_for,
    grade_round_trip,
    lesson_and_solution,
    lost_questions,
)

LESSON, SOLUTION = lesson_and_solution("04")
POINTS = {"q1": 2, "q2": 3, "q3": 3, "q4": 2}

# The q2 answers of a run with the default parameters, typed in.
DEFAULT_FREE_THRESHOLD = 0.25
DEFAULT_CAPPED_THRESHOLD = 0.38
DEFAULT_CAPACITY_COST = 0.07800494856101059

# Each case changes one text of the solution's answers and loses the question its name ends with.
CHANGES = {
    # the walkthrough's C_FP / (C_FP + C_FN) kept for a matrix where a caught late parcel costs too
    "wrong-q1": ("q1-answer", "wasted_on_time / (wasted_on_time + saved_late)",
                 'costs["FP"] / (costs["FP"] + costs["FN"])'),
    # the search priced with the walkthrough's net matrix instead of the costs it is given
    "wrong-q2": ("q2-answer", "expected_cost(late, p_late >= t, costs)",
                 "expected_cost(late, p_late >= t, WALKTHROUGH_COSTS)"),
    # a resample's recall as the mean of its days' recalls, not caught over late parcels
    "wrong-q3": ("q3-answer", "float(np.sum(brought * (late & flagged)) / late_parcels)",
                 "float(np.mean([np.sum(late[day == d] & flagged[day == d])"
                 " / max(np.sum(late[day == d]), 1) for d in picked_days]))"),
    # the saving compared without the tolerance: a saving of exactly the margin in cents fails
    # (2.5 - 2.45 is 0.04999999999999982 in floats)
    "wrong-q4": ("q4-answer", "margin_eur - EUR_TOLERANCE for reference",
                 "margin_eur for reference"),
    "hard-coded-q2": ("q2-answer",
                      "free_threshold = choose_threshold(late_validation, p_validation, "
                      "THRESHOLDS, INVOICE, 1.0)\n"
                      "capped_threshold = choose_threshold(late_validation, p_validation, "
                      "THRESHOLDS, INVOICE, UPGRADE_CAPACITY)\n"
                      "capacity_cost = expected_cost(late_test, p_test >= capped_threshold, "
                      "INVOICE) - expected_cost(late_test, p_test >= free_threshold, INVOICE)",
                      f"free_threshold = {DEFAULT_FREE_THRESHOLD!r}\n"
                      f"capped_threshold = {DEFAULT_CAPPED_THRESHOLD!r}\n"
                      f"capacity_cost = {DEFAULT_CAPACITY_COST!r}"),
    "hard-coded-margin-q4": ("q4-answer", "margin_eur - EUR_TOLERANCE for reference",
                             "0.05 - EUR_TOLERANCE for reference"),
}  # fmt: skip
LOST = lost_questions(CHANGES, POINTS)


@pytest.fixture(scope="module")
def grades(tmp_path_factory: pytest.TempPathFactory) -> dict:
    return grade_round_trip(LESSON, SOLUTION, CHANGES, tmp_path_factory.mktemp("lesson-04"))


@pytest.mark.parametrize("case", LOST)
def test_each_submission_loses_exactly_its_wrong_questions(grades: dict, case: str) -> None:
    assert_loses_exactly(grades[case], LOST[case], POINTS)


def test_the_solution_is_graded_with_full_marks(grades: dict) -> None:
    assert_full_marks(grades["solved"], POINTS)


def test_hard_coded_answers_fail_hidden_tests_that_name_what_differs(grades: dict) -> None:
    q2_case = grades["hard-coded-q2"]
    failed = {test.name: test for test in q2_case.tests if not test.passed}
    # Under grading the typed-in capacity_cost is also no longer the cost difference at the
    # typed-in thresholds: the public consistency check says so, without a reference value.
    expected = {"test_the_thresholds_of_this_world",
                "test_the_thresholds_of_this_world_are_consistent"}
    assert set(failed) == expected, failed_tests(q2_case)
    q2_message = failed["test_the_thresholds_of_this_world"].message
    assert q2_message.startswith("free_threshold: observed 0.25"), q2_message
    margin_case = grades["hard-coded-margin-q4"]
    failed = {test.name: test for test in margin_case.tests if not test.passed}
    assert all(test.hidden for test in failed.values()), failed_tests(margin_case)
    margin = failed["test_accept_uses_the_margin_against_both_references"].message
    assert margin.startswith("saving 0.9 margins: observed true, not the reference value"), margin


@pytest.mark.parametrize("forgery", forgeries_for("04"))
def test_a_forgery_on_the_untouched_exercise_earns_nothing(grades: dict, forgery: str) -> None:
    assert_forgery_earned_nothing(grades[forgery])


def test_points_add_up_to_the_lesson() -> None:
    assert_points_add_up(LESSON, SOLUTION, POINTS)


def test_grading_changes_the_parameters_the_hard_coded_answers_depend_on() -> None:
    import papermill

    assert_grading_changes(LESSON, ("seed", "days", "orders_per_day"))
    declared = papermill.inspect_notebook(str(LESSON.solution))
    defaults = {name: float(declared[name]["default"]) for name in ("margin_eur", "min_recall")}
    assert defaults["margin_eur"] == 0.05, "hard-coded-margin-q4 writes the default margin"
    for name, default in defaults.items():
        assert LESSON.grading_parameters[name] != default, f"grading keeps {name}"


def test_the_hard_coded_answers_pass_the_hidden_tests_under_the_default_parameters() -> None:
    # One run of the solution with the defaults, here in process; the typed-in cells run again
    # on it (no later answer reads what q2 or q4 assign), and their hidden tests observe what
    # the solution's observe: they lose points under grading only because grading runs with
    # other parameters.
    cells = {}
    for case in ("hard-coded-q2", "hard-coded-margin-q4"):
        cell_id = CHANGES[case][0]
        cells[cell_id] = changed_answers(SOLUTION, CHANGES[case])[cell_id]
    assert_cells_right_under_the_defaults(SOLUTION, cells)
