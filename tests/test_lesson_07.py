"""Lesson 07's exercise graded for real, with the course's grading parameters.

Submissions: the solution's own answers (full marks), the untouched exercise (zero), the
solution with one plausible mistake per question (loses exactly that question's points),
and q1's `release_cost` hard-coded from a run with the default parameters. Grading runs
with another seed, slice of the world and training window, so the hard-coded cost loses q1
(with the defaults, run here in process, the hidden tests observe for it what they observe
for the solution). The untouched exercise with each measured forgery appended earns
nothing. Hidden tests only observe values — q1's among them what the artefact does when a
fresh Python process loads it — and the grader compares them with the solution's, run with
the same grading parameters.
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from lesson_round_trip import (
    LessonRoundTrip,
    assert_same_observations,
    changed_answers,
    failed_tests,
    lesson_and_solution,
    observations_in_process,
    run_with_defaults,
    solution_answers,
)

SOLUTION = lesson_and_solution("07")[1]
POINTS = {"q1": 3, "q2": 4, "q3": 3}

# q1's release_cost of a run with the default parameters, typed in.
DEFAULT_RELEASE_COST = 2.169698339170715

# Each case changes one text of the solution's answers and loses the question its name ends with.
CHANGES = {
    # the bare pipeline is released: predict() flags at 0.5, not at the cost threshold 4/29
    "wrong-q1": ("q1-answer",
                 "FixedThresholdClassifier(pipeline, threshold=THRESHOLD, "
                 'response_method="predict_proba")',
                 "pipeline"),
    # "an integer fits into a double": but MLflow rejects int64 values for a double input
    "wrong-q2": ("q2-answer", '("float", "double")}', '("float", "double"), ("long", "double")}'),
    # publish's direct needs only, not the jobs they need in turn
    "wrong-q3": ("q3-answer", "found |= {need} | upstream(need)", "found |= {need}"),
    "hard-coded-q1": ("q1-answer",
                      'release_cost = json.loads(Path(RELEASE_FOLDER, "evaluation.json")'
                      '.read_text())["cost_per_order"]',
                      f"release_cost = {DEFAULT_RELEASE_COST!r}"),
}  # fmt: skip
# The hidden test that starts a second Python process; the in-process comparison below
# leaves it out, because the hard-coded answer changes nothing it observes.
FRESH_PROCESS_TEST = "test_the_artefact_in_a_fresh_process"


class TestLesson07(LessonRoundTrip):
    LESSON_ID = "07"
    POINTS, CHANGES = POINTS, CHANGES
    HARD_CODED = "hard-coded-q1"
    HARD_CODED_FAILS = ("test_the_release_of_this_world", "release_cost: observed 2.16")
    # Under grading, the public test that recomputes release_cost from `released` fails the
    # typed-in cost too.
    HARD_CODED_PUBLIC_FAILS = ("test_the_release_of_this_world_is_read_back",
                               "AssertionError: release_cost should be the cost of released")
    GRADING_CHANGES = ("seed", "days", "orders_per_day", "train_days")

    def test_the_bare_pipeline_fails_in_the_fresh_process(self, grades: dict) -> None:
        failed = {test.name for test in grades["wrong-q1"].tests if not test.passed}
        assert FRESH_PROCESS_TEST in failed, failed_tests(grades["wrong-q1"])

    def test_the_hard_coded_answer_passes_the_hidden_tests_under_the_defaults(
        self, monkeypatch: pytest.MonkeyPatch, tmp_path
    ) -> None:
        # With the defaults, the hidden tests observe for it what they observe for the
        # solution: it loses points under grading only because grading runs with other
        # parameters. The fresh-process test is left out (see FRESH_PROCESS_TEST).
        monkeypatch.setenv("MLFLOW_TRACKING_URI", f"sqlite:///{tmp_path / 'mlflow.db'}")
        in_process = SimpleNamespace(
            tests=[test for test in SOLUTION.tests if test.name != FRESH_PROCESS_TEST]
        )
        solved = run_with_defaults(SOLUTION, solution_answers(SOLUTION))
        expected = observations_in_process(solved, in_process)
        # The same setup, answered the hard-coded way: only RELEASE_FOLDER must be new,
        # because save_model refuses a folder that exists (saves running the setup again).
        hard_coded = dict(solved, RELEASE_FOLDER=str(tmp_path / "release"))
        for source in changed_answers(SOLUTION, CHANGES["hard-coded-q1"]).values():
            exec(source, hard_coded)
        assert_same_observations(expected, observations_in_process(hard_coded, in_process))
        assert expected["test_the_release_of_this_world"][0].value == pytest.approx(
            DEFAULT_RELEASE_COST, rel=1e-12
        )
