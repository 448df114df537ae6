"""What the lessons' round trips grade together, checked without grading anything."""

from __future__ import annotations

from forgeries import MEASURED
from lesson_round_trip import FORGERIES_PER_LESSON, REPOSITORY, forgeries_for

from mlops_course.classroom.catalog import load_catalog


def test_the_written_lessons_together_grade_every_measured_forgery() -> None:
    written = [lesson.id for lesson in load_catalog(REPOSITORY).written()]
    graded = {forgery for lesson in written for forgery in forgeries_for(lesson)}
    assert graded == set(MEASURED), f"no round trip grades {sorted(set(MEASURED) - graded)}"


def test_each_lesson_grades_its_own_share_of_the_measured_forgeries() -> None:
    for lesson in load_catalog(REPOSITORY).lessons:
        graded = forgeries_for(lesson.id)
        assert len(set(graded)) == FORGERIES_PER_LESSON and set(graded) <= set(MEASURED), (
            lesson.id, graded)  # fmt: skip
