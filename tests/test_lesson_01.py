"""Lesson 01's exercise graded for real: known answers must earn exactly their points.

Each submission is the generated exercise with answer cells filled in: the solution's
answers, a known-wrong answer for one question, or an answer hard-coded from a run with
the default parameters; or the untouched exercise with a forgery appended that tries to
fake the grader's verdicts. They are graded in one batch with the lesson's grading
parameters (another seed, another fault scenario), as an instructor would grade them.
That the hard-coded answer is right under the default parameters is shown in process,
without a second batch.
"""

from __future__ import annotations

import pytest
from lesson_round_trip import (
    answer_cell,
    answers_with,
    assert_cells_right_under_the_defaults,
    assert_forgery_earned_nothing,
    assert_full_marks,
    assert_loses_exactly,
    failed_tests,
    forged_submissions,
    forgeries_for,
    grade_submissions,
    known_wrong,
    lesson_and_solution,
    solution_answers,
)

LESSON, SOLUTION = lesson_and_solution("01")
POINTS = {"q1": 2, "q2": 3, "q3": 2, "q4": 3}

# The q1 answer a run with the default parameters gives, typed in as a literal.
HARD_CODED_Q1 = {"day", "n_items", "order_date"}

Q1_ANSWER = """
def failure_report(schema, batch):
    try:
        schema.validate(batch, lazy=True)
    except pa.errors.SchemaErrors as errors:
        return errors.failure_cases
    return None


def false_alarm_columns(report, day):
    if report is None:
        return set()
    {active}
    return set(report["column"].dropna()) - set(active["column"].dropna())


failing_columns = {columns}
"""
ACTIVE = 'active = world.events[(world.events["day"] <= day) & (day <= world.events["end_day"])]'
FAILING_COLUMNS = 'set(failure_report(draft, world.batch(inspect_day))["column"].dropna())'
# A plausible slip: only the faults that start on `day` count, not those still running.
STARTING = 'active = world.events[world.events["day"] == day]'


Q3_FUNCTION = '''
def agrees_with_order_date(batch):
    date = batch["order_date"]
    agrees = (
        (batch["order_hour"] == date.dt.hour)
        & (batch["weekday"] == date.dt.day_of_week)
        & (batch["day"] == (date.dt.normalize() - START).dt.days)
    )
    return agrees | batch[["order_date", "order_hour", "weekday", "day"]].isna().any(axis=1)
'''

WRONG_ANSWERS = {
    # q1: a fault counts as real only on its first day: on its later days its column is
    # taken for a false alarm of the draft.
    "q1": Q1_ANSWER.format(active=STARTING, columns=FAILING_COLUMNS),
    # q2: the walkthrough's schema pasted: bands of x1.25 and x1.5 around the reference
    # median, typed in instead of derived from the reference's daily medians.
    "q2": '''
def daily_median_band(reference, column, margin):
    medians = reference.groupby("day")[column].median()
    return float(medians.min() / margin), float(medians.max() * margin)


def make_schema(reference):
    def median_band(column, tolerance):
        center = reference[column].median()
        return pa.Check.median_in_range(column=column, low=round(center / tolerance, 3),
                                        high=round(center * tolerance, 3))

    feature_columns = {
        name: pa.Column(float if name in ("distance_km", "weight_kg") else int,
                        pa.Check.in_range(*VALID_RANGES[name]), nullable=False)
        for name in NUMERIC_FEATURES
    } | {name: pa.Column(str, pa.Check.isin(CATEGORIES[name]), nullable=False)
         for name in CATEGORICAL_FEATURES}
    return pa.DataFrameSchema(
        {
            "order_id": pa.Column(str, unique=True, report_duplicates="exclude_first"),
            "day": pa.Column(int, pa.Check.ge(0)),
            "order_date": pa.Column(pa.DateTime),
            **feature_columns,
        },
        checks=[median_band("distance_km", 1.25), median_band("weight_kg", 1.5)],
        strict=True,
    )
''',
    # q3: the right rows, but a check that answers for the whole batch (like median_in_range):
    # its one failure case has no row index, so the policy would reject the batch.
    "q3": Q3_FUNCTION + '''

agreement_check = pa.Check(lambda batch: bool(agrees_with_order_date(batch).all()),
                           name="agrees_with_order_date")
''',
    # q4: compares the served shares on the reference's categories only, so a category the
    # reference never saw (a new carrier) drops out of the shift.
    "q4": '''
def category_shift(served, reference):
    served_shares = served.value_counts(normalize=True)
    reference_shares = reference.value_counts(normalize=True)
    if served_shares.empty or reference_shares.empty:
        return 1.0
    served_shares = served_shares.reindex(reference_shares.index, fill_value=0.0)
    return float((served_shares - reference_shares).abs().sum() / 2)


def skewed_features(requests, reference, columns, tolerance):
    served = pd.DataFrame(list(requests)).reindex(columns=list(columns))
    return [name for name in columns if category_shift(served[name], reference[name]) > tolerance]
''',
}
HARD_CODED = {
    answer_cell(SOLUTION, "q1"): Q1_ANSWER.format(active=ACTIVE,
                                                  columns=f"set({sorted(HARD_CODED_Q1)!r})"),
}


def with_answers(questions: dict[str, str]) -> dict[str, str]:
    """The solution's answers with the answer cell of each question in `questions` rewritten."""
    cells = {answer_cell(SOLUTION, question): source for question, source in questions.items()}
    return answers_with(SOLUTION, cells)


# submission -> its answers by cell id; the untouched exercise has none.
SUBMISSIONS = {
    "solved": solution_answers(SOLUTION),
    "untouched-exercise": {},
    **{f"wrong-{question}": with_answers({question: answer})
       for question, answer in WRONG_ANSWERS.items()},
    "hard-coded-q1": answers_with(SOLUTION, HARD_CODED),
}  # fmt: skip
EXPECTED_LOST = {
    "solved": set(),
    "untouched-exercise": set(POINTS),
    **{f"wrong-{question}": {question} for question in WRONG_ANSWERS},
    "hard-coded-q1": {"q1"},
}


@pytest.fixture(scope="module")
def grades(tmp_path_factory: pytest.TempPathFactory) -> dict:
    submissions = SUBMISSIONS | forged_submissions("01")
    return grade_submissions(LESSON, submissions, tmp_path_factory.mktemp("lesson-01"),
                             here=known_wrong(submissions))


@pytest.mark.parametrize("student", SUBMISSIONS)
def test_each_submission_loses_exactly_its_wrong_questions(grades: dict, student: str) -> None:
    assert_loses_exactly(grades[student], EXPECTED_LOST[student], POINTS)


def test_the_solution_is_graded_with_full_marks(grades: dict) -> None:
    assert_full_marks(grades["solved"], POINTS)


def test_a_fault_counted_on_its_first_day_only_fails_and_says_why(grades: dict) -> None:
    failed = {test.name: test for test in grades["wrong-q1"].tests if not test.passed}
    expected = {"test_false_alarms_of_the_worked_report", "test_false_alarms_of_this_world"}
    assert set(failed) == expected, failed_tests(grades["wrong-q1"])
    hidden = failed["test_false_alarms_of_this_world"]
    assert hidden.hidden and hidden.message.startswith("false alarms of")
    assert "through its end_day" in hidden.message


def test_the_walkthrough_bands_typed_in_fail_where_the_bands_are_compared(grades: dict) -> None:
    # Its schema catches every fault of the grading world; only its bands are not the reference's.
    failed = {test.name for test in grades["wrong-q2"].tests if not test.passed}
    expected = {"test_the_schema_takes_its_bands_from_the_reference",
                "test_median_bands_of_this_reference"}
    assert failed == expected, failed_tests(grades["wrong-q2"])


def test_a_batch_level_check_loses_only_the_hidden_test_of_the_report(grades: dict) -> None:
    # Its rows are right, so only what the check reports fails: the public test and the hidden one.
    failed = {test.name: test for test in grades["wrong-q3"].tests if not test.passed}
    expected = {"test_the_check_reports_the_rows_that_disagree",
                "test_the_check_names_the_rows_not_the_batch"}
    assert set(failed) == expected, failed_tests(grades["wrong-q3"])
    assert failed["test_the_check_names_the_rows_not_the_batch"].hidden


def test_an_unseen_category_left_out_fails_where_one_is_served(grades: dict) -> None:
    # The first worked case has none; the one for it, "no category in common" and the hidden
    # served days do.
    failed = {test.name for test in grades["wrong-q4"].tests if not test.passed}
    expected = {"test_same_shares_nothing_in_common_and_no_value",
                "test_a_category_only_one_side_has_counts",
                "test_category_shift_of_each_served_day", "test_skewed_features_of_each_served_day"}
    assert failed == expected, failed_tests(grades["wrong-q4"])


@pytest.mark.parametrize("forgery", forgeries_for("01"))
def test_a_forgery_on_the_untouched_exercise_earns_nothing(grades: dict, forgery: str) -> None:
    assert_forgery_earned_nothing(grades[forgery])


def test_points_add_up_to_the_lesson() -> None:
    assert {question.id: question.points for question in SOLUTION.questions} == POINTS
    assert sum(POINTS.values()) == LESSON.points


def test_grading_changes_the_world_and_the_scenario() -> None:
    import papermill

    declared = papermill.inspect_notebook(str(LESSON.solution))
    for name in ("seed", "days", "orders_per_day", "scenario_seed"):
        default = int(declared[name]["default"])
        assert LESSON.grading_parameters[name] != default, f"grading keeps {name}"
        catalog = LESSON.parameters.get(name, default)
        assert catalog == default, f"the catalog's {name} is not the solution's"


def test_the_hard_coded_answer_passes_the_hidden_tests_under_the_default_parameters() -> None:
    # With the defaults, the hidden tests observe for it what they observe for the solution:
    # hard-coded-q1 loses its points above only because grading runs with other parameters.
    assert_cells_right_under_the_defaults(SOLUTION, HARD_CODED)
