"""Lesson 03's exercise through the real grader, which gives each notebook a fresh MLflow store.

Submissions are the generated exercise with answer cells filled in: the solution's own
answers (full marks), nothing (zero), the solution with one plausible mistake in one
question (loses exactly that question's points), q4's `sweep_effects` typed in from a run
with the default parameters (right there, as a run in this process shows, but q4 fails
under the grading parameters), and the untouched exercise with a forgery appended
that fakes the grader's verdicts (nothing earned). Hidden tests only observe values; the
grader compares them with the solution's, run with the same parameters.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from lesson_round_trip import (
    answers_with,
    assert_cells_right_under_the_defaults,
    assert_forgery_earned_nothing,
    changed_answers,
    failed_tests,
    forged_submissions,
    forgeries_for,
    grade_submissions,
    known_wrong,
    lesson_and_solution,
    mlflow_in,
    points_by_question,
    solution_answers,
)

LESSON, SOLUTION = lesson_and_solution("03")
POINTS = {question.id: question.points for question in SOLUTION.questions}

# One plausible mistake per question: {question: (answer cell id, solution text, wrong text)}.
MISTAKES = {
    # logs the features without the target: the record no longer names the rows it trained on
    "q1": ("q1-answer", 'from_pandas(training, name="training orders", targets=TARGET)',
           'from_pandas(training[FEATURES], name="training orders")'),
    # the parent's best cost read from the whole experiment, not from this sweep's children
    "q2": ("q2-answer", "filter_string=f\"tags.mlflow.parentRunId = '{parent.info.run_id}'\"",
           'filter_string=""'),
    # breaks ties on the depth as MLflow stores it, as text: "14" sorts before "6"
    "q3": ("q3-answer", 'qualifying["params.max_depth"].astype(int)',
           'qualifying["params.max_depth"]'),
    # the trial's mistake: every run of the experiment, not the children of parent_id
    "q4": ("q4-answer", "filter_string=f\"tags.mlflow.parentRunId = '{parent_id}'\"",
           'filter_string=""'),
    # compares only the parameters both runs have: one the other run lacks goes unnoticed
    "q5": ("q5-answer", "a.params.keys() | b.params.keys()", "a.params.keys() & b.params.keys()"),
}  # fmt: skip

# The effects of the sweep of a run with the default parameters (seed 42, 120 days), typed in;
# parameter_effects itself stays right, so q4 loses only the hidden test of sweep_effects.
DEFAULT_EFFECTS = {"max_depth": 0.25048017173200776, "min_samples_leaf": 0.14297819455428762}
TYPED_IN = ("q4-answer", "= parameter_effects(sweep_id)", f"= pd.Series({DEFAULT_EFFECTS!r})")
HARD_CODED_FROM_DEFAULTS = {"q4-answer": changed_answers(SOLUTION, TYPED_IN)["q4-answer"]}

CASES = {
    "solved": (lambda: solution_answers(SOLUTION), POINTS),
    "untouched-exercise": (dict, dict.fromkeys(POINTS, 0.0)),
    **{f"wrong-{q}": (lambda q=q: changed_answers(SOLUTION, MISTAKES[q]), {**POINTS, q: 0.0})
       for q in MISTAKES},
    "hard-coded-from-defaults": (lambda: answers_with(SOLUTION, HARD_CODED_FROM_DEFAULTS),
                                 {**POINTS, "q4": 0.0}),
}  # fmt: skip
# The untouched exercise with one forgery appended; each must earn nothing (its status may be
# "tampered", so it is not in CASES, whose points are read from graded submissions only).
FORGED = forged_submissions("03")


@pytest.fixture(scope="module")
def grades(tmp_path_factory: pytest.TempPathFactory) -> dict:
    submissions = {case: answers() for case, (answers, _) in CASES.items()} | FORGED
    return grade_submissions(LESSON, submissions, tmp_path_factory.mktemp("lesson-03"),
                             here=known_wrong(submissions))


def test_every_question_has_a_mistake_and_grading_draws_another_world() -> None:
    assert MISTAKES.keys() == POINTS.keys()
    assert LESSON.grading_parameters["seed"] != LESSON.parameters["seed"]


@pytest.mark.parametrize("case", CASES)
def test_each_case_earns_its_points(grades: dict, case: str) -> None:
    assert points_by_question(grades[case]) == CASES[case][1], failed_tests(grades[case])


def test_the_solution_passes_every_public_and_hidden_test(grades: dict) -> None:
    assert grades["solved"].status == "graded", grades["solved"].reason
    assert not failed_tests(grades["solved"])
    assert sum(points_by_question(grades["solved"]).values()) == LESSON.points


def test_hard_coded_answers_fail_only_their_hidden_tests(grades: dict) -> None:
    failed = [test for test in grades["hard-coded-from-defaults"].tests if not test.passed]
    assert {test.question for test in failed} == {"q4"}
    assert all(test.hidden for test in failed), failed_tests(grades["hard-coded-from-defaults"])
    # The feedback names the observation that differs from the reference and gives its hint.
    messages = {test.question: test.message for test in failed}
    hard_coded = "test_sweep_effects_hold_this_worlds_effects"
    assert [test.name for test in failed] == [hard_coded], messages
    assert messages["q4"].startswith("sweep_effects"), messages
    assert "parameter_effects(sweep_id)" in messages["q4"], messages


def test_a_wrong_answer_is_told_what_differs(grades: dict) -> None:
    hidden = "test_record_diff_of_runs_from_this_world"
    [(question, _, message)] = [
        test for test in failed_tests(grades["wrong-q5"]) if test[1] == hidden
    ]
    assert question == "q5" and message.startswith("record_diff of recorded runs 0 and 1"), message
    assert "names only one run has" in message, message


@pytest.mark.parametrize("forgery", forgeries_for("03"))
def test_a_forgery_on_the_untouched_exercise_earns_nothing(grades: dict, forgery: str) -> None:
    assert_forgery_earned_nothing(grades[forgery])


def test_hard_coded_answers_are_right_for_the_default_parameters(tmp_path: Path) -> None:
    # With the defaults (run here, MLflow on a store of its own) the hidden tests observe for
    # the typed-in q4 answer what they observe for the solution's: under grading it loses q4
    # only because grading runs with other parameters.
    with mlflow_in(tmp_path):
        assert_cells_right_under_the_defaults(SOLUTION, HARD_CODED_FROM_DEFAULTS)
