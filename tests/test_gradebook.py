"""The SQLite gradebook: atomic replacement, resume decisions, CSV export."""

from __future__ import annotations

import csv
import sqlite3
from pathlib import Path

import pytest

from mlops_course.classroom.grading.gradebook import Gradebook, GradebookError
from mlops_course.classroom.grading.results import QuestionScore, SubmissionGrade
from mlops_course.classroom.grading.results import TestOutcome as Outcome


def a_grade(student: str, points: float, status: str = "graded", sha: str = "a") -> SubmissionGrade:
    return SubmissionGrade(
        student, "00", status, "", 5.0, sha,
        questions=[QuestionScore("q1", points, 5.0, "why")],
        tests=[Outcome("q1", "test_a", True, points > 0, "" if points else "AssertionError")],
    )  # fmt: skip


def test_record_replaces_a_students_rows_and_reads_back(tmp_path: Path) -> None:
    with Gradebook(tmp_path / "gb.db") as gradebook:
        gradebook.record(a_grade("ana", 0.0, sha="v1"))
        gradebook.record(a_grade("ana", 5.0, sha="v2"))
        gradebook.record(a_grade("ben", 2.0))
        [ana, ben] = gradebook.grades("00")
    assert (ana.student_id, ana.score, ana.content_sha256) == ("ana", 5.0, "v2")
    assert ana.tests == [Outcome("q1", "test_a", True, True, "")]
    assert ben.score == 2.0


def test_gradebook_runs_in_wal_mode(tmp_path: Path) -> None:
    Gradebook(tmp_path / "gb.db").close()
    mode = sqlite3.connect(tmp_path / "gb.db").execute("PRAGMA journal_mode").fetchone()[0]
    assert mode == "wal"


def test_is_graded_only_for_identical_content_and_final_status(tmp_path: Path) -> None:
    with Gradebook(tmp_path / "gb.db") as gradebook:
        gradebook.record(a_grade("ana", 5.0, sha="v1"))
        gradebook.record(a_grade("ben", 0.0, status="error", sha="v1"))
        assert gradebook.is_graded("00", "ana", "v1")
        assert not gradebook.is_graded("00", "ana", "v2")
        assert not gradebook.is_graded("01", "ana", "v1")
        assert not gradebook.is_graded("00", "ben", "v1")  # the grader's own failure: retry


def test_csv_has_the_required_columns(tmp_path: Path) -> None:
    with Gradebook(tmp_path / "gb.db") as gradebook:
        gradebook.record(a_grade("Ana María", 5.0))
        path = gradebook.export_csv("00", tmp_path / "out" / "grades.csv")
    [row] = list(csv.DictReader(path.open(encoding="utf-8")))
    assert {k: row[k] for k in ("student_id", "lesson", "score", "max_score", "status")} == {
        "student_id": "Ana María", "lesson": "00", "score": "5.0", "max_score": "5.0",
        "status": "graded",
    }  # fmt: skip


def test_a_file_that_is_not_a_gradebook_is_one_clear_error(tmp_path: Path) -> None:
    (tmp_path / "notes.db").write_text("not sqlite at all, just some text " * 100)
    with pytest.raises(GradebookError, match="is not a usable gradebook"):
        Gradebook(tmp_path / "notes.db")
