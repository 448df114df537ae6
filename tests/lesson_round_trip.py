"""Grade a lesson's real exercise filled in with known answers: the parts every
tests/test_lesson_NN.py round trip needs.

A submission is the generated exercise with its answer cells replaced: by the solution's
answers with the markers removed (what a perfect student writes), by those answers with one
piece of text changed (a known mistake, or a value typed in from a default run), or left
untouched. All of them are graded in one batch with the lesson's grading parameters, as an
instructor would grade them.
"""

from __future__ import annotations

from pathlib import Path

import nbformat

from mlops_course.classroom.authoring import Exercise
from mlops_course.classroom.batch import grade_lesson
from mlops_course.classroom.catalog import Lesson
from mlops_course.classroom.results import SubmissionGrade

MARKERS = {"### BEGIN SOLUTION", "### END SOLUTION"}

# One change of the solution's answers: (answer cell id, text in the solution, text instead).
Change = tuple[str, str, str]


def solution_answers(solution: Exercise) -> dict[str, str]:
    """The solution's answer cells by cell id, markers removed."""
    answers = {}
    for question in solution.questions:
        for index in question.answer_cells:
            cell = solution.notebook.cells[index]
            lines = [line for line in cell.source.splitlines() if line.strip() not in MARKERS]
            answers[cell.id] = "\n".join(lines)
    return answers


def changed_answers(solution: Exercise, change: Change) -> dict[str, str]:
    """The solution's answers with one text replaced; fails when the solution moved on."""
    answers = solution_answers(solution)
    cell_id, right, instead = change
    assert answers[cell_id].count(right) == 1, f"{cell_id} no longer holds {right!r} once"
    answers[cell_id] = answers[cell_id].replace(right, instead)
    return answers


def grade_submissions(lesson: Lesson, submissions: dict[str, dict[str, str]], folder: Path,
                      root: Path) -> dict[str, SubmissionGrade]:  # fmt: skip
    """Grade the exercise filled in with each submission's answers (by cell id; an empty
    dict leaves the exercise untouched); returns the grades by submission name."""
    for name, answers in submissions.items():
        notebook = nbformat.read(lesson.exercise, as_version=4)
        for cell in notebook.cells:
            cell.source = answers.get(cell.id, cell.source)
        (folder / "in" / name).mkdir(parents=True)
        nbformat.write(notebook, folder / "in" / name / lesson.exercise.name)
    result = grade_lesson(lesson.id, folder / "in", folder / "gradebook.db", root=root, jobs=2)
    return {grade.student_id: grade for grade in result.graded}


def points_by_question(grade: SubmissionGrade) -> dict[str, float]:
    assert grade.status == "graded", grade.reason
    return {score.question: score.points for score in grade.questions}


def failed_tests(grade: SubmissionGrade) -> list[tuple[str, str, str]]:
    return [(test.question, test.name, test.message) for test in grade.tests if not test.passed]
