"""Lesson 08's exercise graded for real, with the course's grading parameters.

Submissions: the solution's own answers (full marks), the untouched exercise (zero), the
solution with one plausible mistake per question (loses exactly that question's points),
and q3's choice hard-coded from a run with the default parameters. Grading runs with another
seed, length and volume of the year, so another year of events: the hard-coded choice loses
q3 (with the defaults, run here in process, its hidden tests observe what the solution's
observe). The untouched exercise with each measured forgery appended earns nothing. Hidden
tests only observe values; the grader compares them with the solution's, run with the same
grading parameters.
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

LESSON, SOLUTION = lesson_and_solution("08")
POINTS = {"q1": 3, "q2": 3, "q3": 4}

# q3's choice in a run with the default parameters, typed in.
DEFAULT_CHOICE = (
    "every 28 days",
    {
        "cost_eur": 2.477314521242866,
        "retrain_days": [83, 111, 139, 167, 195],
        "promotion_days": [111, 139, 167],
    },
)

# Each case changes one text of the solution's answers and loses the question its name ends with.
CHANGES = {
    # the sum of the share differences, not half of it: every distance doubles
    "wrong-q1": ("q1-answer", "0.5 * now.sub", "now.sub"),
    # the labels of every flagged order, held out or not: the acted-on ones all say "on time"
    "wrong-q2": ("q2-answer", 'frame["held_out"] & frame["flagged"]', 'frame["flagged"]'),
    # one retrain more than the budget allows
    "wrong-q3": ("q3-answer", "situation.retrains < budget", "situation.retrains <= budget"),
    "hard-coded-q3": ("q3-answer",
                      "choice = cheapest_within_budget(CANDIDATES, budget=5, cooldown_days=14)",
                      f"choice = {DEFAULT_CHOICE!r}"),
}  # fmt: skip
LOST = lost_questions(CHANGES, POINTS)


@pytest.fixture(scope="module")
def grades(tmp_path_factory: pytest.TempPathFactory) -> dict:
    return grade_round_trip(LESSON, SOLUTION, CHANGES, tmp_path_factory.mktemp("lesson-08"))


@pytest.mark.parametrize("case", LOST)
def test_each_submission_loses_exactly_its_wrong_questions(grades: dict, case: str) -> None:
    assert_loses_exactly(grades[case], LOST[case], POINTS)


def test_the_solution_is_graded_with_full_marks(grades: dict) -> None:
    assert_full_marks(grades["solved"], POINTS)


def test_the_hard_coded_choice_fails_the_hidden_test_that_names_it(grades: dict) -> None:
    assert_fails_only(grades["hard-coded-q3"], "test_the_choice_of_this_year", "")


@pytest.mark.parametrize("forgery", forgeries_for("08"))
def test_a_forgery_on_the_untouched_exercise_earns_nothing(grades: dict, forgery: str) -> None:
    assert_forgery_earned_nothing(grades[forgery])


def test_points_add_up_to_the_lesson() -> None:
    assert_points_add_up(LESSON, SOLUTION, POINTS)


def test_grading_changes_every_parameter_of_the_year() -> None:
    assert_grading_changes(LESSON, ("seed", "days", "orders_per_day"))


def test_the_hard_coded_choice_passes_the_hidden_tests_under_the_default_parameters() -> None:
    assert_right_under_the_defaults(SOLUTION, CHANGES["hard-coded-q3"])
