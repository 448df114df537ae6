"""Lesson 11's exercise graded for real, with the course's grading parameters.

Submissions: the solution's own answers (full marks), the untouched exercise (zero), the
solution with one plausible mistake per question (loses exactly that question's points),
and q3's accepted candidates hard-coded from a run with the default parameters. Grading runs
with another seed and world size, so the golden master runs on other orders and the hard-coded
list loses q3 (with the defaults, run here in process, its hidden tests observe what the
solution's observe). The untouched exercise with each measured forgery appended earns nothing.
Hidden tests only observe values: which of 21 one-rule mutants of the legacy rules the
student's edge orders catch (q1; a public test names the misses among a sample of 7), what
ruff reports on the student's own module with the magic-value rule PLR2004 among its rules, so
that no candidate pasted in passes (q2), the reviews of the five candidates (q3, with the
rules without PLR2004); the grader compares them with the solution's, run with the same
grading parameters.
"""

from __future__ import annotations

from lesson_round_trip import LessonRoundTrip

POINTS = {"q1": 3, "q2": 4, "q3": 3}

# The candidates a run with the default parameters accepts, typed in.
DEFAULT_ACCEPTED = ["candidate_a", "candidate_d"]

# Each case changes one text of the solution's answers and loses the question its name ends with.
CHANGES = {
    # a boundary tried from one side only: 4.5 kg, not exactly 5 kg, so ">= 5 kg" goes uncaught
    # (in the public sample of mutants too: the public test names it)
    "wrong-q1": ("q1-answer", '"n_items": 4, "weight_kg": 5.0}', '"n_items": 4, "weight_kg": 4.5}'),
    # "from 16:00 on" read as "after 16:00": orders placed at 16:xx lose their point
    "wrong-q2": ("q2-answer", '["order_hour"] >= LATE_HOUR', '["order_hour"] > LATE_HOUR'),
    # ruff's default bound (10) instead of max_complexity: a too complex pull request passes
    "wrong-q3": ("q3-answer", "ruff_check(path)}", "ruff_check(path, bound=10)}"),
    "hard-coded-q3": ("q3-answer", "accepted = accepted_candidates(CANDIDATES, orders)",
                      f"accepted = {DEFAULT_ACCEPTED!r}"),
}  # fmt: skip


class TestLesson11(LessonRoundTrip):
    LESSON_ID = "11"
    POINTS, CHANGES = POINTS, CHANGES
    HARD_CODED = "hard-coded-q3"
    HARD_CODED_FAILS = ("test_the_accepted_candidates_of_this_world", "accepted: observed 2 items")
    GRADING_CHANGES = ("seed", "days", "orders_per_day")
    RERUN_ONLY = True
