"""Lesson 08's exercise graded for real, with the course's grading parameters.

Submissions: the solution's own answers (full marks), the untouched exercise (zero), the
solution with one plausible mistake per question (loses exactly that question's points),
and q3's choice hard-coded from a run with the default parameters. Grading runs with another
seed, length and volume of the year, so another year of events: the hard-coded choice loses
q3 (with the defaults, run here in process, its hidden tests observe what the solution's
observe). The untouched exercise with each measured forgery appended earns nothing. Hidden
tests only observe values; the grader compares them with the solution's, run with the same
grading parameters.
"""

from __future__ import annotations

from lesson_round_trip import LessonRoundTrip

POINTS = {"q1": 3, "q2": 3, "q3": 4}

# q3's choice in a run with the default parameters, typed in.
DEFAULT_CHOICE = (
    "every 28 days",
    {
        "cost_eur": 2.477314521242866,
        "retrain_days": [83, 111, 139, 167, 195],
        "promotion_days": [111, 139, 167],
    },
)

# Each case changes one text of the solution's answers and loses the question its name ends with.
CHANGES = {
    # the sum of the share differences, not half of it: every distance doubles
    "wrong-q1": ("q1-answer", "0.5 * now.sub", "now.sub"),
    # the labels of every flagged order, held out or not: the acted-on ones all say "on time"
    "wrong-q2": ("q2-answer", 'frame["held_out"] & frame["flagged"]', 'frame["flagged"]'),
    # one retrain more than the budget allows
    "wrong-q3": ("q3-answer", "situation.retrains < budget", "situation.retrains <= budget"),
    "hard-coded-q3": ("q3-answer",
                      "choice = cheapest_within_budget(CANDIDATES, budget=5, cooldown_days=14)",
                      f"choice = {DEFAULT_CHOICE!r}"),
}  # fmt: skip


class TestLesson08(LessonRoundTrip):
    LESSON_ID = "08"
    POINTS, CHANGES = POINTS, CHANGES
    HARD_CODED = "hard-coded-q3"
    HARD_CODED_FAILS = ("test_the_choice_of_this_year", "")
    GRADING_CHANGES = ("seed", "days", "orders_per_day")
