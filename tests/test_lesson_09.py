"""Lesson 09's exercise graded for real, with the course's grading parameters.

Submissions: the solution's own answers (full marks), the untouched exercise (zero), the
solution with one plausible mistake per question (loses exactly that question's points),
and q2's label alarms hard-coded from a run with the default parameters. Grading runs with
another seed, world size and scenario, so the hard-coded alarms lose q2 (with the defaults,
run here in process, their hidden tests observe what the solution's observe). The untouched
exercise with each measured forgery appended earns nothing. Hidden tests only observe
values; the grader compares them with the solution's, run with the same grading parameters.
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

LESSON, SOLUTION = lesson_and_solution("09")
POINTS = {"q1": 2, "q2": 2, "q3": 3, "q4": 3}

# The label feed's alarms of a run with the default parameters, typed in.
DEFAULT_LABEL_ALARMS = [126]

# Each case changes one text of the solution's answers and loses the question its name ends with.
CHANGES = {
    # "at most max_share at or above" instead of strictly above
    "wrong-q1": ("q1-answer", "np.mean(values > candidate)", "np.mean(values >= candidate)"),
    # a label known at the end of day d counted only from the next day on
    "wrong-q2": ("q2-answer", 'rows["known"] <= check_days', 'rows["known"] < check_days'),
    # the errors fed in the order of the orders, not in the order their labels arrive
    "wrong-q3": ("q3-answer", 'sort_values(["arrived", "day", "order_id"]',
                 'sort_values(["day", "order_id"]'),
    # the smallest threshold that meets the requirement, not the largest (more alarms than needed)
    "wrong-q4": ("q4-answer", "sorted(candidates, reverse=True)", "sorted(candidates)"),
    "hard-coded-q2": ("q2-answer", "label_alarms = alarm_onsets(label_share(world) < 0.5)",
                      f"label_alarms = {DEFAULT_LABEL_ALARMS!r}"),
}  # fmt: skip
LOST = lost_questions(CHANGES, POINTS)


@pytest.fixture(scope="module")
def grades(tmp_path_factory: pytest.TempPathFactory) -> dict:
    return grade_round_trip(LESSON, SOLUTION, CHANGES, tmp_path_factory.mktemp("lesson-09"))


@pytest.mark.parametrize("case", LOST)
def test_each_submission_loses_exactly_its_wrong_questions(grades: dict, case: str) -> None:
    assert_loses_exactly(grades[case], LOST[case], POINTS)


def test_the_solution_is_graded_with_full_marks(grades: dict) -> None:
    assert_full_marks(grades["solved"], POINTS)


def test_hard_coded_alarms_fail_the_hidden_test_that_names_them(grades: dict) -> None:
    assert_fails_only(grades["hard-coded-q2"], "test_label_share_and_alarms_of_this_world",
                      "label_alarms[0]: observed 126")


@pytest.mark.parametrize("forgery", forgeries_for("09"))
def test_a_forgery_on_the_untouched_exercise_earns_nothing(grades: dict, forgery: str) -> None:
    assert_forgery_earned_nothing(grades[forgery])


def test_points_add_up_to_the_lesson() -> None:
    assert_points_add_up(LESSON, SOLUTION, POINTS)


def test_grading_changes_the_world_and_its_scenario() -> None:
    assert_grading_changes(LESSON, ("seed", "days", "orders_per_day", "scenario_seed"))


def test_the_hard_coded_alarms_pass_the_hidden_tests_under_the_default_parameters() -> None:
    assert_right_under_the_defaults(SOLUTION, CHANGES["hard-coded-q2"])
