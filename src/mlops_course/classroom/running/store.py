"""Store a walkthrough with fresh outputs: executed statically, cleaned, written only on success.

`store_notebook` executes a copy of the notebook through `execute()` (IPC kernel,
MLOPS_COURSE_STATIC=1, the notebook's own folder as working directory) with the notebook's
own default parameters, removes what the run adds besides outputs (CLEANING_STEPS), and
replaces the committed file only if the run succeeded and the result is clean by
`store_check`. Storing twice gives the same bytes, so a re-stored notebook shows a diff
only where an output really changed.
"""

from __future__ import annotations

import copy
import dataclasses
import os
import tempfile
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import nbformat

from mlops_course.classroom.catalog import Lesson, load_catalog
from mlops_course.classroom.errors import CourseError
from mlops_course.classroom.running.execute import (
    DEFAULT_KERNEL,
    DEFAULT_TIMEOUT_PER_CELL,
    INJECTED_TAG,
    CellFailure,
    NotebookNotFound,
    execute,
)
from mlops_course.classroom.running.store_check import (
    Problem,
    cell_tags,
    notebook_problems,
    select_lessons,
    structure_problems,
)
from mlops_course.classroom.text import display_path
from mlops_course.paths import ROOT_ENV


class NotStorable(CourseError):
    """The notebook cannot be stored as written (wrong kernel, no parameters cell, ...)."""


@dataclass(frozen=True)
class StoreResult:
    """What storing one notebook did. When `ok` is False the committed file is untouched."""

    notebook: Path
    changed: bool
    duration: float
    error: CellFailure | None = None
    problems: tuple[Problem, ...] = ()

    @property
    def ok(self) -> bool:
        return self.error is None and not self.problems


# --- cleaning: each step removes one kind of run metadata, in place ---------------------


def drop_injected_parameters(notebook: nbformat.NotebookNode) -> None:
    """Remove papermill's injected-parameters cell: a stored notebook shows its own defaults."""
    notebook.cells = [cell for cell in notebook.cells if INJECTED_TAG not in cell_tags(cell)]


def strip_papermill_metadata(notebook: nbformat.NotebookNode) -> None:
    """Remove `metadata.papermill` (paths, times, parameters) from the notebook and its cells."""
    notebook.metadata.pop("papermill", None)
    for cell in notebook.cells:
        cell.metadata.pop("papermill", None)


def strip_execution_timings(notebook: nbformat.NotebookNode) -> None:
    """Remove nbclient's per-cell `metadata.execution` timestamps."""
    for cell in notebook.cells:
        cell.metadata.pop("execution", None)


def strip_widget_state(notebook: nbformat.NotebookNode) -> None:
    """Remove `metadata.widgets`: random model ids of widgets a static run never displays."""
    notebook.metadata.pop("widgets", None)


def drop_empty_tags(notebook: nbformat.NotebookNode) -> None:
    """Remove the `tags: []` papermill gives every cell it loads, leaving the author's tags."""
    for cell in notebook.cells:
        if cell.metadata.get("tags") == []:
            del cell.metadata["tags"]


CLEANING_STEPS: tuple[Callable[[nbformat.NotebookNode], None], ...] = (
    drop_injected_parameters,
    strip_papermill_metadata,
    strip_execution_timings,
    strip_widget_state,
    drop_empty_tags,
)


def clean(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Return a copy of `notebook` with every CLEANING_STEP applied."""
    cleaned = copy.deepcopy(notebook)
    for step in CLEANING_STEPS:
        step(cleaned)
    return cleaned


def render(notebook: nbformat.NotebookNode) -> str:
    """The file content: nbformat's JSON (sorted keys, indent 1, as JupyterLab saves) + newline."""
    return nbformat.writes(notebook) + "\n"


# --- storing ----------------------------------------------------------------------------


def store_notebook(
    notebook: str | Path,
    cwd: str | Path | None = None,
    env_extra: Mapping[str, str] | None = None,
    kernel_name: str = DEFAULT_KERNEL,
    timeout_per_cell: float = DEFAULT_TIMEOUT_PER_CELL,
) -> StoreResult:
    """Re-execute `notebook` with its default parameters and replace it with the cleaned run.

    A run that fails, or that leaves a notebook `store_check` rejects, leaves the file as
    it was and says why in the result. Raises NotStorable, before executing anything, for
    a notebook on another kernel or without a `parameters` cell.
    """
    notebook = Path(notebook).resolve()
    source = read_storable(notebook, kernel_name)
    # The injected cell is dropped before the run too: the outputs must be the defaults'.
    kept_cells = [
        index for index, cell in enumerate(source.cells) if INJECTED_TAG not in cell_tags(cell)
    ]
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="mlops-store-") as folder:
        unexecuted = Path(folder) / "unexecuted" / notebook.name
        executed = Path(folder) / "executed" / notebook.name
        unexecuted.parent.mkdir()
        unexecuted.write_text(render(clean(source)), encoding="utf-8")
        result = execute(
            unexecuted,
            executed,
            cwd=cwd if cwd is not None else notebook.parent,
            env_extra=env_extra,
            kernel_name=kernel_name,
            timeout_per_cell=timeout_per_cell,
        )
        if not result.ok:
            error = result.error
            if error is not None and error.cell_index is not None:
                error = dataclasses.replace(error, cell_index=kept_cells[error.cell_index])
            return StoreResult(notebook, False, time.perf_counter() - started, error=error)
        stored = clean(nbformat.read(executed, as_version=4))
    duration = time.perf_counter() - started
    problems = notebook_problems(stored, kernel_name)
    if problems:
        return StoreResult(notebook, False, duration, problems=tuple(problems))
    return StoreResult(notebook, _replace(notebook, render(stored)), duration)


def read_storable(notebook: Path, kernel_name: str = DEFAULT_KERNEL) -> nbformat.NotebookNode:
    """Read `notebook`, refusing one that no run can store clean (NotStorable)."""
    try:
        source = nbformat.read(notebook, as_version=4)
    except FileNotFoundError:
        raise NotebookNotFound(f"notebook {notebook} does not exist; check the path.") from None
    except (OSError, ValueError) as error:
        raise NotStorable(
            f"{display_path(notebook)} cannot be read as a notebook ({error}); repair or "
            "restore the file."
        ) from None
    problems = structure_problems(source, kernel_name)
    if problems:
        reasons = "; it also ".join(f"{problem.what}: {problem.fix}" for problem in problems)
        raise NotStorable(f"{display_path(notebook)} cannot be stored, it {reasons}.")
    return source


def store_lessons(
    lesson_ids: Iterable[str] | None = None,
    on_finished: Callable[[Lesson, StoreResult], None] | None = None,
) -> list[tuple[Lesson, StoreResult]]:
    """Store the walkthroughs of `lesson_ids` (default: every written lesson), one by one.

    Every selected notebook is read and checked before the first one runs, so a bad one
    stops the command before it spends minutes on the others. A failing run does not stop
    the next lesson. `on_finished(lesson, result)` is called as each one finishes.
    """
    course = load_catalog()
    lessons = select_lessons(course, lesson_ids)
    for lesson in lessons:
        read_storable(lesson.notebook, course.kernel)
    stored = []
    for lesson in lessons:
        result = store_notebook(
            lesson.notebook,
            env_extra={ROOT_ENV: str(course.root)},
            kernel_name=course.kernel,
        )
        stored.append((lesson, result))
        if on_finished is not None:
            on_finished(lesson, result)
    return stored


def _replace(notebook: Path, text: str) -> bool:
    """Write `text` over `notebook` atomically, unless it holds it already; True if written."""
    content = text.encode("utf-8")
    if notebook.read_bytes() == content:
        return False
    # A sibling temporary file and one rename: a reader never sees half a notebook.
    handle, temporary = tempfile.mkstemp(dir=notebook.parent, prefix=f".{notebook.name}.")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(content)
        os.chmod(temporary, notebook.stat().st_mode)
        os.replace(temporary, notebook)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return True
