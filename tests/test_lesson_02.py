"""Lesson 02's exercise through the real grader: what a grade must be for known answers.

Each submission is the generated exercise with some answer cells filled in. The solved
one takes its answers from the solution; each wrong one gets a plausible mistake in one
question and must lose exactly that question's points. The hard-coded one types in the
champion's settings found under the default parameters: run here with those, its hidden
tests observe what the solution's observe, and graded it loses q2. The forged ones are
the untouched exercise with a forgery appended that tries to fake the grader's verdicts:
they earn nothing.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from forgeries import MEASURED
from lesson_round_trip import (
    answers_with,
    assert_forgery_earned_nothing,
    assert_same_observations,
    failed_tests,
    forged_submissions,
    grade_submissions,
    lesson_and_solution,
    mlflow_in,
    observations_in_process,
    points_by_question,
    run_with_defaults,
    solution_answers,
    with_cells_replaced,
)

LESSON, SOLUTION = lesson_and_solution("02")
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

# case -> (its answers by cell id, the points it earns); the untouched exercise has no answers.
CASES = {
    "solved": (solution_answers(SOLUTION), FULL_MARKS),
    "untouched-exercise": ({}, dict.fromkeys(FULL_MARKS, 0)),
    "wrong-q1": (answers_with(SOLUTION, {"q1-answer": FINGERPRINT_BLIND_TO_DTYPES}),
                 {**FULL_MARKS, "q1": 0}),
    "wrong-q2": (answers_with(SOLUTION, {"q2-answer-rebuild": REBUILD_THAT_LOADS}),
                 {**FULL_MARKS, "q2": 0}),
    "wrong-q3": (answers_with(SOLUTION, {"q3-answer": WHAT_CHANGED_WITHOUT_ENVIRONMENT}),
                 {**FULL_MARKS, "q3": 0}),
    "wrong-q4": (answers_with(SOLUTION, {"q4-answer": MISMATCHES_WITH_INLINE_COMMENTS}),
                 {**FULL_MARKS, "q4": 0}),
    "hard-coded-q2": (answers_with(SOLUTION, {"q2-answer-prove": HARD_CODED_CHAMPION}),
                      {**FULL_MARKS, "q2": 0}),
}  # fmt: skip
# forgery -> its answers: the untouched exercise with the forgery appended.
FORGED = forged_submissions()


@pytest.fixture(scope="module")
def graded(tmp_path_factory: pytest.TempPathFactory) -> dict:
    submissions = {case: answers for case, (answers, _) in CASES.items()} | FORGED
    return grade_submissions(LESSON, submissions, tmp_path_factory.mktemp("lesson-02"))


@pytest.mark.parametrize("case", CASES)
def test_each_case_earns_its_points(graded: dict, case: str) -> None:
    assert points_by_question(graded[case]) == CASES[case][1], failed_tests(graded[case])


def test_the_solution_is_graded_and_never_flagged(graded: dict) -> None:
    assert graded["solved"].status == "graded", graded["solved"].reason
    assert not failed_tests(graded["solved"])


@pytest.mark.parametrize("forgery", MEASURED)
def test_a_forgery_on_the_untouched_exercise_earns_nothing(graded: dict, forgery: str) -> None:
    assert_forgery_earned_nothing(graded[forgery])


def test_hard_coded_answer_is_right_for_the_default_parameters(tmp_path: Path) -> None:
    # With the defaults (run here, MLflow on a store of its own) the hidden tests observe for
    # the typed-in champion what they observe for the solution: under grading it loses q2
    # only because grading runs with other parameters.
    with mlflow_in(tmp_path):
        solved = run_with_defaults(SOLUTION, solution_answers(SOLUTION))
        expected = observations_in_process(solved, SOLUTION)
        hard_coded = with_cells_replaced(solved, {"q2-answer-prove": HARD_CODED_CHAMPION})
        assert_same_observations(expected, observations_in_process(hard_coded, SOLUTION))
