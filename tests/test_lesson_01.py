"""Lesson 01's exercise graded for real: known answers must earn exactly their points.

Each submission is the generated exercise with answer cells filled in: the solution's
answers, a known-wrong answer for one question, or an answer hard-coded from a run with
the default parameters. They are graded in one batch with the lesson's grading
parameters (another seed, another fault scenario), as an instructor would grade them.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

from mlops_course.classroom.batch import grade_lesson
from mlops_course.classroom.catalog import load_catalog

ROOT = Path(__file__).resolve().parents[1]
LESSON = load_catalog(ROOT).lesson("01")
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

# submission -> {question: replacement answer source}; None means the untouched exercise.
SUBMISSIONS: dict[str, dict[str, str] | None] = {
    "solved": {},
    "untouched-exercise": None,
    **{f"wrong-{question}": {question: answer} for question, answer in WRONG_ANSWERS.items()},
    "hard-coded-q1": {"q1": Q1_ANSWER.format(columns=f"set({sorted(HARD_CODED_Q1)!r})")},
}
EXPECTED_LOST = {
    "solved": set(),
    "untouched-exercise": set(POINTS),
    **{f"wrong-{question}": {question} for question in WRONG_ANSWERS},
    "hard-coded-q1": {"q1"},
}


def _answer_sources(notebook: nbformat.NotebookNode) -> dict[str, str]:
    """The answer cell of each question (each question here has exactly one)."""
    answers = {}
    for cell in notebook.cells:
        meta = cell.metadata.get("mlops_course", {})
        if meta.get("role") == "answer":
            answers[meta["question"]] = cell.source
    return answers


def _submission(replacements: dict[str, str] | None) -> nbformat.NotebookNode:
    exercise = nbformat.read(LESSON.exercise, as_version=4)
    if replacements is None:
        return exercise
    solution = nbformat.read(LESSON.solution, as_version=4)
    solved = {question: _without_markers(source)
              for question, source in _answer_sources(solution).items()}
    for cell in exercise.cells:
        meta = cell.metadata.get("mlops_course", {})
        if meta.get("role") == "answer":
            question = meta["question"]
            cell.source = replacements.get(question, solved[question])
    return exercise


def _without_markers(source: str) -> str:
    return re.sub(r"^\s*### (BEGIN|END) SOLUTION\n", "", source, flags=re.MULTILINE)


@pytest.fixture(scope="module")
def grades(tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("lesson-01")
    for student, replacements in SUBMISSIONS.items():
        (folder / "in" / student).mkdir(parents=True)
        nbformat.write(_submission(replacements), folder / "in" / student / LESSON.exercise.name)
    result = grade_lesson("01", folder / "in", folder / "gradebook.db", root=ROOT, jobs=2)
    return {grade.student_id: grade for grade in result.graded}


@pytest.mark.parametrize("student", SUBMISSIONS)
def test_each_submission_loses_exactly_its_wrong_questions(grades, student: str) -> None:
    grade = grades[student]
    assert grade.status == "graded", grade.reason
    earned = {score.question: score.points for score in grade.questions}
    expected = {question: 0 if question in EXPECTED_LOST[student] else points
                for question, points in POINTS.items()}
    failing = [(test.question, test.name, test.message) for test in grade.tests if not test.passed]
    assert earned == expected, failing


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
