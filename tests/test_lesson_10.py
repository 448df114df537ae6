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

from lesson_round_trip import LessonRoundTrip

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


class TestLesson10(LessonRoundTrip):
    LESSON_ID = "10"
    POINTS, CHANGES = POINTS, CHANGES
    HARD_CODED = "hard-coded-q3"
    HARD_CODED_FAILS = ("test_broken_days_of_this_world",
                        "broken_days['late-delivery model'][0]: observed 19")
    GRADING_CHANGES = ("seed", "days", "orders_per_day", "scenario_seed")
    # Under grading, the public test of the fault days fails a hard-coded broken_days too:
    # the default run's days reach past this world's last day.
    HARD_CODED_PUBLIC_FAILS = ("test_broken_days_and_broken_by_on_the_days_of_the_faults",
                               "AssertionError: each consumer's days are a sorted list")
    RERUN_ONLY = True
