"""The course catalog, `course/course.toml`: every lesson, its files, parameters and points."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mlops_course.classroom.errors import CourseError
from mlops_course.paths import CATALOG_RELATIVE_PATH, course_root

STATUSES = ("written", "planned")
TEXT_KEYS = ("id", "slug", "title", "practice", "status", "notebook", "solution", "exercise")
REQUIRED_KEYS = (*TEXT_KEYS, "points")
PARAMETER_TABLES = ("parameters", "grading_parameters")
DEFAULT_KERNEL = "mlops-course"


class CatalogError(CourseError):
    """course/course.toml is malformed or disagrees with the files on disk."""


class UnknownLesson(CourseError):
    """A lesson id or slug that the catalog does not list."""


@dataclass(frozen=True)
class Lesson:
    """One lesson: one best practice, three notebooks sharing one slug."""

    id: str
    slug: str
    title: str
    practice: str
    status: str
    notebook: Path
    solution: Path
    exercise: Path
    points: int
    parameters: dict[str, Any] = field(default_factory=dict, hash=False)
    grading_parameters: dict[str, Any] = field(default_factory=dict, hash=False)

    @property
    def is_written(self) -> bool:
        return self.status == "written"


@dataclass(frozen=True)
class Course:
    """The catalog as loaded: the course root, its kernel and its lessons in id order."""

    root: Path
    title: str
    kernel: str
    lessons: tuple[Lesson, ...]

    def lesson(self, key: str) -> Lesson:
        """Return the lesson with id `key` ("00", or "0") or slug `key`."""
        wanted = key.zfill(2) if key.isdigit() else key
        for lesson in self.lessons:
            if wanted in (lesson.id, lesson.slug):
                return lesson
        raise UnknownLesson(
            f"no lesson '{key}' in {CATALOG_RELATIVE_PATH}; known lessons are "
            f"{self._known_ids()} (see mlops-course list)"
        )

    def written(self) -> tuple[Lesson, ...]:
        """Return the lessons whose notebooks exist and run."""
        return tuple(lesson for lesson in self.lessons if lesson.is_written)

    def relative(self, path: Path) -> str:
        """Show a course file as the catalog writes it: relative to the course root."""
        return str(path.relative_to(self.root)) if path.is_relative_to(self.root) else str(path)

    def _known_ids(self) -> str:
        ids = [lesson.id for lesson in self.lessons]
        if not ids:
            return "none"
        numbers = [int(lesson_id) for lesson_id in ids]
        if len(ids) > 2 and numbers == list(range(numbers[0], numbers[-1] + 1)):
            return f"{ids[0]}–{ids[-1]}"
        return ", ".join(ids)


def load_catalog(root: Path | None = None) -> Course:
    """Read and check `course/course.toml` under `root` (default: the course root)."""
    root = Path(root) if root is not None else course_root()
    document = _read_toml(root / CATALOG_RELATIVE_PATH)
    header = document.get("course", {})
    entries = document.get("lessons")
    if not isinstance(entries, list) or not entries:
        raise CatalogError(
            f"{CATALOG_RELATIVE_PATH} lists no lessons; add a [[lessons]] table for each."
        )
    lessons = tuple(_lesson(entry, position, root) for position, entry in enumerate(entries, 1))
    _check_unique(lessons)
    course = Course(
        root=root,
        title=str(header.get("title", "")),
        kernel=str(header.get("kernel", DEFAULT_KERNEL)),
        lessons=tuple(sorted(lessons, key=lambda lesson: lesson.id)),
    )
    _check_written_notebooks_exist(course)
    return course


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as file:
            return tomllib.load(file)
    except FileNotFoundError:
        raise CatalogError(f"{path} does not exist; the course root needs its catalog.") from None
    except tomllib.TOMLDecodeError as error:
        raise CatalogError(
            f"{CATALOG_RELATIVE_PATH} is not valid TOML ({error}); fix the syntax there."
        ) from None


def _lesson(entry: Any, position: int, root: Path) -> Lesson:
    _check_entry(entry, position)
    return Lesson(
        id=entry["id"],
        slug=entry["slug"],
        title=entry["title"],
        practice=entry["practice"],
        status=entry["status"],
        notebook=root / entry["notebook"],
        solution=root / entry["solution"],
        exercise=root / entry["exercise"],
        points=entry["points"],
        parameters=dict(entry.get("parameters", {})),
        grading_parameters=dict(entry.get("grading_parameters", {})),
    )


def _check_entry(entry: Any, position: int) -> None:
    """Raise CatalogError naming the lesson and the key if a [[lessons]] table is malformed."""
    where = f"lesson {position} in {CATALOG_RELATIVE_PATH}"
    if not isinstance(entry, dict):
        raise CatalogError(f"{where} is {entry!r}; write each lesson as a [[lessons]] table.")
    if "id" in entry:
        where = f"lesson {position} (id '{entry['id']}') in {CATALOG_RELATIVE_PATH}"
    for key in REQUIRED_KEYS:
        if key not in entry:
            raise CatalogError(
                f"{where} has no '{key}'; every lesson needs {', '.join(REQUIRED_KEYS)}."
            )
    for key in TEXT_KEYS:
        if not isinstance(entry[key], str) or not entry[key]:
            raise CatalogError(f"{where} has {key} = {entry[key]!r}; it must be a non-empty text.")
    points = entry["points"]
    if not isinstance(points, int) or isinstance(points, bool) or points < 0:
        raise CatalogError(f"{where} has points = {points!r}; it must be a whole number ≥ 0.")
    for table in PARAMETER_TABLES:
        if not isinstance(entry.get(table, {}), dict):
            raise CatalogError(
                f"{where} has {table} = {entry[table]!r}; make it [lessons.{table}]."
            )
    lesson_id, slug, status = entry["id"], entry["slug"], entry["status"]
    if not (len(lesson_id) == 2 and lesson_id.isdigit()):
        raise CatalogError(f"{where} has id '{lesson_id}'; ids are two digits, like '03'.")
    if not slug.startswith(f"{lesson_id}-"):
        raise CatalogError(f"{where} has slug '{slug}'; it must start with '{lesson_id}-'.")
    if status not in STATUSES:
        raise CatalogError(f"{where} has status '{status}'; use 'written' or 'planned'.")


def _check_unique(lessons: tuple[Lesson, ...]) -> None:
    for attribute in ("id", "slug"):
        seen: set[str] = set()
        for lesson in lessons:
            value = getattr(lesson, attribute)
            if value in seen:
                raise CatalogError(
                    f"{CATALOG_RELATIVE_PATH} lists lesson {attribute} '{value}' twice; "
                    f"give each lesson its own {attribute}."
                )
            seen.add(value)


def _check_written_notebooks_exist(course: Course) -> None:
    for lesson in course.written():
        if not lesson.notebook.is_file():
            raise CatalogError(
                f"lesson '{lesson.id}' is written in {CATALOG_RELATIVE_PATH} but its notebook "
                f"{course.relative(lesson.notebook)} does not exist; add the notebook or set "
                'status = "planned".'
            )
