"""Lesson 00's exercise graded for real, with the course's grading parameters.

Submissions are the generated exercise with answer cells filled in: the solution's own
answers (full marks), nothing (zero), the solution with one plausible mistake per question
(loses exactly that question's points), and answers hard-coded from a run with the default
parameters (only the parameter-free question survives).
"""

from __future__ import annotations

import copy
import functools
from pathlib import Path

import nbformat
import pytest

from mlops_course.classroom.authoring import read_solution
from mlops_course.classroom.batch import grade_lesson
from mlops_course.classroom.catalog import load_catalog

REPOSITORY = Path(__file__).resolve().parent.parent
LESSON = load_catalog(REPOSITORY).lesson("00")
SOLUTION = read_solution(LESSON.solution)
MARKERS = {"### BEGIN SOLUTION", "### END SOLUTION"}

# One plausible mistake per question: {question: (answer cell id, solution text, wrong text)}.
MISTAKES = {
    # averages the daily shares, as the walkthrough did, instead of counting orders
    "q1": ("q1-answer", 'orders.loc[orders["day"] < train_days, TARGET].mean()',
           'orders[orders["day"] < train_days].groupby("day")[TARGET].mean().mean()'),
    # an eight-day release week
    "q2": ("q2-answer-policies", "between(train_days, train_days + 6)",
           "between(train_days, train_days + 7)"),
    # takes the first event of the log, which is the covariate shift
    "q3": ("q3-answer", 'world.events.loc[world.events["kind"] == "concept_drift", "day"]',
           'world.events["day"]'),
    # levels 1 and 2 mixed up for teams b and c
    "q4": ("q4-answer", '"b": 1, "c": 2', '"b": 2, "c": 1'),
}  # fmt: skip
# Questions whose right answer does not depend on the parameters.
PARAMETER_FREE = {"q4"}


def solution_answers() -> dict[str, str]:
    """The solution's answer cells by id, markers removed: what a perfect student writes."""
    answers = {}
    for question in SOLUTION.questions:
        for index in question.answer_cells:
            cell = SOLUTION.notebook.cells[index]
            lines = [line for line in cell.source.splitlines() if line.strip() not in MARKERS]
            answers[cell.id] = "\n".join(lines)
    return answers


def with_mistake(question: str) -> dict[str, str]:
    answers = solution_answers()
    cell_id, right, wrong = MISTAKES[question]
    assert answers[cell_id].count(right) == 1, f"{cell_id} no longer holds {right!r}"
    answers[cell_id] = answers[cell_id].replace(right, wrong)
    return answers


def run_with_defaults(answers: dict[str, str]) -> dict:
    """The parameters, setup and `answers` cells executed here, in order: the namespace."""
    namespace: dict = {}
    for index, cell in enumerate(SOLUTION.notebook.cells):
        if "parameters" in cell.metadata.get("tags", []) or SOLUTION.roles[index] == "setup":
            exec(cell.source, namespace)
    for source in answers.values():
        exec(source, namespace)
    return namespace


@functools.cache
def hard_coded_answers() -> dict[str, str]:
    """The values of a run with the default parameters, typed in as literals."""
    namespace = run_with_defaults(solution_answers())
    answers = solution_answers()
    answers["q1-answer"] = f"late_rate = {namespace['late_rate']!r}"
    answers["q2-answer-policies"] = f"trivial_costs = {namespace['trivial_costs']!r}"
    names = ("concept_drift_day", "cost_before", "cost_after")
    answers["q3-answer"] = "\n".join(f"{name} = {namespace[name]!r}" for name in names)
    return answers


def submission(answers: dict[str, str]) -> nbformat.NotebookNode:
    notebook = copy.deepcopy(nbformat.read(LESSON.exercise, as_version=4))
    for cell in notebook.cells:
        if cell.id in answers:
            cell.source = answers[cell.id]
    return notebook


CASES = {
    "solved": solution_answers,
    "untouched-exercise": dict,
    **{f"wrong-{question}": (lambda q=question: with_mistake(q)) for question in MISTAKES},
    "hard-coded-from-defaults": hard_coded_answers,
}


@pytest.fixture(scope="module")
def grades(tmp_path_factory: pytest.TempPathFactory) -> dict:
    tmp = tmp_path_factory.mktemp("lesson-00")
    folder = tmp / "submissions"
    for student_id, answers in CASES.items():
        (folder / student_id).mkdir(parents=True)
        nbformat.write(submission(answers()), folder / student_id / LESSON.exercise.name)
    result = grade_lesson(LESSON.id, folder, tmp / "gradebook.db", root=REPOSITORY)
    return {grade.student_id: grade for grade in result.graded}


def scores(grade) -> dict[str, float]:
    assert grade.status == "graded", grade.reason
    return {question.question: question.points for question in grade.questions}


def test_the_grading_parameters_draw_another_world() -> None:
    assert LESSON.grading_parameters != LESSON.parameters
    assert MISTAKES.keys() == {question.id for question in SOLUTION.questions}


def test_the_solution_gets_full_marks(grades) -> None:
    failed = [test for test in grades["solved"].tests if not test.passed]
    assert not failed, failed
    assert sum(scores(grades["solved"]).values()) == LESSON.points


def test_the_untouched_exercise_gets_zero(grades) -> None:
    assert scores(grades["untouched-exercise"]) == {q.id: 0.0 for q in SOLUTION.questions}


@pytest.mark.parametrize("question", MISTAKES)
def test_a_wrong_answer_loses_exactly_its_question(grades, question: str) -> None:
    expected = {q.id: 0.0 if q.id == question else q.points for q in SOLUTION.questions}
    assert scores(grades[f"wrong-{question}"]) == expected


def test_answers_hard_coded_from_the_defaults_pass_every_test_with_the_defaults() -> None:
    namespace = run_with_defaults(hard_coded_answers())
    for test in SOLUTION.tests:
        exec(test.grading_source, namespace)  # raises if the test fails


def test_answers_hard_coded_from_the_defaults_fail_under_grading_parameters(grades) -> None:
    expected = {q.id: q.points if q.id in PARAMETER_FREE else 0.0 for q in SOLUTION.questions}
    assert scores(grades["hard-coded-from-defaults"]) == expected
    hidden_failures = {t.question for t in grades["hard-coded-from-defaults"].tests if not t.passed}
    assert hidden_failures == {q.id for q in SOLUTION.questions} - PARAMETER_FREE


def test_a_failed_hidden_test_says_what_to_fix(grades) -> None:
    [outcome] = [test for test in grades["wrong-q1"].tests if not test.passed]
    assert outcome.hidden and "divide their late orders by all their orders" in outcome.message
