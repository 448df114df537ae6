"""Lesson 04's exercise graded for real, with the course's grading parameters.

Submissions: the solution's own answers (full marks), the untouched exercise (zero), the
solution with one plausible mistake per question (loses exactly that question's points),
the solution with scipy's bootstrap in q4 (full marks: another right way), and answers
hard-coded from a run with the default parameters: the q2 accuracies typed in, and the
gate's margin written as 0.05 instead of `margin_eur`. Grading runs with another seed,
margin and recall floor, so both lose their question's points (with the defaults, run here,
their hidden tests observe what the solution's observe). The untouched exercise with
a forgery appended that fakes the grader's verdicts earns nothing. Hidden tests only
observe values; the grader compares them with the solution's, run with the same grading
parameters.
"""

from __future__ import annotations

import pytest
from lesson_round_trip import (
    assert_forgery_earned_nothing,
    assert_full_marks,
    assert_loses_exactly,
    assert_same_observations,
    changed_answers,
    failed_tests,
    forged_submissions,
    forgeries_for,
    grade_submissions,
    lesson_and_solution,
    observations_in_process,
    solution_answers,
)
from lesson_round_trip import run_with_defaults as lesson_run_with_defaults

LESSON, SOLUTION = lesson_and_solution("04")
POINTS = {"q1": 2, "q2": 2, "q3": 2, "q4": 2, "q5": 2}

# The q2 accuracies of a run with the default parameters, typed in (the first is checked below).
DEFAULT_MAJORITY_ACCURACY = 0.8510222685245474
DEFAULT_MODEL_ACCURACY = 0.8680166688370882

# Each case changes one text of the solution's answers and loses the question its name ends with.
CHANGES = {
    # the total cost of the test days instead of the cost per order
    "wrong-q1": ("q1-answer", "needless) / len(late))", "needless))"),
    # the baseline's accuracy on the days it was fitted on
    "wrong-q2": ("q2-answer", "majority.score(test[FEATURES], test[TARGET])",
                 "majority.score(training[FEATURES], training[TARGET])"),
    # on a tie, the largest threshold wins
    "wrong-q3": ("q3-answer", "float(min(threshold for threshold",
                 "float(max(threshold for threshold"),
    # a 90 % interval
    "wrong-q4": ("q4-answer", "[2.5, 97.5]", "[5, 95]"),
    # beating the baseline is enough; the champion is forgotten
    "wrong-q5": ("q5-answer", 'and cost <= champion["expected_cost"] - margin_eur\n', ""),
    "hard-coded-q2": ("q2-answer",
                      "majority_accuracy = majority.score(test[FEATURES], test[TARGET])\n"
                      "model_accuracy = model.score(test[FEATURES], test[TARGET])",
                      f"majority_accuracy = {DEFAULT_MAJORITY_ACCURACY!r}\n"
                      f"model_accuracy = {DEFAULT_MODEL_ACCURACY!r}"),
    "hard-coded-margin-q5": ("q5-answer", 'baseline["expected_cost"] - margin_eur',
                             'baseline["expected_cost"] - 0.05'),
}  # fmt: skip
# A right answer the solution does not give: the bootstrap from scipy, as the prompt allows. It
# draws its resamples in another order, so the hidden tests' tolerances must let it through.
SCIPY_BOOTSTRAP = (
    "q4-answer",
    "    rng = np.random.default_rng(seed)\n"
    "    means = [values[rng.integers(0, len(values), len(values))].mean()"
    " for _ in range(n_resamples)]\n"
    "    low, high = np.percentile(means, [2.5, 97.5])\n",
    "    from scipy.stats import bootstrap\n\n"
    "    result = bootstrap((values,), np.mean, n_resamples=n_resamples, method=\"percentile\",\n"
    "                       random_state=seed, batch=100)\n"
    "    low, high = result.confidence_interval\n",
)  # fmt: skip
LOST = {"solved": set(), "untouched-exercise": set(POINTS), "scipy-bootstrap": set()} | {
    case: {case.rsplit("-", 1)[1]} for case in CHANGES
}


@pytest.fixture(scope="module")
def grades(tmp_path_factory: pytest.TempPathFactory) -> dict:
    submissions = {
        "solved": solution_answers(SOLUTION),
        "untouched-exercise": {},
        **{case: changed_answers(SOLUTION, change) for case, change in CHANGES.items()},
        "scipy-bootstrap": changed_answers(SOLUTION, SCIPY_BOOTSTRAP),
        **forged_submissions("04"),
    }
    return grade_submissions(LESSON, submissions, tmp_path_factory.mktemp("lesson-04"))


@pytest.mark.parametrize("case", LOST)
def test_each_submission_loses_exactly_its_wrong_questions(grades: dict, case: str) -> None:
    assert_loses_exactly(grades[case], LOST[case], POINTS)


def test_the_solution_is_graded_with_full_marks(grades: dict) -> None:
    assert_full_marks(grades["solved"], POINTS)


def test_hard_coded_answers_fail_hidden_tests_that_name_what_differs(grades: dict) -> None:
    failed = [test for test in grades["hard-coded-q2"].tests if not test.passed]
    assert {test.name for test in failed} == {"test_majority_accuracy_of_this_world",
                                              "test_model_accuracy_of_this_world"}  # fmt: skip
    assert all(test.hidden for test in failed), failed_tests(grades["hard-coded-q2"])
    messages = {test.name: test.message for test in failed}
    majority = messages["test_majority_accuracy_of_this_world"]
    assert majority.startswith("majority_accuracy: observed 0.851"), majority
    assert "the baseline's accuracy on the test days" in majority, majority
    margin_case = grades["hard-coded-margin-q5"]
    failed = {test.name: test for test in margin_case.tests if not test.passed}
    assert all(test.hidden for test in failed.values()), failed_tests(margin_case)
    margin = failed["test_accept_uses_the_margin_against_both_references"].message
    assert margin.startswith("reversed references: observed true, not the reference value"), margin


@pytest.mark.parametrize("forgery", forgeries_for("04"))
def test_a_forgery_on_the_untouched_exercise_earns_nothing(grades: dict, forgery: str) -> None:
    assert_forgery_earned_nothing(grades[forgery])


def test_points_add_up_to_the_lesson() -> None:
    assert {question.id: question.points for question in SOLUTION.questions} == POINTS
    assert sum(POINTS.values()) == LESSON.points


def test_grading_changes_the_parameters_the_hard_coded_answers_depend_on() -> None:
    import papermill

    declared = papermill.inspect_notebook(str(LESSON.solution))
    defaults = {name: float(spec["default"]) for name, spec in declared.items()}
    assert defaults["margin_eur"] == 0.05, "hard-coded-margin-q5 writes the default margin"
    for name in ("seed", "margin_eur", "min_recall"):
        assert LESSON.grading_parameters[name] != defaults[name], f"grading keeps {name}"


def test_the_hard_coded_majority_accuracy_is_right_under_the_default_parameters() -> None:
    # So that hard-coded-q2 losing its points shows the grading parameters at work.
    import papermill

    from mlops_course.world import TARGET, generate

    declared = papermill.inspect_notebook(str(LESSON.solution))
    given = {name: int(declared[name]["default"]) for name in ("seed", "days", "orders_per_day",
                                                              "train_days", "validation_days")}
    orders = generate(seed=given["seed"], days=given["days"],
                      orders_per_day=given["orders_per_day"]).orders
    test_days = orders[orders["day"] >= given["train_days"] + given["validation_days"]]
    assert 1 - test_days[TARGET].mean() == pytest.approx(DEFAULT_MAJORITY_ACCURACY, rel=1e-12)


def run_with_defaults(answers: dict[str, str]) -> dict:
    return lesson_run_with_defaults(SOLUTION, answers)


def test_the_hard_coded_answers_pass_the_hidden_tests_under_the_default_parameters() -> None:
    # With the defaults, the hidden tests observe for them what they observe for the solution:
    # they lose points under grading only because grading runs with other parameters.
    expected = observations_in_process(run_with_defaults(solution_answers(SOLUTION)), SOLUTION)
    for case in ("hard-coded-q2", "hard-coded-margin-q5"):
        namespace = run_with_defaults(changed_answers(SOLUTION, CHANGES[case]))
        assert_same_observations(expected, observations_in_process(namespace, SOLUTION))
