"""Lesson 00's exercise graded for real, with the course's grading parameters.

Submissions are the generated exercise with answer cells filled in: the solution's own
answers (full marks), nothing (zero), the solution with one plausible mistake per question
(loses exactly that question's points), answers hard-coded from a run with the default
parameters (only the parameter-free question survives), and the untouched exercise with a
forgery appended that tries to fake the grader's verdicts (earns nothing). That the
hard-coded answers are right under the defaults is shown here, in process, without a
second grading batch.
"""

from __future__ import annotations

import functools

import pytest
from lesson_round_trip import (
    answers_with,
    assert_forgery_earned_nothing,
    assert_same_observations,
    changed_answers,
    failed_tests,
    forged_submissions,
    forgeries_for,
    grade_submissions,
    known_wrong,
    lesson_and_solution,
    observations_in_process,
    points_by_question,
    solution_answers,
    with_cells_replaced,
)
from lesson_round_trip import run_with_defaults as lesson_run_with_defaults

LESSON, SOLUTION = lesson_and_solution("00")

# One plausible mistake per question: {question: (answer cell id, solution text, wrong text)}.
MISTAKES = {
    # averages the daily shares, as the walkthrough did, instead of counting orders
    "q1": ("q1-answer-function",
           'frame.loc[frame["day"].between(first_day, last_day), TARGET].mean()',
           'frame[frame["day"].between(first_day, last_day)].groupby("day")[TARGET].mean().mean()'),
    # an eight-day release week (the public test of release_week's days says so)
    "q2": ("q2-answer-policies", "between(train_days, train_days + 6)",
           "between(train_days, train_days + 7)"),
    # takes the monitor's first alarm as its detection, even a false alarm before the drift
    # (a negative delay: the public test says an alarm before the drift is a false alarm)
    "q3": ("q3-answer", "for day in found if day >= concept_drift_day", "for day in found"),
    # levels 1 and 2 mixed up for teams b and c (the public test on the worked team c catches it)
    "q4": ("q4-answer", '"b": 1, "c": 2', '"b": 2, "c": 1'),
}  # fmt: skip
# What the public test each mistake fails says: {question: (test name, words in its message)}.
PUBLIC_FEEDBACK = {
    "q1": ("test_late_share_counts_orders_not_days", "the mean of the daily shares"),
    "q2": ("test_release_week_holds_seven_days_of_orders", "the 8 days 28 to 35, not the seven"),
    "q3": ("test_monitor_summarises_the_alarms", "an alarm before the drift is a false alarm"),
    "q4": ("test_maturity_of_the_worked_team_c", "the prompt works team c out"),
}  # fmt: skip
# Questions whose right answer does not depend on the parameters.
PARAMETER_FREE = {"q4"}


def run_with_defaults(answers: dict[str, str]) -> dict:
    return lesson_run_with_defaults(SOLUTION, answers)


@functools.cache
def solution_namespace() -> dict:
    """The namespace of the solution's answers run with the default parameters."""
    return run_with_defaults(solution_answers(SOLUTION))


@functools.cache
def hard_coded_cells() -> dict[str, str]:
    """The answer cells that assign values, rewritten with a default run's values as literals."""
    namespace = solution_namespace()
    first, last = namespace["train_days"], namespace["train_days"] + 6
    return {
        "q1-answer": f"late_rate = {namespace['late_rate']!r}",
        # the release week's days typed in: still right under the grading parameters
        "q2-answer-policies": f'release_week = orders[orders["day"].between({first}, {last})]\n'
                              f"trivial_costs = {namespace['trivial_costs']!r}",
        "q3-answer": f"concept_drift_day = {namespace['concept_drift_day']!r}\n"
                     f"alarms = {namespace['alarms']!r}\n"
                     f"monitor = {namespace['monitor']!r}",
    }  # fmt: skip


CASES = {
    "solved": lambda: solution_answers(SOLUTION),
    "untouched-exercise": dict,
    **{f"wrong-{question}": (lambda q=question: changed_answers(SOLUTION, MISTAKES[q]))
       for question in MISTAKES},
    "hard-coded-from-defaults": lambda: answers_with(SOLUTION, hard_coded_cells()),
    **{name: (lambda answers=answers: answers)
       for name, answers in forged_submissions("00").items()},
}  # fmt: skip


@pytest.fixture(scope="module")
def grades(tmp_path_factory: pytest.TempPathFactory) -> dict:
    submissions = {case: answers() for case, answers in CASES.items()}
    return grade_submissions(LESSON, submissions, tmp_path_factory.mktemp("lesson-00"),
                             here=known_wrong(submissions))


def test_the_grading_parameters_draw_another_world() -> None:
    assert LESSON.grading_parameters != LESSON.parameters
    assert MISTAKES.keys() == {question.id for question in SOLUTION.questions}


def test_the_solution_gets_full_marks(grades: dict) -> None:
    assert grades["solved"].status == "graded", grades["solved"].reason  # never flagged
    assert not failed_tests(grades["solved"])
    assert sum(points_by_question(grades["solved"]).values()) == LESSON.points


def test_the_untouched_exercise_gets_zero(grades: dict) -> None:
    expected = {q.id: 0.0 for q in SOLUTION.questions}
    assert points_by_question(grades["untouched-exercise"]) == expected


@pytest.mark.parametrize("question", MISTAKES)
def test_a_wrong_answer_loses_exactly_its_question(grades: dict, question: str) -> None:
    expected = {q.id: 0.0 if q.id == question else q.points for q in SOLUTION.questions}
    grade = grades[f"wrong-{question}"]
    assert points_by_question(grade) == expected, failed_tests(grade)


def test_answers_hard_coded_from_the_defaults_pass_every_test_with_the_defaults() -> None:
    # Only the hard-coded cells run again: no answer after them reads what they assign.
    namespace = with_cells_replaced(solution_namespace(), hard_coded_cells())
    for test in SOLUTION.tests:
        if not test.hidden:
            exec(test.grading_source, dict(namespace))  # raises if the public test fails
    # The hidden tests observe the same values as the solution's under the defaults.
    expected = observations_in_process(dict(solution_namespace()), SOLUTION)
    assert_same_observations(expected, observations_in_process(namespace, SOLUTION))


def test_answers_hard_coded_from_the_defaults_fail_under_grading_parameters(grades: dict) -> None:
    grade = grades["hard-coded-from-defaults"]
    expected = {q.id: q.points if q.id in PARAMETER_FREE else 0.0 for q in SOLUTION.questions}
    assert points_by_question(grade) == expected
    hidden_failures = {test.question for test in grade.tests if not test.passed}
    assert hidden_failures == {q.id for q in SOLUTION.questions} - PARAMETER_FREE


@pytest.mark.parametrize("question", MISTAKES)
def test_a_wrong_answer_fails_a_public_test_naming_the_mistake(grades: dict, question: str) -> None:
    name, words = PUBLIC_FEEDBACK[question]
    failed = {test.name: test.message for test in grades[f"wrong-{question}"].tests
              if not test.passed and not test.hidden}  # fmt: skip
    assert name in failed, failed_tests(grades[f"wrong-{question}"])
    assert words in failed[name], failed[name]


def test_a_failed_hidden_test_says_what_to_fix(grades: dict) -> None:
    hidden = [test for test in grades["wrong-q3"].tests if not test.passed and test.hidden]
    [outcome] = hidden
    assert outcome.message.startswith("monitor[1]['delay']: observed "), outcome.message
    assert "alarms before it are false alarms" in outcome.message


@pytest.mark.parametrize("forgery", forgeries_for("00"))
def test_a_forgery_on_the_untouched_exercise_earns_nothing(grades: dict, forgery: str) -> None:
    assert_forgery_earned_nothing(grades[forgery])
