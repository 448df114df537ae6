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
from lesson_round_trip import (
    answers_with,
    assert_cells_right_under_the_defaults,
    assert_forgery_earned_nothing,
    failed_tests,
    forged_submissions,
    forgeries_for,
    grade_submissions,
    known_wrong,
    lesson_and_solution,
    mlflow_in,
    points_by_question,
    solution_answers,
)

LESSON, SOLUTION = lesson_and_solution("02")
FULL_MARKS = {"q1": 3, "q2": 3, "q3": 2, "q4": 2}

# Hashes each row with pd.util.hash_pandas_object, as an earlier prompt suggested: right for
# NaN in both versions and for int32, but 2 and 2.0 hash differently, so a column stored as
# float64 marks every row changed. Fails the public test of a dtype change with equal values.
ROW_CHANGES_BY_ROW_HASH = '''
def row_changes(old, new, key="order_id"):
    for frame in (old, new):
        if key not in frame.columns:
            raise ValueError("no key column")
        if not frame[key].is_unique:
            raise ValueError("duplicate keys")
    if set(old.columns) != set(new.columns):
        raise ValueError("other columns")
    values = sorted(column for column in old.columns if column != key)

    def row_hashes(frame):
        hashes = pd.util.hash_pandas_object(frame[values], index=False).to_numpy()
        return pd.Series(hashes, index=pd.Index(frame[key].tolist()))

    before, after = row_hashes(old), row_hashes(new)
    both = before.index.intersection(after.index)
    return {"added": sorted(after.index.difference(before.index).tolist()),
            "removed": sorted(before.index.difference(after.index).tolist()),
            "changed": sorted(both[before[both].to_numpy() != after[both].to_numpy()].tolist())}
'''

# Stops one window short: never tries the window that ends on the last day. Passes the
# public tests, whose windows end earlier.
FIND_DAYS_MISSING_THE_LAST_WINDOW = '''
def find_training_days(data_fingerprint, n_days):
    for first_day in range(days - n_days):
        last_day = first_day + n_days - 1
        if data_version(orders[orders["day"].between(first_day, last_day)]) == data_fingerprint:
            return first_day, last_day
    return None
'''

# Never reports the environment. Fails the public test of a package recorded in one run only.
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

# Right but for one thing: compares the installed version with the pin as strings, so
# numpy==2.4.6.0 is reported although numpy 2.4.6 meets it (PEP 440). Fails the public test of
# a satisfied lock.
MISMATCHES_COMPARING_STRINGS = '''
def environment_mismatches(lock_text):
    mismatches, pinned_as = {}, {}
    for line in lock_text.splitlines():
        text = line.split("#")[0].strip().removesuffix("\\\\").strip()
        if not text or text.startswith("-"):
            continue
        requirement = Requirement(text.split(" --")[0])
        if requirement.marker is not None and not requirement.marker.evaluate():
            continue
        package = canonicalize_name(requirement.name)
        if package in pinned_as:
            raise ValueError(f"{package} is pinned twice")
        pinned_as[package] = requirement.name
        [pinned] = [spec.version for spec in requirement.specifier]
        try:
            installed = metadata.version(requirement.name)
        except metadata.PackageNotFoundError:
            installed = None
        if installed != pinned:
            mismatches[requirement.name] = (pinned, installed)
    return mismatches
'''

# The champion's days and C found under the default parameters (seed 42, 90 days), typed in.
HARD_CODED_CHAMPION = '''
rebuilt = train_model(orders[orders["day"].between(45, 75)], 0.3)
identical = True
'''

# case -> (its answers by cell id, the points it earns); the untouched exercise has no answers.
CASES = {
    "solved": (solution_answers(SOLUTION), FULL_MARKS),
    "untouched-exercise": ({}, dict.fromkeys(FULL_MARKS, 0)),
    "wrong-q1": (answers_with(SOLUTION, {"q1-answer": ROW_CHANGES_BY_ROW_HASH}),
                 {**FULL_MARKS, "q1": 0}),
    "wrong-q2": (answers_with(SOLUTION, {"q2-answer-find": FIND_DAYS_MISSING_THE_LAST_WINDOW}),
                 {**FULL_MARKS, "q2": 0}),
    "wrong-q3": (answers_with(SOLUTION, {"q3-answer": WHAT_CHANGED_WITHOUT_ENVIRONMENT}),
                 {**FULL_MARKS, "q3": 0}),
    "wrong-q4": (answers_with(SOLUTION, {"q4-answer": MISMATCHES_COMPARING_STRINGS}),
                 {**FULL_MARKS, "q4": 0}),
    "hard-coded-q2": (answers_with(SOLUTION, {"q2-answer-prove": HARD_CODED_CHAMPION}),
                      {**FULL_MARKS, "q2": 0}),
}  # fmt: skip
# forgery -> its answers: the untouched exercise with the forgery appended.
FORGED = forged_submissions("02")


@pytest.fixture(scope="module")
def graded(tmp_path_factory: pytest.TempPathFactory) -> dict:
    submissions = {case: answers for case, (answers, _) in CASES.items()} | FORGED
    return grade_submissions(LESSON, submissions, tmp_path_factory.mktemp("lesson-02"),
                             here=known_wrong(submissions))


@pytest.mark.parametrize("case", CASES)
def test_each_case_earns_its_points(graded: dict, case: str) -> None:
    assert points_by_question(graded[case]) == CASES[case][1], failed_tests(graded[case])


def test_the_solution_is_graded_and_never_flagged(graded: dict) -> None:
    assert graded["solved"].status == "graded", graded["solved"].reason
    assert not failed_tests(graded["solved"])


@pytest.mark.parametrize("forgery", forgeries_for("02"))
def test_a_forgery_on_the_untouched_exercise_earns_nothing(graded: dict, forgery: str) -> None:
    assert_forgery_earned_nothing(graded[forgery])


def test_hard_coded_answer_is_right_for_the_default_parameters(tmp_path: Path) -> None:
    # With the defaults (run here, MLflow on a store of its own) the hidden tests observe for
    # the typed-in champion what they observe for the solution: under grading it loses q2
    # only because grading runs with other parameters.
    with mlflow_in(tmp_path):
        assert_cells_right_under_the_defaults(SOLUTION, {"q2-answer-prove": HARD_CODED_CHAMPION})
