"""Grade a whole class: intake, resume, fan-out to workers, gradebook, feedback, summary.

The main process does everything that touches instructor files (catalog, solution,
gradebook, feedback) and hands each worker only a `GradingJob` and one submission's bytes.
Workers are `jobs` processes, each with its own event loop and a kernel pool that starts
the next kernel while the current submission runs; or, with `dask_address`, the tasks of an
existing Dask cluster, which start one kernel per task (no idle kernels left on a shared
cluster). With `jobs == 1` the main process grades itself: no worker start-up to pay.

A grade is written to the gradebook as soon as it arrives, in its own transaction.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import multiprocessing
import shutil
import tempfile
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from mlops_course.classroom.grading.grade import (
    GradingJob,
    GradingLimits,
    grade_payload,
    grader_failure,
)
from mlops_course.classroom.grading.gradebook import Gradebook
from mlops_course.classroom.grading.kernel_pool import KernelPool
from mlops_course.classroom.grading.results import SubmissionGrade
from mlops_course.classroom.grading.sandbox import probe_sandbox
from mlops_course.classroom.grading.submissions import Payload, collect_submissions, read_submission

Progress = Callable[[str], None]


@dataclass
class BatchResult:
    """What one `grade_lesson` run did."""

    lesson: str
    graded: list[SubmissionGrade] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # already graded with identical content
    sandbox_warning: str = ""
    lesson_grades: list[SubmissionGrade] = field(default_factory=list)  # whole gradebook
    csv_path: Path | None = None
    plot_path: Path | None = None


def load_job(lesson_key: str, root: Path | None = None,
             limits: GradingLimits | None = None) -> GradingJob:  # fmt: skip
    """Read the catalog and the lesson's solution into a `GradingJob`."""
    from mlops_course.classroom.authoring.assign import build_exercise
    from mlops_course.classroom.authoring.solution import read_solution
    from mlops_course.classroom.catalog import load_catalog

    course = load_catalog(root)
    lesson = course.lesson(lesson_key)
    solution = read_solution(lesson.solution)
    return GradingJob(
        lesson=lesson.id,
        kernel_name=course.kernel,
        exercise=build_exercise(solution),
        questions=solution.questions,
        parameters=dict(lesson.grading_parameters),
        limits=limits or GradingLimits.from_course(course.root),
        exercise_name=lesson.exercise.name,
    )


def grade_lesson(
    lesson_key: str,
    submissions: Path,
    gradebook_path: Path,
    *,
    jobs: int = 1,
    dask_address: str | None = None,
    root: Path | None = None,
    limits: GradingLimits | None = None,
    feedback_dir: Path | None = None,
    csv_path: Path | None = None,
    progress: Progress = lambda line: None,
) -> BatchResult:
    """Grade every submission of a lesson into the gradebook; returns what happened.

    Afterwards the lesson's whole gradebook goes to `csv_path` (if given) and its grade
    distribution to a PNG: in `feedback_dir/<lesson>/`, else beside the CSV, else beside
    the gradebook.
    """
    job = load_job(lesson_key, root, limits)
    result = BatchResult(job.lesson)
    support = probe_sandbox()
    result.sandbox_warning = support.warning()
    if result.sandbox_warning:
        progress(result.sandbox_warning)
    scratch = Path(tempfile.mkdtemp(prefix="mlops-grade-"))
    try:
        with Gradebook(gradebook_path) as gradebook:
            pending = []
            limit = job.limits.max_notebook_bytes
            for submission in collect_submissions(Path(submissions), job.exercise_name, scratch,
                                                  limit):  # fmt: skip
                payload = read_submission(submission, limit)
                if payload.sha256 and gradebook.is_graded(job.lesson, payload.student_id,
                                                          payload.sha256):  # fmt: skip
                    result.skipped.append(payload.student_id)
                    progress(f"skipped {payload.student_id!r}: already graded, unchanged")
                else:
                    pending.append(payload)
            total = len(pending)
            kernels = scratch / "kernels"
            kernels.mkdir()
            for done, grade in enumerate(_grade_all(job, pending, jobs, dask_address, kernels), 1):
                gradebook.record(grade)
                result.graded.append(grade)
                if feedback_dir is not None:
                    from mlops_course.classroom.grading.feedback import write_feedback

                    write_feedback(grade, feedback_dir)
                progress(_progress_line(done, total, grade))
            _finish(result, gradebook, Path(gradebook_path), feedback_dir, csv_path)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return result


def _finish(result: BatchResult, gradebook: Gradebook, gradebook_path: Path,
            feedback_dir: Path | None, csv_path: Path | None) -> None:  # fmt: skip
    from mlops_course.classroom.grading.grade_report import plot_distribution

    result.lesson_grades = gradebook.grades(result.lesson)
    if csv_path is not None:
        result.csv_path = gradebook.export_csv(result.lesson, csv_path)
    if feedback_dir is not None:
        plot = Path(feedback_dir) / result.lesson / "grade-distribution.png"
    elif csv_path is not None:
        plot = Path(csv_path).with_suffix(".png")
    else:
        plot = gradebook_path.with_name(f"{gradebook_path.stem}-{result.lesson}-grades.png")
    if result.lesson_grades:
        title = f"Lesson {result.lesson}: {len(result.lesson_grades)} submissions"
        result.plot_path = plot_distribution(result.lesson_grades, plot, title)


def _progress_line(done: int, total: int, grade: SubmissionGrade) -> str:
    width = len(str(total))
    reason = f" - {grade.reason}" if grade.reason else ""
    return (
        f"[{done:>{width}}/{total}] {grade.student_id!r}: {grade.status} "
        f"{grade.score:g}/{grade.max_score:g} ({grade.seconds:.1f} s){reason}"
    )


def _grade_all(job: GradingJob, payloads: list[Payload], jobs: int, dask_address: str | None,
               kernels: Path) -> Iterator[SubmissionGrade]:  # fmt: skip
    if not payloads:
        return iter(())
    if dask_address:
        return _grade_on_dask(job, payloads, dask_address)
    if jobs <= 1:
        return _grade_here(job, payloads, kernels)
    return _grade_in_processes(job, payloads, jobs, kernels)


def _grade_here(job: GradingJob, payloads: list[Payload], kernels: Path) -> Iterator:
    loop = asyncio.new_event_loop()
    pool = KernelPool(job.kernel_name, job.limits.resources, size=1, parent=kernels)
    try:
        for payload in payloads:
            yield loop.run_until_complete(grade_payload(job, payload, pool))
    finally:
        loop.run_until_complete(pool.close())
        loop.close()


class _WorkerRuntime(threading.local):
    """Per worker thread: one event loop and one kernel pool, kept across submissions."""

    loop: asyncio.AbstractEventLoop | None = None
    pool: KernelPool | None = None


_runtime = _WorkerRuntime()


def grade_in_worker(job: GradingJob, payload: Payload, kernels: str | None,
                    ahead: int) -> SubmissionGrade:  # fmt: skip
    """Grade one submission in a worker; picklable entry point for processes and Dask."""
    if _runtime.loop is None:
        _runtime.loop = asyncio.new_event_loop()
    parent = Path(kernels) if kernels else None
    pool = _runtime.pool
    if pool is None or (pool.kernel_name, pool.limits, pool.parent) != (
        job.kernel_name, job.limits.resources, parent,
    ):  # fmt: skip
        if pool is not None:
            _runtime.loop.run_until_complete(pool.close())
        pool = _runtime.pool = KernelPool(job.kernel_name, job.limits.resources, ahead, parent)
    return _runtime.loop.run_until_complete(grade_payload(job, payload, pool))


def _grade_in_processes(job: GradingJob, payloads: list[Payload], jobs: int,
                        kernels: Path) -> Iterator[SubmissionGrade]:  # fmt: skip
    # spawn, not fork: a forked copy of a process with live zmq sockets is not safe.
    context = multiprocessing.get_context("spawn")
    with concurrent.futures.ProcessPoolExecutor(jobs, mp_context=context) as executor:
        futures = {
            executor.submit(grade_in_worker, job, payload, str(kernels), 1): payload
            for payload in payloads
        }
        for future in concurrent.futures.as_completed(futures):
            yield _result_or_failure(job, futures[future], future)


def _result_or_failure(job: GradingJob, payload: Payload, future: object) -> SubmissionGrade:
    """A worker that died or raised costs that submission an `error` row, not the batch."""
    try:
        return future.result()  # type: ignore[attr-defined]
    except Exception as error:
        return grader_failure(job, payload, error)


def _grade_on_dask(job: GradingJob, payloads: list[Payload],
                   address: str) -> Iterator[SubmissionGrade]:  # fmt: skip
    from distributed import Client, as_completed

    with Client(address) as client:
        futures = {
            client.submit(grade_in_worker, job, payload, None, 0, pure=False): payload
            for payload in payloads
        }
        for future in as_completed(list(futures)):
            yield _result_or_failure(job, futures[future], future)
