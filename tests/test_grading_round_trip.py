"""Round trips on the fixture lesson: what a grade must be for known answers."""

from __future__ import annotations

import nbformat
import pytest
from graded_here import grade_here, job_with_kernel_reference
from grading_helpers import EXERCISE_NAME, FULL_MARKS, GRADING_COURSE, submission_folder

from mlops_course.classroom.grading.batch import grade_lesson

CASES = {
    "solved": (FULL_MARKS, {"q1": 2, "q2": 3}),
    "untouched-exercise": (0.0, {"q1": 0, "q2": 0}),
    "wrong-q1": (3.0, {"q1": 0, "q2": 3}),
    "wrong-q2": (2.0, {"q1": 2, "q2": 0}),
    # The share the default parameters give, typed in: wrong under the grading parameters.
    "hard-coded-default-answer": (3.0, {"q1": 0, "q2": 3}),
}


@pytest.fixture(scope="module")
def round_trip(tmp_path_factory: pytest.TempPathFactory):
    tmp = tmp_path_factory.mktemp("round-trip")
    folder = submission_folder(tmp / "in", {name: name for name in CASES})
    result = grade_lesson("00", folder, tmp / "gradebook.db", root=GRADING_COURSE,
                          feedback_dir=tmp / "feedback", csv_path=tmp / "grades.csv")  # fmt: skip
    return tmp, {grade.student_id: grade for grade in result.graded}


@pytest.mark.parametrize("case", CASES)
def test_round_trip_scores(round_trip, case: str) -> None:
    _, grades = round_trip
    score, per_question = CASES[case]
    grade = grades[case]
    assert grade.status == "graded", grade.reason
    assert grade.score == score
    assert {q.question: q.points for q in grade.questions} == per_question


def test_feedback_shows_hidden_verdicts_but_never_hidden_source(round_trip) -> None:
    tmp, grades = round_trip
    [page] = (tmp / "feedback" / "00").glob("wrong-q1-*.html")
    text = page.read_text()
    assert "test_late_share_matches_the_delays" in text
    # In words: what was observed against what the reference observed, and the author's hint.
    assert "late_share: observed 0.5, not the reference value" in text
    assert "0.4333" not in text  # the answer under the grading parameters stays hidden
    assert "count the orders delayed by more than 2 days" in text
    assert "observe(late_share" not in text  # the hidden test's body
    assert (tmp / "feedback" / "00" / "grade-distribution.png").stat().st_size > 1000
    assert (tmp / "grades.csv").read_text().startswith("student_id,lesson,score,max_score,status")


@pytest.mark.parametrize("case", CASES)
def test_grading_in_process_gives_the_kernel_s_verdicts(round_trip, tmp_path, case: str) -> None:
    # The lessons' round trips grade their known mistakes in process (tests/graded_here.py):
    # that stands in for a kernel only if every test's verdict and message are the same.
    tmp, grades = round_trip
    solution = GRADING_COURSE / "solutions" / "00-parcel-delays.ipynb"
    job = job_with_kernel_reference("00", solution, tmp / "gradebook.db", GRADING_COURSE)
    notebook = nbformat.read(tmp / "in" / case / EXERCISE_NAME, as_version=4)
    here = grade_here(job, notebook, case, tmp_path / "here")
    assert here.tests == grades[case].tests
    assert here.questions == grades[case].questions
