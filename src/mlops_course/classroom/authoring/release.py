"""The student bundle: what students get, and nothing of what only instructors may see.

The bundle is built from an allow-list, never by copying the repository and deleting:
a folder someone adds later (solutions/, tests/, course/instructor/ and whatever comes
next) stays out until it is listed here on purpose. The bundle's README.md is the one
written for students, `course/student-README.md`, not the repository's, which speaks to
instructors (assign, grade, solutions) and names commands that cannot work in the bundle.
The exercises in it are the committed ones, and `release` refuses to run while any of
them is out of sync with its solution, so a hand-edited exercise cannot ship a solution.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from mlops_course.classroom.authoring.assign import check_assignments
from mlops_course.classroom.errors import CourseError
from mlops_course.paths import course_root

REQUIRED_FILES = ("README.md", "Makefile", "pyproject.toml")
OPTIONAL_FILES = (".gitignore",)
FOLDERS = ("requirements", "course", "notebooks", "exercises", "src")
INSTRUCTOR_ONLY = (Path("course") / "instructor",)
STUDENT_README = Path("course") / "student-README.md"
# Build and editor leftovers that are nobody's business in a student's copy.
LEFTOVERS = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info", ".ipynb_checkpoints")


class ReleaseError(CourseError):
    """The bundle cannot be written: a bad destination, a stale exercise, a missing file."""


def release(dest: str | os.PathLike[str], root: Path | None = None) -> list[Path]:
    """Write the student bundle into `dest` (new or empty, outside the repository).

    Returns the files written, relative to `dest`.
    """
    root = Path(root).resolve() if root is not None else course_root()
    dest = Path(dest).expanduser().resolve()
    _check_destination(dest, root)
    _check_sources(root)
    out_of_sync = check_assignments(root)
    if out_of_sync:
        raise ReleaseError(
            f"the exercises of lesson {', '.join(out_of_sync)} are out of sync with their "
            "solutions; run `mlops-course assign` and commit the exercises first."
        )
    dest.mkdir(parents=True, exist_ok=True)
    for name in (*REQUIRED_FILES, *OPTIONAL_FILES):
        if (root / name).is_file():
            shutil.copy2(root / name, dest / name)
    if (root / STUDENT_README).is_file():
        shutil.copy2(root / STUDENT_README, dest / "README.md")
    for folder in FOLDERS:
        if (root / folder).is_dir():
            shutil.copytree(root / folder, dest / folder, ignore=_left_out(root))
    return sorted(path.relative_to(dest) for path in dest.rglob("*") if path.is_file())


def _check_destination(dest: Path, root: Path) -> None:
    if dest.is_relative_to(root):
        raise ReleaseError(
            f"release destination {dest} is inside the course repository {root}; choose a "
            "folder outside it, so the bundle can never pick up solutions."
        )
    if dest.exists() and (not dest.is_dir() or any(dest.iterdir())):
        raise ReleaseError(
            f"release destination {dest} is not an empty folder; choose a new or empty folder."
        )


def _check_sources(root: Path) -> None:
    missing = [name for name in REQUIRED_FILES if not (root / name).is_file()]
    missing += [] if (root / "src").is_dir() else ["src/"]
    if missing:
        raise ReleaseError(
            f"the course root {root} lacks {', '.join(missing)}; the student bundle needs "
            "them to install and run the course."
        )


def _left_out(root: Path):
    """A copytree `ignore` callable: leftovers, symbolic links and instructor-only folders."""

    def ignore(folder: str, names: list[str]) -> set[str]:
        here = Path(folder)
        skipped = set(LEFTOVERS(folder, names))
        for name in names:
            path = here / name
            if path.is_symlink() or path.relative_to(root) in INSTRUCTOR_ONLY:
                skipped.add(name)
        return skipped

    return ignore
