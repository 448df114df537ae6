"""What `mlops-course grade` refuses before a batch starts, in one sentence each."""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from grading_helpers import GRADING_COURSE, submission_folder

from mlops_course.classroom.grading.batch import GradingSetupError, grade_lesson

REPOSITORY = Path(__file__).resolve().parents[1]


def test_a_planned_lesson_is_not_written_yet(course_copy: Path, tmp_path: Path) -> None:
    # The real catalog, with its last lesson set back to planned: every lesson is written now.
    catalog = course_copy / "course" / "course.toml"
    before, last = catalog.read_text().rsplit('id = "14"', 1)
    assert 'status = "written"' in last
    planned = last.replace('status = "written"', 'status = "planned"', 1)
    catalog.write_text(before + 'id = "14"' + planned)  # the copy holds no solutions at all
    result = subprocess.run(
        [sys.executable, "-m", "mlops_course.classroom.cli", "grade", "14", str(tmp_path),
         "--gradebook", str(tmp_path / "grades.db")],
        capture_output=True, text=True, cwd=course_copy,
    )  # fmt: skip
    assert result.returncode != 0
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("mlops-course: error: lesson 14 (14-"), line
    assert "not written yet" in line
    assert "mlops-course list" in line
    assert not (tmp_path / "grades.db").exists()


def test_a_missing_jupyter_kernel_is_refused_before_any_submission(tmp_path: Path) -> None:
    course = tmp_path / "course-root"
    shutil.copytree(GRADING_COURSE, course)
    catalog = course / "course" / "course.toml"
    catalog.write_text(catalog.read_text().replace('kernel = "mlops-course"',
                                                   'kernel = "no-such-kernel"'))  # fmt: skip
    folder = submission_folder(tmp_path / "in", {"ana": "solved"})
    with pytest.raises(GradingSetupError) as refused:
        grade_lesson("00", folder, tmp_path / "grades.db", root=course)
    message = str(refused.value)
    assert "kernel 'no-such-kernel'" in message and "is not installed" in message
    assert "ipykernel install" in message and "\n" not in message
    assert not (tmp_path / "grades.db").exists()


def test_the_batch_output_names_what_it_passed_over_and_whom_to_review(tmp_path: Path) -> None:
    folder = submission_folder(tmp_path / "in", {"ana": "solved", "ben": "forges-run-cell",
                                                 ".ipynb_checkpoints": "solved"})  # fmt: skip
    result = subprocess.run(
        [sys.executable, "-m", "mlops_course.classroom.cli", "grade", "00", str(folder),
         "--gradebook", str(tmp_path / "grades.db"), "--csv", str(tmp_path / "grades.csv")],
        capture_output=True, text=True,
        env={**os.environ, "MLOPS_COURSE_ROOT": str(GRADING_COURSE)},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "passed over '.ipynb_checkpoints': a hidden name" in result.stdout
    assert "tampered                 1" in result.stdout
    assert "review 'ben': the kernel lied to the grader (canary test_" in result.stdout
    assert "Warning" not in result.stderr and "warn" not in result.stderr.lower()
    with (tmp_path / "grades.csv").open() as handle:
        rows = {row["student_id"]: row for row in csv.DictReader(handle)}
    assert rows["ben"]["status"] == "tampered" and rows["ben"]["score"] == "0.0"
    assert rows["ben"]["reason"].startswith("the kernel lied to the grader")
