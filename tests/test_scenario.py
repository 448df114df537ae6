"""Open-ended questions: the grader feeds a student's system a hidden stream, one day at a
time, and a judge in the grader's process prices the decisions it observed.

The fixture course's only question asks for a flagging policy; its judge
(tests/fixtures/scenario-course/solutions/judges/flag_policy.py) hands over each day's
orders and, two days later, their labels, and passes a policy cheaper than both trivial ones.
"""

from __future__ import annotations

import ast
import copy
import json
import shutil
from pathlib import Path

import nbformat
import pytest
from forgeries import FORGERIES

from mlops_course.classroom.authoring.assign import build_exercise
from mlops_course.classroom.authoring.solution import read_solution
from mlops_course.classroom.grading.batch import grade_lesson, load_job
from mlops_course.classroom.grading.grade import build_graded_notebook
from mlops_course.classroom.grading.scenario import JudgeError, load_scenario

COURSE = Path(__file__).parent / "fixtures" / "scenario-course"
SOLUTION = read_solution(COURSE / "solutions" / "00-flag-policy.ipynb")
EXERCISE_NAME = "00-flag-policy.ipynb"
LABEL_DELAY = 2


def answered(answer: str | None, appended: str | None = None) -> nbformat.NotebookNode:
    notebook = copy.deepcopy(build_exercise(SOLUTION))
    for cell in notebook.cells:
        if cell.get("id") == "q1-answer" and answer is not None:
            cell.source = answer
    if appended:
        notebook.cells.append(nbformat.v4.new_code_cell(appended))
    return notebook


def solution_answer() -> str:
    [index] = SOLUTION.question("q1").answer_cells
    lines = SOLUTION.notebook.cells[index].source.splitlines()
    return "\n".join(line for line in lines if "### " not in line)


@pytest.fixture(scope="module")
def grades(tmp_path_factory: pytest.TempPathFactory) -> dict:
    folder = tmp_path_factory.mktemp("scenario")
    flag_nobody = solution_answer().split("for order_id in labels")[0] + "return []\n"
    cases = {
        "solved": answered(solution_answer()),
        "untouched-exercise": answered(None),
        "flags-nobody": answered(flag_nobody),
        "solved-then-forged": answered(solution_answer(), FORGERIES["forges-input-transformers"]),
    }
    for name, notebook in cases.items():
        (folder / "in" / name).mkdir(parents=True)
        nbformat.write(notebook, folder / "in" / name / EXERCISE_NAME)
    result = grade_lesson("00", folder / "in", folder / "gradebook.db", root=COURSE, jobs=2)
    return {grade.student_id: grade for grade in result.graded}


def test_a_policy_that_beats_the_trivial_ones_on_the_hidden_stream_earns_the_points(grades):
    grade = grades["solved"]
    assert (grade.status, grade.score) == ("graded", 4.0), grade.reason
    [hidden] = [test for test in grade.tests if test.hidden]
    assert hidden.passed and "EUR per order" in hidden.message


@pytest.mark.parametrize("case", ["untouched-exercise", "flags-nobody"])
def test_a_policy_no_cheaper_than_flagging_nobody_earns_nothing(grades, case):
    grade = grades[case]
    assert (grade.status, grade.score) == ("graded", 0.0), grade.reason
    [hidden] = [test for test in grade.tests if test.hidden]
    assert not hidden.passed and "(flag nobody)" in hidden.message


def test_a_forged_run_of_a_good_policy_is_caught(grades):
    grade = grades["solved-then-forged"]
    assert (grade.status, grade.score) == ("tampered", 0.0), grade.reason


def test_each_step_hands_over_only_that_day_and_the_labels_that_have_matured():
    job = load_job("00", COURSE)
    notebook, placed = build_graded_notebook(job, build_exercise(SOLUTION), canaries=False)
    steps = [notebook.cells[cell.index].source for cell in placed if cell.step_of]
    assert len(steps) == job.parameters["days"]
    for day, source in enumerate(steps):
        call = ast.parse(source).body[0].value
        arguments = json.loads(call.args[1].value)
        batch_days = {order_id.split("-")[0] for order_id, *_ in
                      arguments["batch"]["__frame__"]["data"]}  # fmt: skip
        label_days = {row[0].split("-")[0] for row in arguments["labels"]["__frame__"]["data"]}
        assert arguments["day"] == day and batch_days == {str(day)}
        assert label_days == (set() if day < LABEL_DELAY else {str(day - LABEL_DELAY)})


def test_a_missing_judge_is_refused_with_the_file_to_write(tmp_path):
    with pytest.raises(JudgeError, match=r"solutions/judges/nowhere\.py does not exist; write it"):
        load_scenario(tmp_path, "nowhere", {})


def test_a_judge_without_both_functions_is_refused(tmp_path):
    judges = tmp_path / "solutions" / "judges"
    judges.mkdir(parents=True)
    shutil.copyfile(COURSE / "solutions" / "judges" / "flag_policy.py", judges / "half.py")
    text = (judges / "half.py").read_text().replace("def judge(", "def verdict(")
    (judges / "half.py").write_text(text)
    with pytest.raises(JudgeError, match="needs two functions"):
        load_scenario(tmp_path, "half", {"seed": 1, "days": 2, "orders_per_day": 2})
