"""Lesson 13's exercise graded for real, with the course's grading parameters.

Submissions: the solution's own answers (full marks), the untouched exercise (zero), the
solution with one plausible mistake per question (loses exactly that question's points),
and q1's rejected days hard-coded from a run with the default parameters. Grading runs with
another seed, world size and scenario, so the hard-coded days lose q1 (with the defaults,
run here in process, its hidden tests observe what the solution's observe). The untouched
exercise with each measured forgery appended earns nothing. q1 and q2's hidden tests only
observe values; q3's drives the student's system over a hidden year, and the judge
(solutions/judges/lesson13_capstone.py) scores its decisions in the grader's process.
"""

from __future__ import annotations

from lesson_round_trip import LessonRoundTrip

POINTS = {"q1": 8, "q2": 7, "q3": 15}

# The rejected days of a run with the default parameters, typed in.
DEFAULT_REJECTED_DAYS = [125, 126, 197, 198, 199, 229, 230, 231, 233, 234, 235, 285, 330]

# Each case changes one text of the solution's answers and loses the question its name ends with.
CHANGES = {
    # a missing category counted as an unknown one too (the prompt: missing values do not count)
    "wrong-q1": ("q1-answer", "np.isin(batch[column].dropna().to_numpy(dtype=object), known)",
                 "np.isin(batch[column].to_numpy(dtype=object), known)"),
    # the baseline over every day before the event, not the 7 days before it
    "wrong-q2": ("q2-answer", 'log.loc[log["day"] < event.day, "cost_eur"].tail(7)',
                 'log.loc[log["day"] < event.day, "cost_eur"]'),
    # the walkthrough's system: q1's contract alone, no batch statistic: days in miles served
    "wrong-q3": ("q3-answer", "rejected = bool(batch_problems(batch)) or self.wrong_unit(batch)",
                 "rejected = bool(batch_problems(batch))"),
    "hard-coded-q1": ("q1-answer",
                      "rejected_days = [day for day in range(world.days) "
                      "if batch_problems(daily_batch(world, day))]",
                      f"rejected_days = {DEFAULT_REJECTED_DAYS!r}"),
}  # fmt: skip


class TestLesson13(LessonRoundTrip):
    LESSON_ID = "13"
    POINTS, CHANGES = POINTS, CHANGES
    HARD_CODED = "hard-coded-q1"
    HARD_CODED_FAILS = ("test_rejected_days_of_this_world", "rejected_days: observed 13 items")
    # Under grading, the public test of the fault days fails the hard-coded days too: the
    # grading world's values go missing on other days.
    HARD_CODED_PUBLIC_FAILS = ("test_rejected_days_are_the_days_a_contract_fault_hits",
                               "AssertionError: values go missing on days")
    GRADING_CHANGES = ("seed", "days")  # and scenario_seed, which only the solution declares
    RERUN_ONLY = True  # no later answer reads rejected_days

    def test_the_system_without_a_unit_check_loses_q3_through_the_judge(self, grades: dict) -> None:
        # Its public rehearsal fails too; the hidden year fails in the judge, which says why:
        # the grading world's distances arrive in miles on two days, which no row-wise rule sees.
        driven = _driven_test(grades["wrong-q3"])
        assert not driven.passed and "served the faulty batches of days" in driven.message, (
            driven.message
        )

    def test_the_judge_explains_the_solution_s_pass(self, grades: dict) -> None:
        driven = _driven_test(grades["solved"])
        assert driven.passed and "every promotion gated" in driven.message, driven.message


def _driven_test(grade):
    [driven] = [test for test in grade.tests if test.name == "test_the_system_runs_a_hidden_year"]
    return driven
