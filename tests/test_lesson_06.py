"""Lesson 06's exercise graded for real, with the course's grading parameters.

Submissions: the solution's own answers (full marks), the untouched exercise (zero), the
solution with one plausible mistake per question (loses exactly that question's points),
and q4's `dependence` hard-coded from a run with the default parameters. Grading runs with
another seed, slice of the world and training window, so the hard-coded shares lose q4
(with the defaults, run here in process, their hidden tests observe what the solution's
observe). The untouched exercise with each measured forgery appended earns nothing. Hidden
tests only observe which planted bugs the student's tests catch, and the values they
return; the grader compares them with the solution's, run with the same grading parameters.
"""

from __future__ import annotations

from lesson_round_trip import LessonRoundTrip

POINTS = {"q1": 2, "q2": 2, "q3": 3, "q4": 3}

# q4's `dependence` of a run with the default parameters, typed in.
DEFAULT_DEPENDENCE = {10: 0.008333333333333333, 20: 0.020833333333333332, 50: 0.008333333333333333}

# Each case changes one text of the solution's answers and loses the question its name ends with.
CHANGES = {
    # the properties are checked on frames with the default index: a feature that resets it holds
    "wrong-q1": ("q1-answer", "index = [100 + k for k in reversed(range(len(distances)))]",
                 "index = list(range(len(distances)))"),
    # only the mean rise: a model that reverses the feature for some orders passes
    "wrong-q2": ("q2-answer", "return never_falls and bool(", "return bool("),
    # the bar is never flagging only, not the cheaper of the two trivial policies
    "wrong-q3": ("q3-answer",
                 "min(COST_FALSE_NEGATIVE * late_share, "
                 "COST_FALSE_POSITIVE * (1 - late_share))",
                 "COST_FALSE_NEGATIVE * late_share"),
    # probabilities compared instead of decisions: every tiny change of P(late) counts
    "wrong-q4": ("q4-answer", "float(np.mean((at_once > THRESHOLD) != (in_chunks > THRESHOLD)))",
                 "float(np.mean(at_once != in_chunks))"),
    "hard-coded-q4": ("q4-answer",
                      "dependence = {size: batch_dependence(release_3_1, last_day, size) "
                      "for size in (10, 20, 50)}",
                      f"dependence = {DEFAULT_DEPENDENCE!r}"),
}  # fmt: skip


class TestLesson06(LessonRoundTrip):
    LESSON_ID = "06"
    POINTS, CHANGES = POINTS, CHANGES
    HARD_CODED = "hard-coded-q4"
    HARD_CODED_FAILS = ("test_the_dependence_of_release_3_1",
                        "dependence (items)[0][1]: observed 0.0083")
    GRADING_CHANGES = ("seed", "days", "orders_per_day", "train_days")
    RERUN_ONLY = True
