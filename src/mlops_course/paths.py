"""Where the course lives on disk: its root folder and the git-ignored `runs/` folder.

Notebooks run with their own folder as cwd (papermill, nbval, JupyterLab), so the root
is found by walking up from cwd to the folder holding `course/course.toml`.
"""

from __future__ import annotations

import os
from pathlib import Path

ROOT_ENV = "MLOPS_COURSE_ROOT"
CATALOG_RELATIVE_PATH = Path("course") / "course.toml"


class CourseRootNotFound(RuntimeError):
    """Raised when no folder above cwd holds course/course.toml."""


def course_root(start: str | os.PathLike[str] | None = None) -> Path:
    """Return the course's root folder.

    `MLOPS_COURSE_ROOT` wins when set; otherwise the nearest folder at or above `start`
    (default: cwd) that holds `course/course.toml`.
    """
    override = os.environ.get(ROOT_ENV)
    if override:
        root = Path(override).expanduser().resolve()
        if not (root / CATALOG_RELATIVE_PATH).is_file():
            raise CourseRootNotFound(
                f"{ROOT_ENV}={override} has no {CATALOG_RELATIVE_PATH}; "
                "point it at the course's root folder or unset it."
            )
        return root
    here = Path(start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / CATALOG_RELATIVE_PATH).is_file():
            return folder
    raise CourseRootNotFound(
        f"No {CATALOG_RELATIVE_PATH} found in {here} or any folder above it; "
        f"run from inside the course folder or set {ROOT_ENV}."
    )


def runs_dir(root: Path | None = None) -> Path:
    """Return (and create) the git-ignored folder for course runs and the MLflow store."""
    folder = (root or course_root()) / "runs"
    folder.mkdir(parents=True, exist_ok=True)
    return folder
