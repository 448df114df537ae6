"""Lesson 06's exercise graded for real, with the course's grading parameters.

Submissions: the solution's own answers (full marks), the untouched exercise (zero), the
solution with one plausible mistake per question (loses exactly that question's points),
and q4's `dependence` hard-coded from a run with the default parameters. Grading runs with
another seed, slice of the world and training window, so the hard-coded shares lose q4
(with the defaults, run here in process, their hidden tests observe what the solution's
observe). The untouched exercise with each measured forgery appended earns nothing. Hidden
tests only observe which planted bugs the student's tests catch, and the values they
return; the grader compares them with the solution's, run with the same grading parameters.
"""

from __future__ import annotations

import pytest
from lesson_round_trip import (
    assert_fails_only,
    assert_forgery_earned_nothing,
    assert_full_marks,
    assert_grading_changes,
    assert_loses_exactly,
    assert_points_add_up,
    assert_right_under_the_defaults,
    forgeries_for,
    grade_round_trip,
    lesson_and_solution,
    lost_questions,
)

LESSON, SOLUTION = lesson_and_solution("06")
POINTS = {"q1": 2, "q2": 2, "q3": 3, "q4": 3}

# q4's `dependence` of a run with the default parameters, typed in.
DEFAULT_DEPENDENCE = {10: 0.008333333333333333, 20: 0.020833333333333332, 50: 0.008333333333333333}

# Each case changes one text of the solution's answers and loses the question its name ends with.
CHANGES = {
    # the properties are checked on frames with the default index: a feature that resets it holds
    "wrong-q1": ("q1-answer", "index = [100 + k for k in reversed(range(len(distances)))]",
                 "index = list(range(len(distances)))"),
    # only the mean rise: a model that reverses the feature for some orders passes
    "wrong-q2": ("q2-answer", "return never_falls and bool(", "return bool("),
    # the bar is never flagging only, not the cheaper of the two trivial policies
    "wrong-q3": ("q3-answer",
                 "min(COST_FALSE_NEGATIVE * late_share, "
                 "COST_FALSE_POSITIVE * (1 - late_share))",
                 "COST_FALSE_NEGATIVE * late_share"),
    # probabilities compared instead of decisions: every tiny change of P(late) counts
    "wrong-q4": ("q4-answer", "float(np.mean((at_once > THRESHOLD) != (in_chunks > THRESHOLD)))",
                 "float(np.mean(at_once != in_chunks))"),
    "hard-coded-q4": ("q4-answer",
                      "dependence = {size: batch_dependence(release_3_1, last_day, size) "
                      "for size in (10, 20, 50)}",
                      f"dependence = {DEFAULT_DEPENDENCE!r}"),
}  # fmt: skip
LOST = lost_questions(CHANGES, POINTS)


@pytest.fixture(scope="module")
def grades(tmp_path_factory: pytest.TempPathFactory) -> dict:
    return grade_round_trip(LESSON, SOLUTION, CHANGES, tmp_path_factory.mktemp("lesson-06"))


@pytest.mark.parametrize("case", LOST)
def test_each_submission_loses_exactly_its_wrong_questions(grades: dict, case: str) -> None:
    assert_loses_exactly(grades[case], LOST[case], POINTS)


def test_the_solution_is_graded_with_full_marks(grades: dict) -> None:
    assert_full_marks(grades["solved"], POINTS)


def test_hard_coded_shares_fail_the_hidden_test_that_names_them(grades: dict) -> None:
    assert_fails_only(grades["hard-coded-q4"], "test_the_dependence_of_release_3_1",
                      "dependence (items)[0][1]: observed 0.0083")


@pytest.mark.parametrize("forgery", forgeries_for("06"))
def test_a_forgery_on_the_untouched_exercise_earns_nothing(grades: dict, forgery: str) -> None:
    assert_forgery_earned_nothing(grades[forgery])


def test_points_add_up_to_the_lesson() -> None:
    assert_points_add_up(LESSON, SOLUTION, POINTS)


def test_grading_changes_the_parameters_the_shares_depend_on() -> None:
    assert_grading_changes(LESSON, ("seed", "days", "orders_per_day", "train_days"))


def test_the_hard_coded_shares_pass_the_hidden_tests_under_the_default_parameters() -> None:
    assert_right_under_the_defaults(SOLUTION, CHANGES["hard-coded-q4"], rerun_only=True)
