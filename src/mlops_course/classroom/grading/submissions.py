"""Submission intake: find each student's notebook in a folder or an LMS zip, and vet it.

SUBMISSIONS is either a folder of `<student_id>/<exercise file name>` or a zip holding
the same layout (optionally under one top-level folder, as LMS exports do). A student id
is data: it may hold spaces, any unicode or `..`; it reaches the file system only as
`student_slug(id)`, an ASCII slug plus a hash, which cannot climb out of a folder.

The zip is read, never trusted: entries whose path is absolute or climbs with `..`, links,
and archives whose declared total exceeds `MAX_ARCHIVE_BYTES` are refused, and every
notebook is copied with a byte counter (a zip's declared size can lie). A notebook that
fails a check becomes an `invalid` outcome with a one-sentence reason, never an exception
that stops the batch.
"""

from __future__ import annotations

import hashlib
import json
import re
import stat
import unicodedata
import warnings
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import nbformat
from nbformat.v4.rwbase import rejoin_lines

from mlops_course.classroom.errors import CourseError

MAX_NOTEBOOK_BYTES = 20 * 1024**2
MAX_ARCHIVE_BYTES = 2 * 1024**3
REQUIRED_NBFORMAT = 4


class SubmissionsError(CourseError):
    """SUBMISSIONS as a whole is unusable (missing, not a folder or zip, a broken zip)."""


@dataclass(frozen=True)
class Submission:
    """One student's file (`path`), or why there is none usable (`problem`)."""

    student_id: str
    path: Path | None
    problem: str = ""


@dataclass(frozen=True)
class Payload:
    """What a grading worker gets: the student's id and file content, or why there is none."""

    student_id: str
    content: bytes | None
    sha256: str
    problem: str = ""


@dataclass
class VettedNotebook:
    """The outcome of `vet_notebook`: a notebook and its repairs, or a reason it is invalid."""

    notebook: nbformat.NotebookNode | None = None
    invalid_reason: str = ""
    repairs: list[str] = field(default_factory=list)


def student_slug(student_id: str) -> str:
    """A folder/file name for `student_id`: readable ASCII plus 10 hex digits of its hash."""
    ascii_name = unicodedata.normalize("NFKD", student_id).encode("ascii", "ignore").decode()
    readable = re.sub(r"[^A-Za-z0-9_-]+", "-", ascii_name).strip("-")[:40] or "student"
    digest = hashlib.sha256(student_id.encode("utf-8")).hexdigest()[:10]
    return f"{readable}-{digest}"


def collect_submissions(
    source: Path, exercise_name: str, scratch: Path, max_bytes: int = MAX_NOTEBOOK_BYTES,
    passed_over: list[str] | None = None,
) -> list[Submission]:
    """List every student in `source` (a folder or a zip extracted below `scratch`).

    A zip entry over `max_bytes` is not extracted; it comes back with its problem set. What
    is no submission at all (a hidden folder, a loose file, another file in the zip) is not
    graded; it is described in `passed_over`, so the batch can say so.
    """
    passed_over = [] if passed_over is None else passed_over
    if not source.exists():
        raise SubmissionsError(
            f"{source} does not exist; pass the folder or zip of submissions you collected."
        )
    if source.is_dir():
        return _from_folder(source, exercise_name, passed_over)
    if zipfile.is_zipfile(source):
        return _from_zip(source, exercise_name, scratch, max_bytes, passed_over)
    raise SubmissionsError(
        f"{source} is neither a folder nor a zip file; pass a folder of "
        f"<student_id>/{exercise_name} or the zip your LMS exported."
    )


def _from_folder(folder: Path, exercise_name: str, passed_over: list[str]) -> list[Submission]:
    submissions = []
    for student_folder in sorted(folder.iterdir()):
        if student_folder.name.startswith("."):
            passed_over.append(f"{student_folder.name!r}: a hidden name (it starts with a dot); "
                               "rename the folder to grade it")  # fmt: skip
            continue
        if not student_folder.is_dir():
            passed_over.append(f"{student_folder.name!r}: a file, not a student's folder")
            continue
        student_id = student_folder.name
        notebook = student_folder / exercise_name
        if notebook.is_symlink():
            problem = "its notebook is a symbolic link, which the grader does not follow"
            submissions.append(Submission(student_id, None, problem))
        elif not notebook.is_file():
            problem = _missing(student_folder, exercise_name)
            submissions.append(Submission(student_id, None, problem))
        else:
            submissions.append(Submission(student_id, notebook))
    return submissions


def _missing(student_folder: Path, exercise_name: str) -> str:
    others = sorted(p.name for p in student_folder.iterdir())[:3]
    found = f"; found {', '.join(others)}" if others else "; the folder is empty"
    return f"no file named {exercise_name}{found}"


def _from_zip(
    archive: Path, exercise_name: str, scratch: Path, max_bytes: int, passed_over: list[str]
) -> list[Submission]:
    try:
        with zipfile.ZipFile(archive) as zipped:
            members = zipped.infolist()
            declared = sum(member.file_size for member in members)
            if declared > MAX_ARCHIVE_BYTES:
                raise SubmissionsError(
                    f"{archive} unpacks to {declared / 1024**3:.1f} GiB, more than the "
                    f"{MAX_ARCHIVE_BYTES / 1024**3:.0f} GiB the grader accepts; split the export."
                )
            return _extract_notebooks(zipped, members, exercise_name, scratch, max_bytes,
                                      passed_over)  # fmt: skip
    except zipfile.BadZipFile as error:
        raise SubmissionsError(
            f"{archive} is a damaged zip ({error}); export the submissions again."
        ) from None


def _zip_parts(member: zipfile.ZipInfo) -> tuple[str, ...] | None:
    """The entry's path parts, or None when it is absolute or climbs out with `..`."""
    name = member.filename.replace("\\", "/")
    path = PurePosixPath(name)
    if path.is_absolute() or re.match(r"^[A-Za-z]:", name) or ".." in path.parts:
        return None
    return tuple(part for part in path.parts if part not in ("", "."))


def _extract_notebooks(
    zipped: zipfile.ZipFile,
    members: list[zipfile.ZipInfo],
    exercise_name: str,
    scratch: Path,
    max_bytes: int,
    passed_over: list[str],
) -> list[Submission]:
    submissions: list[Submission] = []
    entries: dict[str, zipfile.ZipInfo] = {}
    for member in members:
        parts = _zip_parts(member)
        if parts is None:
            problem = f"zip entry {member.filename!r} points outside the archive; not extracted"
            submissions.append(Submission(member.filename, None, problem))
            continue
        if member.is_dir() or not parts:
            continue
        if parts[-1] != exercise_name or len(parts) < 2:
            passed_over.append(f"zip entry {member.filename!r}: not a <student>/{exercise_name}")
            continue
        if stat.S_ISLNK(member.external_attr >> 16):
            problem = f"zip entry {member.filename!r} is a symbolic link; not extracted"
            submissions.append(Submission(parts[-2], None, problem))
            continue
        entries.setdefault(parts[-2], member)
    for student_id, member in sorted(entries.items()):
        if member.file_size > max_bytes:
            problem = _too_large(member.file_size, max_bytes)
            submissions.append(Submission(student_id, None, problem))
            continue
        target = scratch / student_slug(student_id) / exercise_name
        target.parent.mkdir(parents=True, exist_ok=True)
        if _copy_bounded(zipped, member, target, max_bytes):
            submissions.append(Submission(student_id, target))
        else:
            target.unlink(missing_ok=True)
            problem = _too_large(max_bytes + 1, max_bytes)
            submissions.append(Submission(student_id, None, problem))
    return submissions


def _copy_bounded(zipped: zipfile.ZipFile, member: zipfile.ZipInfo, target: Path,
                  limit: int) -> bool:  # fmt: skip
    """Copy one entry, stopping past `limit` bytes whatever the entry claimed; False if so."""
    written = 0
    with zipped.open(member) as source, target.open("wb") as sink:
        while chunk := source.read(1024 * 1024):
            written += len(chunk)
            if written > limit:
                return False
            sink.write(chunk)
    return True


def _too_large(size: int, limit: int) -> str:
    return (
        f"the notebook is too large ({size / 1024**2:.1f} MB, the limit is "
        f"{limit / 1024**2:.0f} MB); clear its outputs and submit it again"
    )


def read_submission(submission: Submission, max_bytes: int = MAX_NOTEBOOK_BYTES) -> Payload:
    """Load a submission's bytes for grading (not past `max_bytes`), with their sha256."""
    if submission.path is None:
        return Payload(submission.student_id, None, "", submission.problem)
    digest = hashlib.sha256()
    with submission.path.open("rb") as handle:
        while chunk := handle.read(1024 * 1024):
            digest.update(chunk)
    size = submission.path.stat().st_size
    if size > max_bytes:
        problem = _too_large(size, max_bytes)
        return Payload(submission.student_id, None, digest.hexdigest(), problem)
    return Payload(submission.student_id, submission.path.read_bytes(), digest.hexdigest())


def vet_notebook(raw: bytes) -> VettedNotebook:
    """Parse and validate one submitted notebook, repairing what can be repaired safely."""
    vetted = VettedNotebook()
    if not raw.strip():
        vetted.invalid_reason = "the file is empty; submit the saved notebook, not a new file"
        return vetted
    try:
        document = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        vetted.invalid_reason = (
            f"the file is not a notebook (not valid JSON: {error}); submit the .ipynb saved "
            "by JupyterLab"
        )
        return vetted
    if not isinstance(document, dict) or "cells" not in document and "worksheets" not in document:
        vetted.invalid_reason = "the file is JSON but not a Jupyter notebook (no cells)"
        return vetted
    major = document.get("nbformat")
    if major != REQUIRED_NBFORMAT:
        vetted.invalid_reason = (
            f"the notebook is in nbformat {major}, the grader needs nbformat "
            f"{REQUIRED_NBFORMAT}; open and save it in JupyterLab to convert it"
        )
        return vetted
    vetted.repairs = _renumber_duplicate_ids(document) + _add_missing_ids(document)
    # Multi-line sources may be stored as lists of lines; the grader works on strings.
    notebook = rejoin_lines(nbformat.from_dict(document))
    try:
        # nbformat warns about what it would fix on its own; a batch must not print it once
        # per submission (repairs that matter are recorded as notes above).
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            nbformat.validate(notebook)
    except nbformat.ValidationError as error:
        vetted.invalid_reason = (
            f"the notebook breaks the nbformat schema ({error.message}); open and save it "
            "in JupyterLab"
        )
        return vetted
    vetted.notebook = notebook
    return vetted


def _add_missing_ids(document: dict) -> list[str]:
    """Give cells without an id one (nbformat 4.5 requires it; older minors have none)."""
    if not isinstance(document.get("nbformat_minor"), int) or document["nbformat_minor"] < 5:
        return []
    missing = [index for index, cell in enumerate(document.get("cells", []))
               if isinstance(cell, dict) and "id" not in cell]  # fmt: skip
    for index in missing:
        document["cells"][index]["id"] = f"graded-{index}-missing-id"
    if not missing:
        return []
    return [f"{len(missing)} cells had no id (nbformat 4.5 requires one); ids were added"]


def _renumber_duplicate_ids(document: dict) -> list[str]:
    """Give every cell after the first with a repeated id a fresh one; say which."""
    seen: set[str] = set()
    repaired = []
    cells = document.get("cells", [])
    for index, cell in enumerate(cells):
        cell_id = cell.get("id") if isinstance(cell, dict) else None
        if not isinstance(cell_id, str):
            continue
        if cell_id in seen:
            fresh = f"graded-{index}-{hashlib.sha256(cell_id.encode()).hexdigest()[:8]}"
            cell["id"] = fresh
            repaired.append(f"cell {index} repeated the id {cell_id!r}; renumbered to {fresh!r}")
        seen.add(cell["id"])
    return repaired

