"""Submission intake: folders and LMS zips, hostile archives, notebook vetting."""

from __future__ import annotations

import json
import stat
import zipfile
from pathlib import Path

import pytest
from grading_helpers import EXERCISE_NAME, SUBMISSIONS, submission_folder

from mlops_course.classroom.grading.submissions import (
    Submission,
    SubmissionsError,
    collect_submissions,
    read_submission,
    student_slug,
    vet_notebook,
)


def fixture_bytes(name: str) -> bytes:
    return (SUBMISSIONS / f"{name}.ipynb").read_bytes()


@pytest.mark.parametrize("student_id", ["../../etc", "Ana María López", "学生 42", "a/b", ".."])
def test_student_slug_is_a_plain_file_name(student_id: str) -> None:
    slug = student_slug(student_id)
    assert "/" not in slug and ".." not in slug and slug.isascii()
    assert slug != student_slug(student_id + " ")  # the hash keeps near-identical ids apart


def test_folder_submissions_keep_unicode_ids_as_data(tmp_path: Path) -> None:
    folder = submission_folder(tmp_path / "in", {"Ana María López": "solved", "学生 42": "solved"})
    (folder / "no-notebook").mkdir()
    (folder / "no-notebook" / "notes.txt").write_text("forgot")
    found = {s.student_id: s for s in collect_submissions(folder, EXERCISE_NAME, tmp_path)}
    assert set(found) == {"Ana María López", "学生 42", "no-notebook"}
    assert found["学生 42"].path == folder / "学生 42" / EXERCISE_NAME
    problem = found["no-notebook"].problem
    assert "no file named" in problem and "notes.txt" in problem


def test_symlinked_notebook_is_refused(tmp_path: Path) -> None:
    (tmp_path / "in" / "mallory").mkdir(parents=True)
    (tmp_path / "in" / "mallory" / EXERCISE_NAME).symlink_to(SUBMISSIONS / "solved.ipynb")
    [submission] = collect_submissions(tmp_path / "in", EXERCISE_NAME, tmp_path)
    assert submission.path is None and "symbolic link" in submission.problem


def test_zip_with_climbing_and_absolute_paths_extracts_only_safe_entries(tmp_path: Path) -> None:
    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr(f"export/alice/{EXERCISE_NAME}", fixture_bytes("solved"))
        zipped.writestr(f"../evil/{EXERCISE_NAME}", fixture_bytes("solved"))
        zipped.writestr(f"/tmp/evil/{EXERCISE_NAME}", fixture_bytes("solved"))
        link = zipfile.ZipInfo(f"export/linker/{EXERCISE_NAME}")
        link.external_attr = (stat.S_IFLNK | 0o777) << 16
        zipped.writestr(link, "/etc/passwd")
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    found = collect_submissions(archive, EXERCISE_NAME, scratch)
    by_id = {s.student_id: s for s in found}
    assert by_id["alice"].path is not None and by_id["alice"].path.is_relative_to(scratch)
    assert "points outside the archive" in by_id[f"../evil/{EXERCISE_NAME}"].problem
    assert "points outside the archive" in by_id[f"/tmp/evil/{EXERCISE_NAME}"].problem
    assert "symbolic link" in by_id["linker"].problem
    assert not (tmp_path / "evil").exists() and not Path("/tmp/evil").exists()
    extracted = [p for p in scratch.rglob("*") if p.is_file()]
    assert extracted == [by_id["alice"].path]


def test_zip_declaring_more_than_the_archive_limit_is_refused(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr("mlops_course.classroom.grading.submissions.MAX_ARCHIVE_BYTES", 1000)
    archive = tmp_path / "bomb.zip"
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as zipped:
        zipped.writestr(f"bob/{EXERCISE_NAME}", b"0" * 5000)
    with pytest.raises(SubmissionsError, match="unpacks to"):
        collect_submissions(archive, EXERCISE_NAME, tmp_path)


def test_missing_submissions_path_is_one_clear_error(tmp_path: Path) -> None:
    with pytest.raises(SubmissionsError, match="does not exist"):
        collect_submissions(tmp_path / "nowhere", EXERCISE_NAME, tmp_path)


@pytest.mark.parametrize(
    ("fixture", "reason"),
    [
        ("empty-file", "the file is empty"),
        ("invalid-json", "not valid JSON"),
        ("not-a-notebook", "not valid JSON"),
        ("nbformat-3", "nbformat 3"),
    ],
)
def test_invalid_notebooks_get_a_one_sentence_reason(fixture: str, reason: str) -> None:
    vetted = vet_notebook(fixture_bytes(fixture))
    assert vetted.notebook is None and reason in vetted.invalid_reason
    assert "\n" not in vetted.invalid_reason


def test_json_that_is_not_a_notebook_is_invalid() -> None:
    vetted = vet_notebook(json.dumps({"hello": "world"}).encode())
    assert vetted.notebook is None and "not a Jupyter notebook" in vetted.invalid_reason


def test_duplicated_cell_ids_are_renumbered_and_recorded() -> None:
    vetted = vet_notebook(fixture_bytes("duplicated-cell-ids"))
    assert vetted.notebook is not None
    ids = [cell.id for cell in vetted.notebook.cells]
    assert len(ids) == len(set(ids))
    assert len(vetted.repairs) == 1 and "repeated the id 'title'" in vetted.repairs[0]


def test_notebook_over_the_size_cap_is_too_large_without_reading_it(tmp_path: Path) -> None:
    big = tmp_path / EXERCISE_NAME
    with big.open("wb") as handle:
        handle.truncate(50 * 1024**2)
    payload = read_submission(Submission("carol", big))
    assert payload.content is None and "too large (50.0 MB" in payload.problem
    assert len(payload.sha256) == 64


def test_oversized_zip_entry_is_not_extracted(tmp_path: Path) -> None:
    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as zipped:
        zipped.writestr(f"dan/{EXERCISE_NAME}", b" " * 3000)
    [submission] = collect_submissions(archive, EXERCISE_NAME, tmp_path, max_bytes=1000)
    assert submission.path is None and "too large" in submission.problem
    assert not list(tmp_path.rglob(EXERCISE_NAME))


def test_what_the_intake_passes_over_is_named(tmp_path: Path) -> None:
    folder = submission_folder(tmp_path / "in", {"ana": "solved", "..x..": "solved"})
    (folder / "notes.txt").write_text("not a student")
    passed_over: list[str] = []
    found = collect_submissions(folder, EXERCISE_NAME, tmp_path, passed_over=passed_over)
    assert [s.student_id for s in found] == ["ana"]
    assert len(passed_over) == 2
    assert "'..x..': a hidden name" in passed_over[0] and "rename the folder" in passed_over[0]
    assert "'notes.txt': a file, not a student's folder" in passed_over[1]


def test_zip_entries_that_are_no_submission_are_named(tmp_path: Path) -> None:
    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr(f"export/alice/{EXERCISE_NAME}", fixture_bytes("solved"))
        zipped.writestr("export/alice/feedback.pdf", b"%PDF")
    passed_over: list[str] = []
    found = collect_submissions(archive, EXERCISE_NAME, tmp_path, passed_over=passed_over)
    assert [s.student_id for s in found] == ["alice"]
    expected = f"zip entry 'export/alice/feedback.pdf': not a <student>/{EXERCISE_NAME}"
    assert passed_over == [expected]


def test_a_notebook_without_cell_ids_is_repaired_quietly(recwarn) -> None:
    document = json.loads(fixture_bytes("solved"))
    for cell in document["cells"]:
        cell.pop("id")
    vetted = vet_notebook(json.dumps(document).encode())
    assert vetted.notebook is not None
    assert vetted.repairs == [f"{len(document['cells'])} cells had no id (nbformat 4.5 requires "
                              "one); ids were added"]  # fmt: skip
    assert not [w for w in recwarn if "nbformat" in str(w.filename) or "id" in str(w.message)]
