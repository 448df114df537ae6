"""A grader killed mid-batch loses no finished grade; Dask grades like local workers."""

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
from mlops_course.classroom.grading.sandbox import KERNEL_UID_BASE, KERNELS_PER_PROCESS

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


def kernels_of(grader_pid: int) -> list[str]:
    """Live processes running as one of the kernel uids that grader process handed out."""
    first = KERNEL_UID_BASE + (grader_pid % 4_000_000) * KERNELS_PER_PROCESS
    listing = subprocess.run(["ps", "-eo", "uid=,pid="], capture_output=True, text=True).stdout
    return [line for line in listing.splitlines()
            if first <= int(line.split()[0]) < first + KERNELS_PER_PROCESS]  # fmt: skip


def test_sigkill_mid_batch_then_rerun_matches_an_uninterrupted_run(tmp_path: Path) -> None:
    folder = submission_folder(tmp_path / "in", STUDENTS)
    grade_lesson("00", folder, tmp_path / "uninterrupted.db", root=GRADING_COURSE)

    killed = tmp_path / "killed.db"
    command = [sys.executable, "-m", "mlops_course.classroom.cli", "grade", "00", str(folder),
               "--gradebook", str(killed)]  # fmt: skip
    environment = {**os.environ, "MLOPS_COURSE_ROOT": str(GRADING_COURSE)}
    grader = subprocess.Popen(command, env=environment, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)  # fmt: skip
    deadline = time.monotonic() + 60
    while rows(killed) < 2 and time.monotonic() < deadline and grader.poll() is None:
        time.sleep(0.05)
    grader.send_signal(signal.SIGKILL)
    grader.wait()
    finished_before_kill = rows(killed)
    assert 2 <= finished_before_kill < len(STUDENTS)
    # The kernels die with the grader (PR_SET_PDEATHSIG on their bwrap); give it a moment.
    deadline = time.monotonic() + 10
    while kernels_of(grader.pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert kernels_of(grader.pid) == []

    rerun = grade_lesson("00", folder, killed, root=GRADING_COURSE)
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
