"""The gradebook: an SQLite file that keeps every grade the moment it is decided.

One row per submission (status, reason, score, the content's sha256, when), one per
submission x question (points, max points, reason) and one per test (for feedback). A
submission's rows are replaced in one transaction, and the database runs in WAL mode, so a
grader killed with SIGKILL mid-batch loses at most the submission it was writing. A rerun
asks `is_graded` and skips a submission whose content hash is already graded for the
lesson; an `error` row (the grader's own failure) is retried. The reference run's
observations are kept too, by the key of what they depend on, so a rerun need not repeat it.
"""

from __future__ import annotations

import csv
import json
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from datetime import UTC, datetime
from pathlib import Path

from mlops_course.classroom.errors import CourseError
from mlops_course.classroom.grading.results import (
    ERROR,
    QuestionScore,
    SubmissionGrade,
    TestOutcome,
)

CSV_COLUMNS = ["student_id", "lesson", "score", "max_score", "status", "reason", "graded_at"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS submissions (
    lesson TEXT NOT NULL,
    student_id TEXT NOT NULL,
    content_sha256 TEXT NOT NULL,
    status TEXT NOT NULL,
    reason TEXT NOT NULL,
    score REAL NOT NULL,
    max_score REAL NOT NULL,
    notes TEXT NOT NULL,
    sandboxed INTEGER NOT NULL,
    seconds REAL NOT NULL,
    graded_at TEXT NOT NULL,
    PRIMARY KEY (lesson, student_id)
);
CREATE TABLE IF NOT EXISTS question_scores (
    lesson TEXT NOT NULL,
    student_id TEXT NOT NULL,
    question TEXT NOT NULL,
    points REAL NOT NULL,
    max_points REAL NOT NULL,
    reason TEXT NOT NULL,
    PRIMARY KEY (lesson, student_id, question)
);
CREATE TABLE IF NOT EXISTS reference_runs (
    key TEXT PRIMARY KEY,
    lesson TEXT NOT NULL,
    observations TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS test_outcomes (
    lesson TEXT NOT NULL,
    student_id TEXT NOT NULL,
    question TEXT NOT NULL,
    test TEXT NOT NULL,
    hidden INTEGER NOT NULL,
    passed INTEGER NOT NULL,
    message TEXT NOT NULL,
    PRIMARY KEY (lesson, student_id, test)
);
"""


class GradebookError(CourseError):
    """The gradebook file cannot be opened or is not a gradebook."""


class Gradebook:
    """Read and write grades in one SQLite file; use as a context manager."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(self.path, isolation_level=None, timeout=30)
            self._db.execute("PRAGMA journal_mode=WAL")
            # NORMAL in WAL mode survives a killed process; only power loss can drop the last
            # transaction.
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.executescript(_SCHEMA)
        except sqlite3.DatabaseError as error:
            raise GradebookError(
                f"{self.path} is not a usable gradebook ({error}); pass a new path or the "
                "file an earlier `mlops-course grade` wrote."
            ) from None

    def __enter__(self) -> Gradebook:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        self._db.close()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield self._db
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    def is_graded(self, lesson: str, student_id: str, content_sha256: str) -> bool:
        """True when this exact content already has a final grade for `lesson`."""
        row = self._db.execute(
            "SELECT content_sha256, status FROM submissions WHERE lesson=? AND student_id=?",
            (lesson, student_id),
        ).fetchone()
        return row is not None and row[0] == content_sha256 and row[1] != ERROR

    def reference(self, key: str) -> dict | None:
        """The stored reference observations for `key` (JSON data), if any."""
        row = self._db.execute(
            "SELECT observations FROM reference_runs WHERE key=?", (key,)
        ).fetchone()
        return json.loads(row[0]) if row else None

    def store_reference(self, key: str, lesson: str, observations: dict) -> None:
        with self._transaction() as db:
            db.execute(
                "INSERT OR REPLACE INTO reference_runs VALUES (?,?,?,?)",
                (key, lesson, json.dumps(observations, allow_nan=False),
                 datetime.now(UTC).isoformat(timespec="seconds")),
            )  # fmt: skip

    def record(self, grade: SubmissionGrade) -> None:
        """Replace everything stored for this submission, atomically."""
        key = (grade.lesson, grade.student_id)
        with self._transaction() as db:
            for table in ("submissions", "question_scores", "test_outcomes"):
                db.execute(f"DELETE FROM {table} WHERE lesson=? AND student_id=?", key)
            db.execute(
                "INSERT INTO submissions VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                (*key, grade.content_sha256, grade.status, grade.reason, grade.score,
                 grade.max_score, "\n".join(grade.notes), int(grade.sandboxed),
                 round(grade.seconds, 3), datetime.now(UTC).isoformat(timespec="seconds")),
            )  # fmt: skip
            db.executemany(
                "INSERT INTO question_scores VALUES (?,?,?,?,?,?)",
                [(*key, q.question, q.points, q.max_points, q.reason) for q in grade.questions],
            )
            db.executemany(
                "INSERT INTO test_outcomes VALUES (?,?,?,?,?,?,?)",
                [(*key, t.question, t.name, int(t.hidden), int(t.passed), t.message)
                 for t in grade.tests],
            )  # fmt: skip

    def grades(self, lesson: str) -> list[SubmissionGrade]:
        """Every stored grade of `lesson`, by student id, with questions and tests."""
        rows = self._db.execute(
            "SELECT student_id, content_sha256, status, reason, max_score, notes, sandboxed, "
            "seconds FROM submissions WHERE lesson=? ORDER BY student_id",
            (lesson,),
        ).fetchall()
        grades = []
        for student_id, sha, status, reason, max_score, notes, sandboxed, seconds in rows:
            key = (lesson, student_id)
            questions = [
                QuestionScore(*row)
                for row in self._db.execute(
                    "SELECT question, points, max_points, reason FROM question_scores "
                    "WHERE lesson=? AND student_id=? ORDER BY rowid",
                    key,
                )
            ]
            tests = [
                TestOutcome(question, name, bool(hidden), bool(passed), message)
                for question, name, hidden, passed, message in self._db.execute(
                    "SELECT question, test, hidden, passed, message FROM test_outcomes "
                    "WHERE lesson=? AND student_id=? ORDER BY rowid",
                    key,
                )
            ]
            grades.append(
                SubmissionGrade(student_id, lesson, status, reason, max_score, sha, questions,
                                tests, notes.splitlines(), bool(sandboxed), seconds)
            )  # fmt: skip
        return grades

    def summary_rows(self, lesson: str) -> list[dict[str, object]]:
        """One dict per submission with the CSV's columns."""
        cursor = self._db.execute(
            "SELECT student_id, lesson, score, max_score, status, reason, graded_at "
            "FROM submissions WHERE lesson=? ORDER BY student_id",
            (lesson,),
        )
        return [dict(zip(CSV_COLUMNS, row, strict=True)) for row in cursor]

    def export_csv(self, lesson: str, path: str | Path) -> Path:
        """Write the lesson's grades as CSV (student_id, lesson, score, max_score, status, ...)."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        with closing(path.open("w", newline="", encoding="utf-8")) as handle:
            writer = csv.DictWriter(handle, fieldnames=CSV_COLUMNS)
            writer.writeheader()
            writer.writerows(self.summary_rows(lesson))
        return path
