"""Lesson 14's exercise graded for real, with the course's grading parameters.

Submissions: the solution's own answers (full marks), the untouched exercise (zero), the
solution with one plausible mistake per question (loses exactly that question's points),
and q1's worst two-column slice hard-coded from a run with the default parameters. Grading
runs with another seed, world size and training window, where the worst slice lies in another
pair of columns ((warehouse, weather), not (carrier, warehouse)), so the hard-coded slice loses
q1 (with the defaults, run here in process, its hidden tests observe what the solution's
observe). The untouched exercise with each measured forgery appended earns nothing. Hidden
tests only observe values; the grader compares them with the solution's, run with the same
grading parameters.
"""

from __future__ import annotations

from lesson_round_trip import LessonRoundTrip

POINTS = {"q1": 3, "q2": 3, "q3": 4}

# The worst slice of two categorical columns of a run with the default parameters, typed in.
DEFAULT_WORST = (("carrier", "warehouse"), ("UPS", "Tilburg"), 0.5853658536585366)

# Each case changes one text of the solution's answers and loses the question its name ends with.
CHANGES = {
    # the share of late parcels flagged (caught) instead of the share missed
    "wrong-q1": ("q1-answer", 'missed = ~late["flagged"].astype(bool)',
                 'missed = late["flagged"].astype(bool)'),
    # the first flipping candidate in the order given, not the closest one
    "wrong-q2": ("q2-answer",
                 "min(flipping, key=lambda candidate: (abs(candidate - current), candidate))",
                 "flipping[0]"),
    # an allowed name taken to allow its whole module (builtins.complex lets builtins.eval in)
    "wrong-q3": ("q3-answer", 'if f"{module}.{name}" not in allowed:',
                 'if module not in {entry.rsplit(".", 1)[0] for entry in allowed}:'),
    "hard-coded-q1": ("q1-answer", "worst = worst_pair(scored, CATEGORICAL_FEATURES, 30)",
                      f"worst = {DEFAULT_WORST!r}"),
}  # fmt: skip


class TestLesson14(LessonRoundTrip):
    LESSON_ID = "14"
    POINTS, CHANGES = POINTS, CHANGES
    HARD_CODED = "hard-coded-q1"
    HARD_CODED_FAILS = (
        "test_worst_slice_of_this_world",
        "worst pair slice of this world",
    )
    GRADING_CHANGES = ("seed", "days", "orders_per_day", "train_days")
    # Only q1's last line is typed in, and no later answer reads `worst`: run that cell again.
    RERUN_ONLY = True
