"""Lesson 02's exercise through the real grader: what a grade must be for known answers.

Each submission is the generated exercise with some answer cells filled in. The solved
one takes its answers from the solution; each wrong one gets a plausible mistake in one
question and must lose exactly that question's points. The hard-coded one types in the
champion's settings found under the default parameters: it earns full marks with those
and loses q2 under the grading parameters.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import nbformat
import pytest

from mlops_course.classroom.batch import grade_lesson

REPOSITORY = Path(__file__).resolve().parent.parent
SLUG = "02-version-everything"
EXERCISE = REPOSITORY / "exercises" / f"{SLUG}.ipynb"
SOLUTION = REPOSITORY / "solutions" / f"{SLUG}.ipynb"
FULL_MARKS = {"q1": 3, "q2": 3, "q3": 2, "q4": 2}

# Hashes values and row order correctly but not the dtypes: passes the public tests.
FINGERPRINT_BLIND_TO_DTYPES = '''
import hashlib


def fingerprint(frame, key="order_id"):
    if not frame[key].is_unique:
        raise ValueError("duplicate keys")
    canonical = frame.sort_values(key).reset_index(drop=True)
    row_hashes = pd.util.hash_pandas_object(canonical, index=True).to_numpy()
    return hashlib.sha256(row_hashes.tobytes()).hexdigest()
'''

# Checks the data, then loads the logged model instead of training one.
REBUILD_THAT_LOADS = '''
def rebuild(run_id):
    recorded = mlflow.artifacts.load_dict(f"runs:/{run_id}/params.json")
    rows = orders[orders["day"].between(recorded["train_first_day"], recorded["train_last_day"])]
    if data_version(rows) != client.get_run(run_id).data.tags["lineage.data_fingerprint"]:
        raise ValueError("not the recorded data")
    return mlflow.sklearn.load_model(f"runs:/{run_id}/model")
'''

# Never reports the environment.
WHAT_CHANGED_WITHOUT_ENVIRONMENT = '''
def what_changed(run_id_a, run_id_b):
    a, b = client.get_run(run_id_a).data, client.get_run(run_id_b).data
    changed = set()
    if a.tags.get("lineage.data_fingerprint") != b.tags.get("lineage.data_fingerprint"):
        changed.add("data")
    if a.tags.get("lineage.code_version") != b.tags.get("lineage.code_version"):
        changed.add("code")
    if a.params != b.params:
        changed.add("parameters")
    return changed
'''

# Skips comment lines but keeps a comment after a pin as part of the version.
MISMATCHES_WITH_INLINE_COMMENTS = '''
def environment_mismatches(lock_text):
    mismatches = {}
    for line in lock_text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, pinned = (part.strip() for part in line.split("=="))
        try:
            installed = metadata.version(name)
        except metadata.PackageNotFoundError:
            installed = None
        if installed != pinned:
            mismatches[name] = (pinned, installed)
    return mismatches
'''

# The champion's window and C under the default parameters (seed 42, 90 days), typed in.
HARD_CODED_CHAMPION = '''
rebuilt = train_model(orders[orders["day"].between(1, 42)], 0.3)
identical = True
'''

CASES = {
    "solved": ({}, FULL_MARKS),
    "untouched-exercise": (None, dict.fromkeys(FULL_MARKS, 0)),
    "wrong-q1": ({"q1-answer": FINGERPRINT_BLIND_TO_DTYPES}, {**FULL_MARKS, "q1": 0}),
    "wrong-q2": ({"q2-answer-rebuild": REBUILD_THAT_LOADS}, {**FULL_MARKS, "q2": 0}),
    "wrong-q3": ({"q3-answer": WHAT_CHANGED_WITHOUT_ENVIRONMENT}, {**FULL_MARKS, "q3": 0}),
    "wrong-q4": ({"q4-answer": MISMATCHES_WITH_INLINE_COMMENTS}, {**FULL_MARKS, "q4": 0}),
    "hard-coded-q2": ({"q2-answer-prove": HARD_CODED_CHAMPION}, {**FULL_MARKS, "q2": 0}),
}


def _submission(answers: dict[str, str] | None) -> nbformat.NotebookNode:
    """The exercise with the solution's answers, then `answers` (cell id -> source) over them."""
    exercise = nbformat.read(EXERCISE, as_version=4)
    if answers is None:
        return exercise
    solution = {cell.id: cell.source for cell in nbformat.read(SOLUTION, as_version=4).cells}
    for cell in exercise.cells:
        if cell.metadata.get("mlops_course", {}).get("role") == "answer":
            cell.source = answers.get(cell.id, solution[cell.id]).strip()
    return exercise


def _write_submissions(folder: Path, cases: list[str]) -> Path:
    for case in cases:
        (folder / case).mkdir(parents=True)
        nbformat.write(_submission(CASES[case][0]), folder / case / f"{SLUG}.ipynb")
    return folder


def _grades(tmp: Path, cases: list[str], root: Path = REPOSITORY) -> dict:
    submissions = _write_submissions(tmp / "submissions", cases)
    result = grade_lesson("02", submissions, tmp / "gradebook.db", jobs=2, root=root)
    return {grade.student_id: grade for grade in result.graded}


def _course_grading_with_defaults(root: Path) -> Path:
    """A course root whose lesson 02 is graded with its default parameters."""
    catalog = tomllib.loads((REPOSITORY / "course" / "course.toml").read_text())
    text = (REPOSITORY / "course" / "course.toml").read_text()
    lesson = next(entry for entry in catalog["lessons"] if entry["id"] == "02")
    grading = lesson["grading_parameters"]
    old = "\n".join(f"{key} = {value}" for key, value in grading.items())
    new = "\n".join(f"{key} = {lesson['parameters'][key]}" for key in grading)
    marker = f'slug = "{SLUG}"'
    head, tail = text.split(marker)
    assert old in tail, "lesson 02's grading_parameters are not laid out as this test expects"
    (root / "course").mkdir(parents=True)
    (root / "course" / "course.toml").write_text(head + marker + tail.replace(old, new, 1))
    (root / "solutions").mkdir()
    (root / "solutions" / SOLUTION.name).write_bytes(SOLUTION.read_bytes())
    for written in (entry for entry in catalog["lessons"] if entry["status"] == "written"):
        # The catalog refuses a written lesson without its notebook; grading never opens it.
        stand_in = root / written["notebook"]
        stand_in.parent.mkdir(parents=True, exist_ok=True)
        stand_in.write_text("{}")
    return root


@pytest.fixture(scope="module")
def graded(tmp_path_factory: pytest.TempPathFactory) -> dict:
    return _grades(tmp_path_factory.mktemp("lesson-02"), list(CASES))


@pytest.mark.parametrize("case", CASES)
def test_lesson_02_scores(graded: dict, case: str) -> None:
    grade = graded[case]
    assert grade.status == "graded", grade.reason
    assert {score.question: score.points for score in grade.questions} == CASES[case][1], [
        (test.name, test.message) for test in grade.tests if not test.passed
    ]


def test_hard_coded_answer_is_right_only_for_the_default_parameters(
    tmp_path: Path,
) -> None:
    root = _course_grading_with_defaults(tmp_path / "course-root")
    grade = _grades(tmp_path, ["hard-coded-q2"], root=root)["hard-coded-q2"]
    assert grade.status == "graded", grade.reason
    assert {score.question: score.points for score in grade.questions} == FULL_MARKS
