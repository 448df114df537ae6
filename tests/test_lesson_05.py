"""Lesson 05's exercise graded for real, with the course's grading parameters.

Submissions: the solution's own answers (full marks), the untouched exercise (zero), the
solution with one plausible mistake per question (loses exactly that question's points),
and the q4 costs hard-coded from a run with the default parameters. Grading runs with
another seed, slice of the world and training window, so the hard-coded costs lose q4
(with the defaults, run here in process, their hidden tests observe what the solution's
observe). The untouched exercise with each measured forgery appended earns nothing. Hidden
tests only observe values; the grader compares them with the solution's, run with the
same grading parameters.
"""

from __future__ import annotations

from lesson_round_trip import LessonRoundTrip

POINTS = {"q1": 2, "q2": 2, "q3": 3, "q4": 3}

# The q4 costs of a run with the default parameters, typed in.
DEFAULT_LEAKY_COST = 2.104896470894648
DEFAULT_FIXED_COST = 2.203802578460737
DEFAULT_LEAKY_SERVED_COST = 2.2081651256674046

# Each case changes one text of the solution's answers and loses the question its name ends with.
CHANGES = {
    # every parameter in every key: a change of any parameter re-runs every step
    "wrong-q1": ("q1-answer", "step_key(step, step_params,", "step_key(step, params,"),
    # only the steps that read a changed parameter, not those downstream of them
    "wrong-q2": ("q2-answer", " or set(step.inputs) & set(rerun)", ""),
    # a label arriving at the order's very moment counts already
    "wrong-q3": ("q3-answer", "allow_exact_matches=False", "allow_exact_matches=True"),
    # the fixed step keeps version "1": the cache hands back the leaky features
    "wrong-q4": ("q4-answer", 'version="2"', 'version="1"'),
    "hard-coded-q4": ("q4-answer",
                      'leaky_cost = cache[leaky_manifest[-1]["key"]]\n'
                      'fixed_cost = cache[fixed_manifest[-1]["key"]]\n'
                      "leaky_served_cost = evaluate(cache[leaky_manifest[3][\"key\"]], "
                      'cache[fixed_manifest[2]["key"]], train_days)',
                      f"leaky_cost = {DEFAULT_LEAKY_COST!r}\n"
                      f"fixed_cost = {DEFAULT_FIXED_COST!r}\n"
                      f"leaky_served_cost = {DEFAULT_LEAKY_SERVED_COST!r}"),
}  # fmt: skip


class TestLesson05(LessonRoundTrip):
    LESSON_ID = "05"
    POINTS, CHANGES = POINTS, CHANGES
    HARD_CODED = "hard-coded-q4"
    HARD_CODED_FAILS = ("test_the_costs_of_this_world", "leaky_cost: observed 2.10")
    GRADING_CHANGES = ("seed", "days", "orders_per_day", "train_days")
