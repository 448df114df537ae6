"""Solutions to exercises: `exercises/<slug>.ipynb` generated from `solutions/<slug>.ipynb`.

An exercise is the solution notebook with every solution block replaced by a stub, every
hidden-tests block removed, outputs and execution counts cleared, and the setup and tests
cells locked (read-only, undeletable, with the sha256 of their source so the grader can
tell an edit). The same solution always gives the same bytes, so `check_assignments` can
say whether the committed exercises are what `assign` would write.

Stub rule (docs/authoring.md): a solution block at the top level of its cell that only
assigns names becomes `name = None  # YOUR CODE HERE` per name, so Run All still reaches
the end of the notebook; any other block becomes `# YOUR CODE HERE` and
`raise NotImplementedError("Write your answer for q1 here")` at the block's indentation.
"""

from __future__ import annotations

import ast
import copy
import hashlib
import math
import re
from collections.abc import Iterable
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_raw_cell

from mlops_course.classroom.authoring.solution import (
    ANSWER,
    HIDDEN_TESTS,
    METADATA_KEY,
    SETUP,
    SOLUTION,
    TESTS,
    Exercise,
    marked_blocks,
    read_solution,
)
from mlops_course.classroom.catalog import Course, Lesson, load_catalog
from mlops_course.classroom.errors import CourseError

LOCKED_ROLES = frozenset({SETUP, TESTS})
CHECKSUM_KEY = "source_sha256"
STUB_MARK = "# YOUR CODE HERE"
# Cell metadata that reaches the student; anything else (papermill timings, editor state,
# an instructor's private keys) stays in the solution.
KEPT_CELL_METADATA = ("tags", "jupyter", "slideshow", METADATA_KEY)
_CELL_ID = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")


class AssignError(CourseError):
    """A lesson cannot be assigned (no solution notebook, points that disagree)."""


def source_checksum(source: str) -> str:
    """The sha256 hex digest a locked cell carries of its own source."""
    return hashlib.sha256(source.encode("utf-8")).hexdigest()


def assign(lesson_ids: Iterable[str] | None = None, root: Path | None = None) -> list[Path]:
    """Write the exercises of `lesson_ids` (default: every lesson that has a solution)."""
    course = load_catalog(root)
    if lesson_ids is None:
        lessons = [lesson for lesson in course.lessons if _solution(course, lesson).is_file()]
    else:
        lessons = [course.lesson(lesson_id) for lesson_id in lesson_ids]
    written = []
    for lesson in lessons:
        text = exercise_text(course, lesson)
        target = course.root / lesson.exercise
        if not target.is_file() or target.read_text(encoding="utf-8") != text:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
        written.append(target)
    return written


def check_assignments(root: Path | None = None) -> list[str]:
    """Return the ids of lessons whose exercise is missing, stale or edited by hand.

    A lesson without a solution notebook has nothing to be in sync with and is skipped,
    which is also what a student's release bundle (no solutions/) looks like.
    """
    course = load_catalog(root)
    out_of_sync = []
    for lesson in course.lessons:
        if not _solution(course, lesson).is_file():
            continue
        target = course.root / lesson.exercise
        expected = exercise_text(course, lesson).encode("utf-8")
        if not target.is_file() or target.read_bytes() != expected:
            out_of_sync.append(lesson.id)
    return out_of_sync


def exercise_text(course: Course, lesson: Lesson) -> str:
    """The exact file content `assign` writes for `lesson`."""
    solution = _solution(course, lesson)
    shown = _shown(course, solution)
    if not solution.is_file():
        raise AssignError(
            f"lesson {lesson.id} has no solution notebook {shown}; write it first, "
            "since exercises are generated from solutions."
        )
    exercise = read_solution(solution)
    if not math.isclose(exercise.points, lesson.points):
        raise AssignError(
            f"{shown} awards {exercise.points:g} points but course/course.toml gives lesson "
            f"{lesson.id} {lesson.points}; make its tests cells' points add up to "
            f"{lesson.points} or change the lesson's points."
        )
    return render_exercise(exercise)


def render_exercise(exercise: Exercise) -> str:
    """Serialise `build_exercise` deterministically (sorted keys, trailing newline)."""
    return nbformat.writes(build_exercise(exercise)) + "\n"


def build_exercise(exercise: Exercise) -> nbformat.NotebookNode:
    """The student's notebook for a validated solution: stubs, no hidden tests, locked cells."""
    cells = []
    used_ids: set[str] = set()
    for index, (cell, role) in enumerate(zip(exercise.notebook.cells, exercise.roles, strict=True)):
        student_cell = _exercise_cell(cell, role)
        student_cell["id"] = _stable_id(cell, index, used_ids)
        cells.append(student_cell)
    metadata = {"kernelspec": copy.deepcopy(exercise.notebook.metadata["kernelspec"])}
    language = exercise.notebook.metadata.get("language_info", {}).get("name")
    if language:
        # Only the name: the rest records the author's Python patch version, not the exercise's.
        metadata["language_info"] = {"name": language}
    notebook = new_notebook(cells=cells, metadata=metadata)
    nbformat.validate(notebook)
    return notebook


def _solution(course: Course, lesson: Lesson) -> Path:
    return course.root / lesson.solution


def _shown(course: Course, path: Path) -> str:
    return str(path.relative_to(course.root)) if path.is_relative_to(course.root) else str(path)


def _exercise_cell(cell: nbformat.NotebookNode, role: str | None) -> nbformat.NotebookNode:
    source = cell.source
    if role == ANSWER:
        source = _stub_solutions(source, cell.metadata[METADATA_KEY]["question"])
    elif role == TESTS:
        source = _drop_hidden_tests(source)
    metadata = {key: copy.deepcopy(cell.metadata[key]) for key in KEPT_CELL_METADATA
                if key in cell.metadata}  # fmt: skip
    if role in LOCKED_ROLES:
        metadata["editable"] = False
        metadata["deletable"] = False
        metadata[METADATA_KEY][CHECKSUM_KEY] = source_checksum(source)
    if cell.cell_type == "code":
        return new_code_cell(source, metadata=metadata)
    if cell.cell_type == "markdown":
        student_cell = new_markdown_cell(source, metadata=metadata)
        if "attachments" in cell:
            student_cell["attachments"] = copy.deepcopy(cell["attachments"])
        return student_cell
    return new_raw_cell(source, metadata=metadata)


def _stable_id(cell: nbformat.NotebookNode, index: int, used: set[str]) -> str:
    """Keep the solution's cell id (stable across edits); number the cells that lack one."""
    cell_id = cell.get("id", "")
    if not _CELL_ID.match(cell_id) or cell_id in used:
        cell_id = f"cell-{index}"
    used.add(cell_id)
    return cell_id


def _stub_solutions(source: str, question: str) -> str:
    lines = source.splitlines()
    kept: list[str] = []
    position = 0
    for block in marked_blocks(source):
        if block.kind != SOLUTION:
            continue
        kept += lines[position : block.begin]
        kept += _stub(lines[block.begin + 1 : block.end], block.indent, question)
        position = block.end + 1
    kept += lines[position:]
    return "\n".join(kept)


def _stub(solution_lines: list[str], indent: str, question: str) -> list[str]:
    names = None if indent else _assigned_names("\n".join(solution_lines))
    if names:
        return [f"{name} = None  {STUB_MARK}" for name in names]
    return [
        f"{indent}{STUB_MARK}",
        f'{indent}raise NotImplementedError("Write your answer for {question} here")',
    ]


def _assigned_names(code: str) -> list[str] | None:
    """The names a block assigns, if assigning plain names is all it does; else None."""
    try:
        statements = ast.parse(code).body
    except SyntaxError:
        return None
    names: list[str] = []
    for statement in statements:
        if isinstance(statement, ast.Assign):
            targets = statement.targets
        elif isinstance(statement, ast.AnnAssign) and statement.value is not None:
            targets = [statement.target]
        else:
            return None
        if not all(isinstance(target, ast.Name) for target in targets):
            return None
        names += [target.id for target in targets if target.id not in names]
    return names or None


def _drop_hidden_tests(source: str) -> str:
    lines = source.splitlines()
    hidden = set()
    for block in marked_blocks(source):
        if block.kind == HIDDEN_TESTS:
            hidden.update(range(block.begin, block.end + 1))
    kept = [line for number, line in enumerate(lines) if number not in hidden]
    # Close the gap a removed block leaves: at most two blank lines in a row, none at the end.
    tidy: list[str] = []
    for line in kept:
        if not line.strip() and len(tidy) >= 2 and not tidy[-1].strip() and not tidy[-2].strip():
            continue
        tidy.append(line)
    while tidy and not tidy[-1].strip():
        tidy.pop()
    return "\n".join(tidy)
