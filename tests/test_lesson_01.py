"""Lesson 01's exercise graded for real: known answers must earn exactly their points.

Each submission is the generated exercise with answer cells filled in: the solution's
answers, a known-wrong answer for one question, or an answer hard-coded from a run with
the default parameters; or the untouched exercise with a forgery appended that tries to
fake the grader's verdicts. They are graded in one batch with the lesson's grading
parameters (another seed, another fault scenario), as an instructor would grade them.
"""

from __future__ import annotations

import pytest
from forgeries import MEASURED
from lesson_round_trip import (
    answer_cell,
    answers_with,
    assert_forgery_earned_nothing,
    assert_loses_exactly,
    failed_tests,
    forged_submissions,
    grade_submissions,
    lesson_and_solution,
    solution_answers,
)

LESSON, SOLUTION = lesson_and_solution("01")
POINTS = {"q1": 2, "q2": 3, "q3": 2, "q4": 3}
FAULT_KINDS = ["missing_values", "unit_change", "out_of_range", "new_category", "duplicates",
               "renamed_column"]  # the scenario of the exercise's setup cell

# The q1 answer the default parameters give (checked below), typed in as a literal.
HARD_CODED_Q1 = {"day", "n_items", "order_date"}

Q1_ANSWER = """
def failure_report(schema, batch):
    try:
        schema.validate(batch, lazy=True)
    except pa.errors.SchemaErrors as errors:
        return errors.failure_cases
    return None


failing_columns = {columns}
"""

WRONG_ANSWERS = {
    # q1: reports only the draft's false alarms and forgets the fault itself.
    "q1": Q1_ANSWER.format(columns='{"day", "order_date"}'),
    # q2: the inferred draft as it is: false alarms on every day after the reference.
    "q2": '''
def make_schema(reference):
    return pa.infer_schema(reference)
''',
    # q3: quarantines the rows it can and never rejects a batch.
    "q3": '''
def triage(batch, schema):
    try:
        schema.validate(batch, lazy=True)
    except pa.errors.SchemaErrors as errors:
        named = batch.index.isin(errors.failure_cases["index"].dropna().tolist())
        return "quarantine", batch[~named], batch[named]
    return "accept", batch, batch.iloc[:0]
''',
    # q4: checks that every field is there, and nothing about the values.
    "q4": '''
def validate_request(request):
    return [f"{name}: missing" for name in FEATURES if name not in request]
''',
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
    "hard-coded-q1": with_answers(
        {"q1": Q1_ANSWER.format(columns=f"set({sorted(HARD_CODED_Q1)!r})")}),
}  # fmt: skip
EXPECTED_LOST = {
    "solved": set(),
    "untouched-exercise": set(POINTS),
    **{f"wrong-{question}": {question} for question in WRONG_ANSWERS},
    "hard-coded-q1": {"q1"},
}


@pytest.fixture(scope="module")
def grades(tmp_path_factory: pytest.TempPathFactory) -> dict:
    submissions = SUBMISSIONS | forged_submissions()
    return grade_submissions(LESSON, submissions, tmp_path_factory.mktemp("lesson-01"))


@pytest.mark.parametrize("student", SUBMISSIONS)
def test_each_submission_loses_exactly_its_wrong_questions(grades: dict, student: str) -> None:
    assert_loses_exactly(grades[student], EXPECTED_LOST[student], POINTS)


def test_the_solution_is_graded_and_never_flagged(grades: dict) -> None:
    assert grades["solved"].status == "graded", grades["solved"].reason
    assert not failed_tests(grades["solved"])


def test_a_failed_hidden_test_says_what_to_fix(grades: dict) -> None:
    [outcome] = [test for test in grades["wrong-q1"].tests if not test.passed]
    assert outcome.hidden and outcome.message.startswith("failing_columns")
    assert "missing values left out" in outcome.message


@pytest.mark.parametrize("forgery", MEASURED)
def test_a_forgery_on_the_untouched_exercise_earns_nothing(grades: dict, forgery: str) -> None:
    assert_forgery_earned_nothing(grades[forgery])


def test_points_add_up_to_the_lesson() -> None:
    assert sum(POINTS.values()) == LESSON.points


def test_the_hard_coded_answer_is_right_under_the_default_parameters() -> None:
    # So that hard-coded-q1 losing its points shows the grading parameters at work.
    import pandas as pd
    import pandera.pandas as pa
    import papermill

    from mlops_course.world import Scenario, generate

    declared = papermill.inspect_notebook(str(LESSON.solution))
    given = {name: int(spec["default"]) for name, spec in declared.items()}
    scenario = Scenario.sample(given["scenario_seed"], given["days"], kinds=FAULT_KINDS)
    world = generate(seed=given["seed"], days=given["days"], orders_per_day=given["orders_per_day"],
                     scenario=scenario)
    reference = pd.concat([world.batch(day) for day in range(given["reference_days"])])
    missing_values = world.events.loc[world.events["kind"] == "missing_values", "day"]
    inspect_day = int(missing_values.iloc[0])
    with pytest.raises(pa.errors.SchemaErrors) as raised:
        pa.infer_schema(reference).validate(world.batch(inspect_day), lazy=True)
    assert set(raised.value.failure_cases["column"].dropna()) == HARD_CODED_Q1
