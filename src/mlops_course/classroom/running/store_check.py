"""What a committed walkthrough with outputs must look like, checked without executing it.

A walkthrough (notebooks/NN-slug.ipynb) is committed WITH outputs so that nbval can
compare them with a fresh run. It is "stored clean" when it holds what one top-to-bottom
static run wrote and nothing else: every code cell has its execution count, in order; no
papermill or nbclient run metadata (times change on every run, so every store would be a
diff); no ipywidgets state (random model ids that no static run displays). It must also be
runnable the way papermill, nbval and grading run it: on the course's kernel, with a cell
tagged `parameters`. Whether the outputs still reproduce is nbval's job, not this one.

Checks come in two groups. STRUCTURE_CHECKS look at what the author wrote, which storing
cannot fix; RUN_CHECKS look at what a run left behind, which `mlops-course store` fixes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import nbformat

from mlops_course.classroom.catalog import Course, Lesson, load_catalog
from mlops_course.classroom.errors import CourseError
from mlops_course.classroom.running.execute import DEFAULT_KERNEL, INJECTED_TAG, PARAMETERS_TAG

WIDGET_VIEW_MIME = "application/vnd.jupyter.widget-view+json"


class NotebookMissing(CourseError):
    """A lesson asked for by id has no notebook on disk."""


@dataclass(frozen=True)
class Problem:
    """One reason a stored notebook is not clean.

    `fix` is empty when storing the notebook again (`mlops-course store`) fixes it.
    """

    what: str  # a verb phrase whose subject is the notebook: "has no cell tagged ..."
    fix: str = ""


Check = Callable[[nbformat.NotebookNode, str], list[Problem]]


def notebook_problems(
    notebook: nbformat.NotebookNode, kernel: str = DEFAULT_KERNEL
) -> list[Problem]:
    """Return every reason `notebook` is not stored clean for a course on `kernel`."""
    return [
        problem for check in (*STRUCTURE_CHECKS, *RUN_CHECKS) for problem in check(notebook, kernel)
    ]


def structure_problems(
    notebook: nbformat.NotebookNode, kernel: str = DEFAULT_KERNEL
) -> list[Problem]:
    """Return the problems of what the author wrote, which no re-execution fixes."""
    return [problem for check in STRUCTURE_CHECKS for problem in check(notebook, kernel)]


def stored_notebook_problems(path: Path, kernel: str = DEFAULT_KERNEL) -> list[Problem]:
    """Read the notebook at `path` and return its problems (an unreadable file is one)."""
    try:
        notebook = nbformat.read(path, as_version=4)
    except (OSError, ValueError) as error:
        return [Problem(f"cannot be read as a notebook ({error})", "repair or restore the file")]
    return notebook_problems(notebook, kernel)


def check_stored(
    lesson_ids: Iterable[str] | None = None, root: Path | None = None
) -> dict[Lesson, list[Problem]]:
    """Check the committed walkthroughs of `lesson_ids` (default: every written lesson).

    Returns every checked lesson with its problems, an empty list for a clean one.
    """
    course = load_catalog(root)
    return {
        lesson: stored_notebook_problems(lesson.notebook, course.kernel)
        for lesson in select_lessons(course, lesson_ids)
    }


def select_lessons(course: Course, lesson_ids: Iterable[str] | None) -> list[Lesson]:
    """The lessons named by id or slug (default: every written one), each with its notebook.

    A planned lesson may be named: its author stores it before marking it written.
    """
    if lesson_ids is None:
        return list(course.written())
    lessons = list(dict.fromkeys(course.lesson(key) for key in lesson_ids))
    for lesson in lessons:
        if not lesson.notebook.is_file():
            raise NotebookMissing(
                f"lesson '{lesson.id}' has no notebook {course.relative(lesson.notebook)} yet; "
                "write it first (see docs/maintaining.md)."
            )
    return lessons


# --- what the author wrote -------------------------------------------------------------


def _kernel(notebook: nbformat.NotebookNode, kernel: str) -> list[Problem]:
    name = notebook.metadata.get("kernelspec", {}).get("name")
    if name == kernel:
        return []
    return [
        Problem(
            f"runs on kernel {name!r}, not {kernel!r}" if name else "names no kernel",
            f"choose Kernel > Change Kernel > Python ({kernel}) in JupyterLab and save",
        )
    ]


def _parameters_cell(notebook: nbformat.NotebookNode, kernel: str) -> list[Problem]:
    if any(PARAMETERS_TAG in cell_tags(cell) for cell in notebook.cells):
        return []
    return [
        Problem(
            f"has no cell tagged '{PARAMETERS_TAG}'",
            f"tag the first code cell, which holds the typed defaults, '{PARAMETERS_TAG}'",
        )
    ]


def _empty_code_cells(notebook: nbformat.NotebookNode, kernel: str) -> list[Problem]:
    empty = [index for index, cell in _code_cells(notebook) if not cell.source.strip()]
    if not empty:
        return []
    # nbclient skips an empty cell, so it never gets an execution count.
    return [
        Problem(
            f"has {'an empty code cell' if len(empty) == 1 else 'empty code cells'} "
            f"({_cell_list(empty)})",
            f"delete {'it' if len(empty) == 1 else 'them'} (no run executes an empty cell)",
        )
    ]


# --- what a run left behind ------------------------------------------------------------


def _execution_counts(notebook: nbformat.NotebookNode, kernel: str) -> list[Problem]:
    code = [(index, cell) for index, cell in _code_cells(notebook) if cell.source.strip()]
    missing = [index for index, cell in code if cell.get("execution_count") is None]
    if missing:
        return [
            Problem(
                f"has no execution_count in {_cell_list(missing)} (not run, or outputs cleared)"
            )
        ]
    for expected, (index, cell) in enumerate(code, start=1):
        if cell.execution_count != expected:
            return [
                Problem(
                    f"has execution_count {cell.execution_count} in cell {index} where a "
                    f"top-to-bottom run gives {expected} (outputs of an out-of-order session)"
                )
            ]
    return []


def _papermill_metadata(notebook: nbformat.NotebookNode, kernel: str) -> list[Problem]:
    cells = [index for index, cell in enumerate(notebook.cells) if "papermill" in cell.metadata]
    if "papermill" not in notebook.metadata and not cells:
        return []
    return [Problem("carries papermill's run metadata (metadata.papermill)")]


def _execution_timings(notebook: nbformat.NotebookNode, kernel: str) -> list[Problem]:
    cells = [index for index, cell in enumerate(notebook.cells) if "execution" in cell.metadata]
    if not cells:
        return []
    return [
        Problem(f"carries nbclient's execution timings (metadata.execution) in {len(cells)} cells")
    ]


def _widget_state(notebook: nbformat.NotebookNode, kernel: str) -> list[Problem]:
    if "widgets" not in notebook.metadata:
        return []
    return [Problem("stores ipywidgets state with random model ids (metadata.widgets)")]


def _injected_parameters(notebook: nbformat.NotebookNode, kernel: str) -> list[Problem]:
    injected = [
        index for index, cell in enumerate(notebook.cells) if INJECTED_TAG in cell_tags(cell)
    ]
    if not injected:
        return []
    return [
        Problem(
            f"keeps papermill's {INJECTED_TAG} cell ({_cell_list(injected)}), so its "
            "outputs are not those of the notebook's own defaults"
        )  # fmt: skip
    ]


def _widget_views(notebook: nbformat.NotebookNode, kernel: str) -> list[Problem]:
    shown = [
        index
        for index, cell in _code_cells(notebook)
        if any(WIDGET_VIEW_MIME in output.get("data", {}) for output in cell.get("outputs", []))
    ]
    if not shown:
        return []
    return [
        Problem(
            f"shows a live widget view in {_cell_list(shown)}",
            "show controls through mlops_course.widgets.explore, which renders once "
            "statically when MLOPS_COURSE_STATIC=1, then store the notebook again",
        )
    ]


STRUCTURE_CHECKS: tuple[Check, ...] = (_kernel, _parameters_cell, _empty_code_cells)
RUN_CHECKS: tuple[Check, ...] = (
    _execution_counts,
    _papermill_metadata,
    _execution_timings,
    _widget_state,
    _injected_parameters,
    _widget_views,
)


def _code_cells(notebook: nbformat.NotebookNode) -> list[tuple[int, nbformat.NotebookNode]]:
    return [(index, cell) for index, cell in enumerate(notebook.cells) if cell.cell_type == "code"]


def cell_tags(cell: nbformat.NotebookNode) -> list[str]:
    return cell.get("metadata", {}).get("tags", [])


def _cell_list(indices: list[int]) -> str:
    numbers = ", ".join(str(index) for index in indices)
    return f"cell {numbers}" if len(indices) == 1 else f"cells {numbers}"
