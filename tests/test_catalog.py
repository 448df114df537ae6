"""The course catalog: its fifteen lessons, lookups, and one-sentence errors when malformed."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from mlops_course.classroom.catalog import CatalogError, UnknownLesson, load_catalog

FIXTURES = Path(__file__).parent / "fixtures"
REPOSITORY = Path(__file__).resolve().parents[1]

SLUGS = [
    "00-mlops-lifecycle", "01-data-validation", "02-version-everything",
    "03-experiment-tracking", "04-metrics-and-baselines", "05-pipelines",
    "06-automated-testing", "07-ci-cd", "08-continuous-training", "09-continuous-monitoring",
    "10-hybrid-teams", "11-readable-code", "12-documentation", "13-capstone",
    "14-trustworthy-ml",
]  # fmt: skip


def test_catalog_lists_the_fifteen_lessons_with_their_slugs_and_files(course_copy: Path) -> None:
    course = load_catalog()
    assert [lesson.slug for lesson in course.lessons] == SLUGS
    assert [lesson.id for lesson in course.lessons] == [slug[:2] for slug in SLUGS]
    for lesson in course.lessons:
        assert lesson.notebook == course_copy / "notebooks" / f"{lesson.slug}.ipynb"
        assert lesson.solution == course_copy / "solutions" / f"{lesson.slug}.ipynb"
        assert lesson.exercise == course_copy / "exercises" / f"{lesson.slug}.ipynb"
        assert lesson.practice.endswith(".") and lesson.points > 0


def test_written_lessons_ship_all_three_notebooks() -> None:
    # The real repository, not a copy: a lesson marked written must have its walkthrough,
    # its solution and its generated exercise on disk.
    course = load_catalog(REPOSITORY)
    assert "00" in [lesson.id for lesson in course.written()]
    assert {lesson.status for lesson in course.lessons} <= {"written", "planned"}
    for lesson in course.written():
        for notebook in (lesson.notebook, lesson.solution, lesson.exercise):
            assert notebook.is_file(), f"lesson {lesson.id} is written but {notebook} is missing"


def test_grading_parameters_draw_another_world_than_the_defaults(course_copy: Path) -> None:
    for lesson in load_catalog().lessons:
        # Grading may set more than a run does (an exercise may declare its own parameters,
        # e.g. another fault scenario), but never fewer: every default must be overridable.
        assert lesson.grading_parameters.keys() >= lesson.parameters.keys()
        assert lesson.grading_parameters["seed"] != lesson.parameters["seed"]


def test_lesson_00_runs_with_the_documented_defaults(course_copy: Path) -> None:
    lesson = load_catalog().lesson("00")
    assert lesson.parameters == {"seed": 42, "days": 180, "orders_per_day": 300}
    assert lesson.grading_parameters["seed"] == 7


@pytest.mark.parametrize("key", ["03", "3", "03-experiment-tracking"])
def test_lesson_lookup_accepts_id_short_id_and_slug(course_copy: Path, key: str) -> None:
    assert load_catalog().lesson(key).slug == "03-experiment-tracking"


def test_unknown_lesson_names_the_catalog_and_the_known_ids(course_copy: Path) -> None:
    with pytest.raises(UnknownLesson) as raised:
        load_catalog().lesson("42")
    assert str(raised.value) == (
        "no lesson '42' in course/course.toml; known lessons are 00–14 (see mlops-course list)"
    )


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("lesson-missing-practice", "lesson 2 (id '01') in course/course.toml has no 'practice'"),
        ("duplicate-id", "course/course.toml lists lesson id '00' twice"),
        ("written-notebook-missing", "notebooks/00-intro.ipynb does not exist"),
        ("unknown-status", "has status 'done'; use 'written' or 'planned'"),
        ("points-not-a-number", "has points = 'ten'; it must be a whole number"),
        ("not-toml", "course/course.toml is not valid TOML"),
        ("no-lessons", "course/course.toml lists no lessons"),
    ],
)
def test_malformed_catalog_gives_one_sentence(tmp_course: Path, case: str, expected: str) -> None:
    shutil.copy(FIXTURES / "catalogs" / f"{case}.toml", tmp_course / "course" / "course.toml")
    with pytest.raises(CatalogError) as raised:
        load_catalog()
    message = str(raised.value)
    assert expected in message
    assert "\n" not in message and message.count("; ") >= 1


def test_lesson_00s_course_map_links_every_written_lesson_and_no_planned_one() -> None:
    """The map in lesson 00 lists all fifteen lessons; a link to an unwritten one is dead."""
    import json
    import re

    course = load_catalog(REPOSITORY)
    cells = json.loads(course.lesson("00").notebook.read_text())["cells"]
    [course_map] = ["".join(cell["source"]) for cell in cells
                    if "".join(cell["source"]).startswith("## Map of the course")]  # fmt: skip
    linked = set(re.findall(r"\]\(([\w-]+)\.ipynb\)", course_map))
    assert linked == {lesson.slug for lesson in course.written()}, (
        "lesson 00's map of the course must link exactly the written lessons; mark the "
        "others *(planned)*"
    )
    for lesson in course.lessons:
        assert re.search(rf"\| \[?{lesson.id} ", course_map), f"the map lacks lesson {lesson.id}"
