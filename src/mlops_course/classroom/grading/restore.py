"""Put a submission's locked cells back as the exercise has them, and say what changed.

The exercise's setup and tests cells are locked and carry the sha256 of their source
(`assign.CHECKSUM_KEY`). A student can still edit or delete them outside JupyterLab. Before
grading, every locked cell of the exercise is looked up in the submission by cell id
(falling back to its role and question for notebooks saved without ids):
- found with other source (or another cell type): replaced by the exercise's cell;
- missing: re-inserted right after the submission's copy of the exercise cell before it.
The checksum compared is the exercise's own, never the one in the submitted metadata,
which the student could have rewritten along with the source.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

from nbformat import NotebookNode

from mlops_course.classroom.authoring.assign import CHECKSUM_KEY, LOCKED_ROLES, source_checksum
from mlops_course.classroom.authoring.solution import METADATA_KEY


@dataclass(frozen=True)
class Restoration:
    """The notebook to grade and one sentence per locked cell that had to be put back."""

    notebook: NotebookNode
    notes: list[str]


def _info(cell: NotebookNode) -> dict:
    info = cell.get("metadata", {}).get(METADATA_KEY)
    return info if isinstance(info, dict) else {}


def _is_locked(cell: NotebookNode) -> bool:
    return _info(cell).get("role") in LOCKED_ROLES


def _label(cell: NotebookNode) -> str:
    info = _info(cell)
    question = f" of {info['question']}" if info.get("question") else ""
    return f"the {info.get('role', 'locked')} cell{question} (id {cell.get('id', '?')!r})"


def _find(cells: list[NotebookNode], locked: NotebookNode) -> int | None:
    """The submission's position of `locked`: by id, else by role and question."""
    wanted_id = locked.get("id")
    for position, cell in enumerate(cells):
        if wanted_id and cell.get("id") == wanted_id:
            return position
    if any(cell.get("id") for cell in cells):
        return None  # ids present but this one gone: the cell was deleted
    role, question = _info(locked).get("role"), _info(locked).get("question")
    for position, cell in enumerate(cells):
        same_place = _info(cell).get("role") == role and _info(cell).get("question") == question
        # Setup cells share role and question (none): only identical source identifies them.
        if same_place and (role != "setup" or cell.get("source") == locked.get("source")):
            return position
    return None


def restore_locked_cells(submission: NotebookNode, exercise: NotebookNode) -> Restoration:
    """Return a copy of `submission` whose locked cells equal the exercise's, with notes."""
    notebook = copy.deepcopy(submission)
    cells: list[NotebookNode] = notebook.cells
    notes: list[str] = []
    anchor = -1  # submission position of the last exercise cell seen, locked or not
    for exercise_cell in exercise.cells:
        position = _find(cells, exercise_cell) if _is_locked(exercise_cell) else None
        if not _is_locked(exercise_cell):
            same_id = [i for i, c in enumerate(cells) if c.get("id") == exercise_cell.get("id")]
            anchor = same_id[0] if same_id else anchor
            continue
        if position is None:
            anchor += 1
            cells.insert(anchor, copy.deepcopy(exercise_cell))
            notes.append(f"{_label(exercise_cell)} was deleted; re-inserted from the exercise")
            continue
        anchor = position
        expected = _info(exercise_cell).get(CHECKSUM_KEY) or source_checksum(
            exercise_cell.source
        )
        submitted = cells[position]
        changed_type = submitted.get("cell_type") != exercise_cell.cell_type
        if changed_type or source_checksum(submitted.get("source", "")) != expected:
            cells[position] = copy.deepcopy(exercise_cell)
            notes.append(f"{_label(exercise_cell)} was edited; restored from the exercise")
    return Restoration(notebook, notes)
