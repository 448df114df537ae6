"""Hostile submissions and forgeries, graded in ONE batch next to clean ones that must keep
full marks and must never be flagged as tampered.

Each case gets a bounded outcome, the right score and a clear status and reason. The
fixture course allows 5 s per cell and 256 MB per kernel (course.toml [grading]).
"""

from __future__ import annotations

import os
import subprocess
import time
import zipfile
from pathlib import Path

import pytest
from forgeries import FORGERIES
from grading_helpers import (
    EXERCISE_NAME,
    FULL_MARKS,
    GRADING_COURSE,
    SUBMISSIONS,
    submission_folder,
)

from mlops_course.classroom.grading.batch import grade_lesson
from mlops_course.classroom.grading.gradebook import Gradebook
from mlops_course.classroom.grading.sandbox import (
    KERNEL_UID_BASE,
    KERNELS_PER_PROCESS,
    probe_sandbox,
)

SANDBOXED = probe_sandbox().available
needs_sandbox = pytest.mark.skipif(not SANDBOXED, reason=probe_sandbox().reason)

# case: (status, score, words the reason must contain)
EXPECTED = {
    "infinite-loop": ("timeout", FULL_MARKS, "'while True:' ran past the 5 s cell timeout"),
    "memory-bomb": ("memory", FULL_MARKS, "256 MB memory limit"),
    # Children that die free their slots, so the loop may spin on until the cell timeout.
    "fork-bomb": (("graded", "timeout"), FULL_MARKS, ""),
    # Printing 100 MB may also hit the kernel's 256 MB (it queues what it prints) or, on a
    # busy machine, the 5 s cell timeout; the output cap must show in the reason either way.
    "prints-100-mb": (("output_limit", "memory", "timeout"), FULL_MARKS, "more than 512 KB"),
    "calls-sys-exit": ("graded", FULL_MARKS, ""),
    "calls-os-exit": ("crashed", 0.0, "kernel died while running the cell starting 'import os'"),
    "kills-its-own-kernel": ("crashed", 0.0, "the kernel died"),
    "prints-fake-passed-lines": ("graded", 0.0, ""),
    "redefines-check-and-helpers": ("graded", 0.0, ""),
    "rebinds-parameters": ("graded", FULL_MARKS - 2, ""),
    "edited-test-and-setup-cells": ("graded", FULL_MARKS, ""),
    "deleted-test-cell": ("graded", FULL_MARKS, ""),
    "duplicated-cell-ids": ("graded", FULL_MARKS, ""),
    "invalid-json": ("invalid", 0.0, "not valid JSON"),
    "empty-file": ("invalid", 0.0, "the file is empty"),
    "nbformat-3": ("invalid", 0.0, "nbformat 3"),
    "not-a-notebook": ("invalid", 0.0, "not a notebook"),
    "fifty-mb-notebook": ("invalid", 0.0, "too large (50.0 MB"),
    "reads-instructor-files": ("graded", FULL_MARKS, ""),
    "writes-outside-its-folder": ("graded", FULL_MARKS, ""),
    # Forgeries on the untouched exercise (tests/forgeries.py): each earns nothing, and those
    # that make the grader's cells run as `pass` or report success are caught by a canary.
    **{forgery: ("tampered", 0.0, "the kernel lied to the grader (canary test_")
       for forgery in FORGERIES},
    # These two only change how errors are shown; the replies still say error, so nothing lies.
    "forges-custom-exception-handler": ("graded", 0.0, ""),
    "forges-assertion-error": ("graded", 0.0, ""),
}
CLEAN = {"clean solution": "solved", "Ana María López": "solved", "学生 42": "solved"}


@pytest.fixture(scope="module")
def batch(tmp_path_factory: pytest.TempPathFactory):
    tmp = tmp_path_factory.mktemp("hostile")
    fixtures = {case: case for case in EXPECTED if case != "fifty-mb-notebook"}
    folder = submission_folder(tmp / "in", {**fixtures, **CLEAN})
    (folder / "fifty-mb-notebook").mkdir()
    with (folder / "fifty-mb-notebook" / EXERCISE_NAME).open("wb") as handle:
        handle.write(b'{"cells": [], "padding": "')
        handle.truncate(50 * 1024**2)
    started = time.monotonic()
    result = grade_lesson("00", folder, tmp / "gradebook.db", root=GRADING_COURSE)
    seconds = time.monotonic() - started
    with Gradebook(tmp / "gradebook.db") as gradebook:
        stored = {grade.student_id: grade for grade in gradebook.grades("00")}
    return result, stored, seconds


@pytest.mark.parametrize("case", EXPECTED)
def test_hostile_case_gets_its_status_score_and_reason(batch, case: str) -> None:
    _, stored, _ = batch
    status, score, reason = EXPECTED[case]
    grade = stored[case]
    assert grade.status in (status if isinstance(status, tuple) else (status,)), grade.reason
    assert grade.score == score, grade.reason
    assert reason in grade.reason
    assert grade.reason.count(". ") == 0  # one sentence


@pytest.mark.parametrize("student", CLEAN)
def test_clean_solutions_in_the_same_batch_keep_full_marks(batch, student: str) -> None:
    _, stored, _ = batch
    assert (stored[student].status, stored[student].score) == ("graded", FULL_MARKS)


def test_batch_is_bounded_in_time_and_leaves_no_kernel_behind(batch) -> None:
    _, _, seconds = batch
    assert seconds < 120
    # The batch ran in this process, whose kernels got the uids kernel_uid() derives from
    # its pid (other test workers may have live kernels of their own).
    ours = range(KERNEL_UID_BASE + (os.getpid() % 4_000_000) * KERNELS_PER_PROCESS,
                 KERNEL_UID_BASE + (os.getpid() % 4_000_000 + 1) * KERNELS_PER_PROCESS)  # fmt: skip
    leftover = subprocess.run(["ps", "-eo", "uid="], capture_output=True, text=True).stdout
    assert not [uid for uid in leftover.split() if int(uid) in ours]


def test_repairs_and_restorations_are_recorded(batch) -> None:
    _, stored, _ = batch
    assert stored["deleted-test-cell"].notes == [
        "the tests cell of q2 (id 'q2-tests') was deleted; re-inserted from the exercise"
    ]
    assert len(stored["edited-test-and-setup-cells"].notes) == 2
    assert "renumbered" in stored["duplicated-cell-ids"].notes[0]


@needs_sandbox
def test_sandbox_was_on_for_every_kernel(batch) -> None:
    result, stored, _ = batch
    assert result.sandbox_warning == ""
    assert all(g.sandboxed for g in stored.values() if g.status != "invalid")


@needs_sandbox
def test_nothing_was_written_outside_the_kernel_folder(batch) -> None:
    import mlops_course

    assert not (Path(mlops_course.__file__).parent / "planted.py").exists()
    assert not Path("/etc/planted").exists() and not Path("/root/planted").exists()


def test_zip_export_with_climbing_paths_grades_the_rest(tmp_path: Path) -> None:
    archive = tmp_path / "export.zip"
    solved = (SUBMISSIONS / "solved.ipynb").read_bytes()
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr(f"course-export/Zoë Ng/{EXERCISE_NAME}", solved)
        zipped.writestr(f"course-export/../../escaped/{EXERCISE_NAME}", solved)
    result = grade_lesson("00", archive, tmp_path / "gradebook.db", root=GRADING_COURSE)
    grades = {grade.student_id: grade for grade in result.graded}
    assert (grades["Zoë Ng"].status, grades["Zoë Ng"].score) == ("graded", FULL_MARKS)
    climbing = grades[f"course-export/../../escaped/{EXERCISE_NAME}"]
    assert climbing.status == "invalid" and "points outside the archive" in climbing.reason
    assert not (tmp_path.parent / "escaped").exists()
