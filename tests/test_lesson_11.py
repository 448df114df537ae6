"""Lesson 11's exercise graded for real, with the course's grading parameters.

Submissions: the solution's own answers (full marks), the untouched exercise (zero), the
solution with one plausible mistake per question (loses exactly that question's points),
and q3's accepted candidates hard-coded from a run with the default parameters. Grading runs
with another seed and world size, so the golden master runs on other orders and the hard-coded
list loses q3 (with the defaults, run here in process, its hidden tests observe what the
solution's observe). The untouched exercise with each measured forgery appended earns nothing.
Hidden tests only observe values: which of 21 one-rule mutants of the legacy rules the
student's edge orders catch (q1), what ruff reports on the student's own module (q2), the
reviews of the five candidates (q3); the grader compares them with the solution's, run with
the same grading parameters.
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

LESSON, SOLUTION = lesson_and_solution("11")
POINTS = {"q1": 3, "q2": 4, "q3": 3}

# The candidates a run with the default parameters accepts, typed in.
DEFAULT_ACCEPTED = ["candidate_a", "candidate_d"]

# Each case changes one text of the solution's answers and loses the question its name ends with.
CHANGES = {
    # a boundary tried from one side only: 4.5 kg, not exactly 5 kg, so ">= 5 kg" goes uncaught
    "wrong-q1": ("q1-answer", '"n_items": 4, "weight_kg": 5.0}', '"n_items": 4, "weight_kg": 4.5}'),
    # "from 16:00 on" read as "after 16:00": orders placed at 16:xx lose their point
    "wrong-q2": ("q2-answer", '["order_hour"] >= LATE_HOUR', '["order_hour"] > LATE_HOUR'),
    # ruff's default bound (10) instead of max_complexity: a too complex pull request passes
    "wrong-q3": ("q3-answer", "ruff_check(path)}", "ruff_check(path, bound=10)}"),
    "hard-coded-q3": ("q3-answer", "accepted = accepted_candidates(CANDIDATES, orders)",
                      f"accepted = {DEFAULT_ACCEPTED!r}"),
}  # fmt: skip
LOST = lost_questions(CHANGES, POINTS)


@pytest.fixture(scope="module")
def grades(tmp_path_factory: pytest.TempPathFactory) -> dict:
    return grade_round_trip(LESSON, SOLUTION, CHANGES, tmp_path_factory.mktemp("lesson-11"))


@pytest.mark.parametrize("case", LOST)
def test_each_submission_loses_exactly_its_wrong_questions(grades: dict, case: str) -> None:
    assert_loses_exactly(grades[case], LOST[case], POINTS)


def test_the_solution_is_graded_with_full_marks(grades: dict) -> None:
    assert_full_marks(grades["solved"], POINTS)


def test_hard_coded_candidates_fail_the_hidden_test_that_names_them(grades: dict) -> None:
    hidden_test = "test_the_accepted_candidates_of_this_world"
    assert_fails_only(grades["hard-coded-q3"], hidden_test, "accepted: observed 2 items")


@pytest.mark.parametrize("forgery", forgeries_for("11"))
def test_a_forgery_on_the_untouched_exercise_earns_nothing(grades: dict, forgery: str) -> None:
    assert_forgery_earned_nothing(grades[forgery])


def test_points_add_up_to_the_lesson() -> None:
    assert_points_add_up(LESSON, SOLUTION, POINTS)


def test_grading_changes_the_world() -> None:
    assert_grading_changes(LESSON, ("seed", "days", "orders_per_day"))


def test_the_hard_coded_candidates_pass_the_hidden_tests_under_the_default_parameters() -> None:
    assert_right_under_the_defaults(SOLUTION, CHANGES["hard-coded-q3"], rerun_only=True)
