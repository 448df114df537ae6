"""Lesson 12's exercise graded for real, with the course's grading parameters.

Submissions: the solution's own answers (full marks), the untouched exercise (zero), the
solution with one plausible mistake per question (loses exactly that question's points:
train_days left a string, a value equal to the documented maximum counted as above it, only
a model's direct inputs kept),
and q1's `cheapest_cost` hard-coded from a run with the default parameters. Grading runs with
another seed, world size and training window, so the setup's candidate models train on other
feature sets and their runs hold other metrics: the hard-coded cost loses q1, failing the
hidden test that observes it and the public test that compares it with the cards (with the
defaults, run here in process on an MLflow store of its own, its hidden tests observe what
the solution's observe). The untouched exercise with each measured forgery appended earns
nothing. Hidden tests only observe values; the grader compares them with the solution's, run
with the same grading parameters.
"""

from __future__ import annotations

from pathlib import Path

from lesson_round_trip import LessonRoundTrip, mlflow_in

POINTS = {"q1": 3, "q2": 3, "q3": 4}

# The cheapest card's cost_per_order of a run with the default parameters, typed in.
DEFAULT_CHEAPEST_COST = 3.0167

# Each case changes one text of the solution's answers and loses the question its name ends with.
CHANGES = {
    # MLflow keeps params as strings: the card says train_days "90", not 90
    "wrong-q1": ("q1-answer", '"train_days": int(params["train_days"])',
                 '"train_days": params["train_days"]'),
    # a value equal to the documented maximum counted as above it
    "wrong-q2": ("q2-answer", 'present.max() > entry["max"]', 'present.max() >= entry["max"]'),
    # only what a model reads directly stays: the sources and inputs of its features look unused
    "wrong-q3": ("q3-answer", "todo.extend(inputs.get(node, []))", "pass"),
    "hard-coded-q1": ("q1-answer",
                      "cheapest_cost = make_model_card(RUN_IDS[cheapest_run_name])"
                      '["metrics"]["cost_per_order"]',
                      f"cheapest_cost = {DEFAULT_CHEAPEST_COST!r}"),
}  # fmt: skip


class TestLesson12(LessonRoundTrip):
    LESSON_ID = "12"
    POINTS, CHANGES = POINTS, CHANGES
    HARD_CODED = "hard-coded-q1"
    HARD_CODED_FAILS = ("test_the_cheapest_run_observed", "cheapest_cost: observed 3.0167")
    # q1's public test compares cheapest_cost with the cards of this world's runs.
    HARD_CODED_PUBLIC_FAILS = ("test_the_cheapest_run_of_this_world",
                               "AssertionError: cheapest_cost is 3.0167")
    GRADING_CHANGES = ("seed", "days", "orders_per_day", "train_days")
    RERUN_ONLY = True  # no later answer reads cheapest_cost

    def test_the_hard_coded_answer_passes_the_hidden_tests_under_the_defaults(
        self, tmp_path: Path
    ) -> None:
        # The setup logs its candidate models to MLflow: here, to a store of its own.
        with mlflow_in(tmp_path):
            super().test_the_hard_coded_answer_passes_the_hidden_tests_under_the_defaults()
