"""Lesson 10's exercise graded for real, with the course's grading parameters.

Submissions: the solution's own answers (full marks), the untouched exercise (zero), the
solution with one plausible mistake per question (loses exactly that question's points),
and q3's broken days hard-coded from a run with the default parameters. Grading runs with
another seed, world size and scenario of faults, so the hard-coded days lose q3 (with the
defaults, run here in process, their hidden tests observe what the solution's observe). The
contract changes of q1 and q2's hidden tests are drawn from the grading seed: the student
never saw them. The untouched exercise with each measured forgery appended earns nothing.
Hidden tests only observe values; the grader compares them with the solution's, run with
the same grading parameters.
"""

from __future__ import annotations

import pytest
from lesson_round_trip import (
    assert_forgery_earned_nothing,
    assert_full_marks,
    assert_grading_changes,
    assert_loses_exactly,
    assert_points_add_up,
    assert_right_under_the_defaults,
    failed_tests,
    forgeries_for,
    grade_round_trip,
    lesson_and_solution,
    lost_questions,
)

LESSON, SOLUTION = lesson_and_solution("10")
POINTS = {"q1": 3, "q2": 3, "q3": 4}

# The broken days of a run with the default parameters, typed in.
DEFAULT_BROKEN_DAYS = {"late-delivery model": [19, 20, 34, 35, 50, 51, 52, 67, 83],
                       "carrier dashboard": [58, 59], "packing planner": [83]}  # fmt: skip

# Each case changes one text of the solution's answers and loses the question its name ends with.
CHANGES = {
    # any change of the categories counts as breaking, also one that removes a category
    "wrong-q1": ("q1-answer", "lambda after, before: not set(after) <= set(before)",
                 "lambda after, before: set(after) != set(before)"),
    # requests judged like responses: accepting more taken for breaking, accepting less for safe
    "wrong-q2": ("q2-answer", "allows_more(after, before)", "allows_more(before, after)"),
    # the trial's mistake: a fault's end_day left out, so a one-day fault breaks nobody
    "wrong-q3": ("q3-answer", "range(event.day, event.end_day + 1)",
                 "range(event.day, event.end_day)"),
    "hard-coded-q3": ("q3-answer",
                      "broken_days = {name: [day for day, broken in verdicts.items()"
                      " if name in broken] for name in CONSUMERS}",
                      f"broken_days = {DEFAULT_BROKEN_DAYS!r}"),
}  # fmt: skip
LOST = lost_questions(CHANGES, POINTS)
PUBLIC_FAULT_DAYS_TEST = "test_broken_days_and_broken_by_on_the_days_of_the_faults"


@pytest.fixture(scope="module")
def grades(tmp_path_factory: pytest.TempPathFactory) -> dict:
    return grade_round_trip(LESSON, SOLUTION, CHANGES, tmp_path_factory.mktemp("lesson-10"))


@pytest.mark.parametrize("case", LOST)
def test_each_submission_loses_exactly_its_wrong_questions(grades: dict, case: str) -> None:
    assert_loses_exactly(grades[case], LOST[case], POINTS)


def test_the_solution_is_graded_with_full_marks(grades: dict) -> None:
    assert_full_marks(grades["solved"], POINTS)


def test_hard_coded_broken_days_fail_the_hidden_test_that_names_them(grades: dict) -> None:
    # The public test that compares broken_days with broken_consumers on the grading world's
    # fault days fails too; the hidden test says what was observed, never the reference.
    grade = grades["hard-coded-q3"]
    failed = {test.name: test for test in grade.tests if not test.passed}
    hidden = "test_broken_days_of_this_world"
    assert set(failed) == {hidden, PUBLIC_FAULT_DAYS_TEST}, failed_tests(grade)
    assert failed[hidden].hidden and not failed[PUBLIC_FAULT_DAYS_TEST].hidden
    message = failed[hidden].message
    assert message.startswith("broken_days['late-delivery model'][0]: observed 19"), message


@pytest.mark.parametrize("forgery", forgeries_for("10"))
def test_a_forgery_on_the_untouched_exercise_earns_nothing(grades: dict, forgery: str) -> None:
    assert_forgery_earned_nothing(grades[forgery])


def test_points_add_up_to_the_lesson() -> None:
    assert_points_add_up(LESSON, SOLUTION, POINTS)


def test_grading_changes_the_world_and_its_scenario() -> None:
    assert_grading_changes(LESSON, ("seed", "days", "orders_per_day", "scenario_seed"))


def test_the_hard_coded_broken_days_pass_the_hidden_tests_under_the_default_parameters() -> None:
    assert_right_under_the_defaults(SOLUTION, CHANGES["hard-coded-q3"], rerun_only=True)
