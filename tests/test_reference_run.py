"""The reference run: the solution graded like a submission, once per batch, and cached.

It is also the author's last check: a solution that fails its own test under the grading
parameters, or a hidden test whose observations anyone could send, stops the batch before
any student is graded.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from grading_helpers import GRADING_COURSE, submission_folder

from mlops_course.classroom.grading.batch import grade_lesson
from mlops_course.classroom.grading.reference import ReferenceRunError

SOLUTION = Path("solutions") / "00-parcel-delays.ipynb"


def course_with(tmp_path: Path, old: str, new: str) -> Path:
    """The fixture grading course with one text of its solution replaced."""
    course = tmp_path / "course-root"
    shutil.copytree(GRADING_COURSE, course)
    text = (course / SOLUTION).read_text()
    assert text.count(json.dumps(old)[1:-1]) == 1, old
    (course / SOLUTION).write_text(text.replace(json.dumps(old)[1:-1], json.dumps(new)[1:-1]))
    return course


def test_the_reference_runs_once_and_a_rerun_takes_it_from_the_gradebook(tmp_path: Path) -> None:
    folder = submission_folder(tmp_path / "in", {"ana": "solved"})
    first = grade_lesson("00", folder, tmp_path / "grades.db", root=GRADING_COURSE)
    more = submission_folder(tmp_path / "in", {"ben": "wrong-q1"})
    lines: list[str] = []
    again = grade_lesson("00", more, tmp_path / "grades.db", root=GRADING_COURSE,
                         progress=lines.append)  # fmt: skip
    assert first.reference_seconds is not None and again.reference_seconds is None
    assert any("from the gradebook" in line for line in lines)
    assert [g.score for g in again.graded] == [3.0]


def test_a_changed_solution_is_run_again(tmp_path: Path) -> None:
    folder = submission_folder(tmp_path / "in", {"ana": "solved"})
    grade_lesson("00", folder, tmp_path / "grades.db", root=GRADING_COURSE)
    course = course_with(tmp_path, "**q1.** Set", "**q1.** Now set")
    again = grade_lesson("00", submission_folder(tmp_path / "more", {"ben": "solved"}),
                         tmp_path / "grades.db", root=course)  # fmt: skip
    assert again.reference_seconds is not None


@pytest.mark.parametrize(
    ("old", "new", "words"),
    [
        ("return total_days / len(values)", "return total_days / len(values) + 1",
         "fails its own test test_mean_delay_of_two_values"),
        ('observe(late_share, "late_share", ', 'observe(late_share == late_share, "late_share", ',
         "observes only True or None, which anyone can send"),
        ('observe(mean_delay([4, 0, 5]), "mean_delay([4, 0, 5])")',
         'observe(mean_delay([4, 0, 5]), "mean_delay of this world\'s delays")',
         "observes mean_delay of this world's delays more than once"),
    ],
)  # fmt: skip
def test_a_solution_that_breaks_an_authoring_rule_stops_the_batch(tmp_path, old, new, words):
    course = course_with(tmp_path, old, new)
    folder = submission_folder(tmp_path / "in", {"ana": "solved"})
    with pytest.raises(ReferenceRunError) as refused:
        grade_lesson("00", folder, tmp_path / "grades.db", root=course)
    message = str(refused.value)
    assert words in message and "00-parcel-delays.ipynb" in message and "\n" not in message
