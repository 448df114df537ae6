"""Shared by the grading tests: the fixture course and its submission notebooks."""

from __future__ import annotations

import shutil
from pathlib import Path

FIXTURES = Path(__file__).parent / "fixtures"
GRADING_COURSE = FIXTURES / "grading-course"
SUBMISSIONS = FIXTURES / "submissions"
EXERCISE_NAME = "00-parcel-delays.ipynb"
FULL_MARKS = 5.0


def submission_folder(target: Path, students: dict[str, str]) -> Path:
    """A SUBMISSIONS folder: one `<student id>/<exercise file>` per {student id: fixture name}."""
    target.mkdir(parents=True, exist_ok=True)
    for student_id, fixture in students.items():
        (target / student_id).mkdir()
        shutil.copyfile(SUBMISSIONS / f"{fixture}.ipynb", target / student_id / EXERCISE_NAME)
    return target
