"""A grader killed mid-batch loses no finished grade and leaves no process or scratch folder
behind; Dask grades like local workers."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from grading_helpers import GRADING_COURSE, submission_folder

from mlops_course.classroom.grading.batch import grade_lesson
from mlops_course.classroom.grading.gradebook import Gradebook

STUDENTS = {f"student {n:02d}": fixture for n, fixture in enumerate(
    ["solved", "wrong-q1", "wrong-q2", "untouched-exercise", "solved", "wrong-q1", "solved"]
)}  # fmt: skip


def outcomes(gradebook_path: Path) -> dict[str, tuple]:
    with Gradebook(gradebook_path) as gradebook:
        return {
            g.student_id: (g.status, g.score, g.content_sha256,
                           tuple((q.question, q.points) for q in g.questions))
            for g in gradebook.grades("00")
        }  # fmt: skip


def rows(gradebook_path: Path) -> int:
    try:
        with sqlite3.connect(gradebook_path) as db:
            return db.execute("SELECT COUNT(*) FROM submissions").fetchone()[0]
    except sqlite3.OperationalError:
        return 0


def descendants(pid: int) -> set[int]:
    """Every live process below `pid` (workers, bwrap, kernels), read from /proc."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except OSError:
                continue
            children.setdefault(parent, []).append(int(entry.name))
    found, queue = set(), list(children.get(pid, []))
    while queue:
        found.add(current := queue.pop())
        queue += children.get(current, [])
    return found


def alive(pid: int) -> bool:
    """Running, not merely a zombie waiting for a reaper that may never come."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def scratch_of(grader_pid: int) -> list[Path]:
    import tempfile

    return [folder for folder in Path(tempfile.gettempdir()).glob("mlops-grade-*")
            if (folder / "grader.pid").is_file()
            and (folder / "grader.pid").read_text().split()[0] == str(grader_pid)]  # fmt: skip


def test_sigkill_mid_batch_with_two_workers_leaves_nothing_and_the_rerun_matches(
    tmp_path: Path,
) -> None:
    folder = submission_folder(tmp_path / "in", STUDENTS)
    grade_lesson("00", folder, tmp_path / "uninterrupted.db", root=GRADING_COURSE)

    killed = tmp_path / "killed.db"
    command = [sys.executable, "-m", "mlops_course.classroom.cli", "grade", "00", str(folder),
               "--gradebook", str(killed), "-j", "2"]  # fmt: skip
    environment = {**os.environ, "MLOPS_COURSE_ROOT": str(GRADING_COURSE)}
    grader = subprocess.Popen(command, env=environment, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)  # fmt: skip
    deadline = time.monotonic() + 90
    while rows(killed) < 2 and time.monotonic() < deadline and grader.poll() is None:
        time.sleep(0.05)
    batch = descendants(grader.pid)
    grader.send_signal(signal.SIGKILL)
    grader.wait()
    finished_before_kill = rows(killed)
    assert 2 <= finished_before_kill < len(STUDENTS)
    assert len(batch) >= 2, "the grader should have had its two workers running"
    # Workers die with the grader (parent-death signal, and a thread that watches the
    # grader), their kernels with them; give it a moment.
    deadline = time.monotonic() + 10
    while any(alive(pid) for pid in batch) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert [pid for pid in batch if alive(pid)] == []
    assert len(scratch_of(grader.pid)) == 1  # left behind by the kill...

    rerun = grade_lesson("00", folder, killed, root=GRADING_COURSE)
    assert scratch_of(grader.pid) == []  # ...and removed by the next batch
    assert len(rerun.skipped) == finished_before_kill
    assert outcomes(killed) == outcomes(tmp_path / "uninterrupted.db")


def test_dask_local_cluster_grades_like_local_workers(tmp_path: Path) -> None:
    distributed = pytest.importorskip("distributed")
    folder = submission_folder(tmp_path / "in", dict(list(STUDENTS.items())[:4]))
    grade_lesson("00", folder, tmp_path / "local.db", root=GRADING_COURSE)
    with distributed.LocalCluster(
        n_workers=1, threads_per_worker=2, processes=False, protocol="tcp", host="127.0.0.1",
        dashboard_address=None,
    ) as cluster:  # fmt: skip
        grade_lesson("00", folder, tmp_path / "dask.db", root=GRADING_COURSE,
                     dask_address=cluster.scheduler_address)  # fmt: skip
    assert outcomes(tmp_path / "dask.db") == outcomes(tmp_path / "local.db")
