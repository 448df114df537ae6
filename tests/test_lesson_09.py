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

from lesson_round_trip import LessonRoundTrip

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


class TestLesson09(LessonRoundTrip):
    LESSON_ID = "09"
    POINTS, CHANGES = POINTS, CHANGES
    HARD_CODED = "hard-coded-q2"
    HARD_CODED_FAILS = ("test_label_share_and_alarms_of_this_world",
                        "label_alarms[0]: observed 126")
    GRADING_CHANGES = ("seed", "days", "orders_per_day", "scenario_seed")
