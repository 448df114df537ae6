"""Grade a whole class: intake, resume, fan-out to workers, gradebook, feedback, summary.

The main process does everything that touches instructor files (catalog, solution,
gradebook, feedback) and hands each worker only a `GradingJob` and one submission's bytes.
Workers are `jobs` processes, each with its own event loop and a kernel pool that starts
the next kernel while the current submission runs; or, with `dask_address`, the tasks of an
existing Dask cluster, which start one kernel per task (no idle kernels left on a shared
cluster). With `jobs == 1` the main process grades itself: no worker start-up to pay.

Before any submission runs, the main process refuses what cannot work (a lesson not
written yet, a missing Jupyter kernel) with one sentence, and runs the reference solution
once (`reference.py`; cached in the gradebook) so that every worker judges against it.

A grade is written to the gradebook as soon as it arrives, in its own transaction.

Workers die with the grader: each asks the kernel for SIGKILL when its parent dies and
watches its parent besides, and its kernels die with it (`sandbox.ResourceLimits.apply`).
Scratch folders of a grader that was killed are removed by the next batch.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import dataclasses
import multiprocessing
import os
import shutil
import tempfile
import threading
import time
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from mlops_course.classroom.errors import CourseError
from mlops_course.classroom.grading.grade import (
    GradingJob,
    GradingLimits,
    grade_payload,
    grader_failure,
)
from mlops_course.classroom.grading.gradebook import Gradebook
from mlops_course.classroom.grading.kernel_pool import KernelPool
from mlops_course.classroom.grading.results import SubmissionGrade
from mlops_course.classroom.grading.sandbox import kill_me_when_parent_dies, probe_sandbox
from mlops_course.classroom.grading.scoring import Reference
from mlops_course.classroom.grading.submissions import Payload, collect_submissions, read_submission

SCRATCH_PREFIX = "mlops-grade-"
OWNER_FILE = "grader.pid"


class GradingSetupError(CourseError):
    """The batch cannot start: the lesson is not written or its kernel is not installed."""

Progress = Callable[[str], None]


@dataclass
class BatchResult:
    """What one `grade_lesson` run did."""

    lesson: str
    graded: list[SubmissionGrade] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # already graded with identical content
    passed_over: list[str] = field(default_factory=list)  # intake entries that are no submission
    reference_seconds: float | None = None  # None: the reference came from the gradebook
    sandbox_warning: str = ""
    lesson_grades: list[SubmissionGrade] = field(default_factory=list)  # whole gradebook
    csv_path: Path | None = None
    plot_path: Path | None = None


def load_job(lesson_key: str, root: Path | None = None,
             limits: GradingLimits | None = None) -> GradingJob:  # fmt: skip
    """Read the catalog and the lesson's solution into a `GradingJob` (without its reference)."""
    return load_lesson(lesson_key, root, limits)[0]


def load_lesson(lesson_key: str, root: Path | None = None,
                limits: GradingLimits | None = None) -> tuple[GradingJob, Path]:  # fmt: skip
    """The lesson's `GradingJob` and the path of its solution; refuses an unwritten lesson."""
    from mlops_course.classroom.authoring.assign import build_exercise
    from mlops_course.classroom.authoring.solution import read_solution
    from mlops_course.classroom.catalog import load_catalog
    from mlops_course.classroom.grading.scenario import load_scenario

    course = load_catalog(root)
    lesson = course.lesson(lesson_key)
    if not lesson.solution.exists():
        raise GradingSetupError(
            f"lesson {lesson.id} ({lesson.slug}) is {lesson.status} and not written yet: "
            f"{course.relative(lesson.solution)} does not exist, so there is nothing to grade "
            "against; `mlops-course list` shows the written lessons."
        )
    solution = read_solution(lesson.solution)
    parameters = dict(lesson.grading_parameters)
    judges = {test.judge for test in solution.tests if test.judge}
    job = GradingJob(
        lesson=lesson.id,
        kernel_name=course.kernel,
        exercise=build_exercise(solution),
        questions=solution.questions,
        parameters=parameters,
        limits=limits or GradingLimits.from_course(course.root),
        exercise_name=lesson.exercise.name,
        scenarios={name: load_scenario(course.root, name, parameters) for name in sorted(judges)},
    )
    return job, lesson.solution


def require_kernel(kernel_name: str) -> None:
    """Refuse a batch whose Jupyter kernel is not installed, before any submission runs."""
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    try:
        KernelSpecManager().get_kernel_spec(kernel_name)
    except NoSuchKernel:
        raise GradingSetupError(
            f"the Jupyter kernel {kernel_name!r} that the course's notebooks run on is not "
            "installed; run `make test` once (it installs it into .venv) or "
            f"`python -m ipykernel install --sys-prefix --name {kernel_name}`."
        ) from None


def with_reference(job: GradingJob, solution: Path, gradebook: Gradebook, kernels: Path,
                   result: BatchResult, progress: Progress) -> GradingJob:  # fmt: skip
    """The job with the reference solution's observations: from the gradebook, or run now."""
    import nbformat

    from mlops_course.classroom.grading.reference import reference_key, run_reference

    content = solution.read_bytes()
    key = reference_key(job, content)
    stored = gradebook.reference(key)
    if stored is not None:
        progress("reference: the solution's observations from the gradebook (unchanged)")
        return dataclasses.replace(job, reference=Reference.from_json(key, stored))
    started = time.monotonic()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # nbformat's notes on an author's notebook, not news
        notebook = nbformat.reads(content.decode("utf-8"), as_version=4)
    reference = run_reference(job, notebook, solution.name, key, kernels)
    result.reference_seconds = time.monotonic() - started
    gradebook.store_reference(key, job.lesson, reference.to_json())
    progress(f"reference: ran the solution with the grading parameters "
             f"({result.reference_seconds:.1f} s)")  # fmt: skip
    return dataclasses.replace(job, reference=reference)


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
    job, solution = load_lesson(lesson_key, root, limits)
    require_kernel(job.kernel_name)
    result = BatchResult(job.lesson)
    support = probe_sandbox()
    result.sandbox_warning = support.warning()
    if result.sandbox_warning:
        progress(result.sandbox_warning)
    remove_stale_scratch()
    scratch = make_scratch()
    try:
        with Gradebook(gradebook_path) as gradebook:
            pending = []
            limit = job.limits.max_notebook_bytes
            found = collect_submissions(Path(submissions), job.exercise_name, scratch, limit,
                                        result.passed_over)  # fmt: skip
            for passed_over in result.passed_over:
                progress(f"passed over {passed_over}")
            kernels = scratch / "kernels"
            kernels.mkdir()
            for submission in found:
                payload = read_submission(submission, limit)
                if payload.sha256 and gradebook.is_graded(job.lesson, payload.student_id,
                                                          payload.sha256):  # fmt: skip
                    result.skipped.append(payload.student_id)
                    progress(f"skipped {payload.student_id!r}: already graded, unchanged")
                else:
                    pending.append(payload)
            total = len(pending)
            if pending:
                job = with_reference(job, solution, gradebook, kernels, result, progress)
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


def make_scratch() -> Path:
    """A fresh scratch folder that names its owner, so a later batch knows it is stale."""
    scratch = Path(tempfile.mkdtemp(prefix=SCRATCH_PREFIX))
    (scratch / OWNER_FILE).write_text(f"{os.getpid()} {_start_time(os.getpid())}\n")
    return scratch


def remove_stale_scratch(folder: Path | None = None) -> list[Path]:
    """Remove the scratch folders of graders that are gone (killed with SIGKILL, say)."""
    removed = []
    for scratch in Path(folder or tempfile.gettempdir()).glob(f"{SCRATCH_PREFIX}*"):
        try:
            pid, started = (scratch / OWNER_FILE).read_text().split()
        except (OSError, ValueError):
            continue  # not one of ours, or still being set up
        if _start_time(int(pid)) != started:  # the pid is gone, or reused by another process
            shutil.rmtree(scratch, ignore_errors=True)
            removed.append(scratch)
    return removed


def _start_time(pid: int) -> str:
    """The process's start time in clock ticks since boot ('gone' if there is no such pid)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return "gone"
    return stat.rsplit(")", 1)[1].split()[19]


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
        for number, payload in enumerate(payloads, 1):
            pool.size = 0 if number == len(payloads) else 1  # no spare after the last one
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
    pool.size = ahead
    return _runtime.loop.run_until_complete(grade_payload(job, payload, pool))


def _grade_in_processes(job: GradingJob, payloads: list[Payload], jobs: int,
                        kernels: Path) -> Iterator[SubmissionGrade]:  # fmt: skip
    # spawn, not fork: a forked copy of a process with live zmq sockets is not safe.
    context = multiprocessing.get_context("spawn")
    with concurrent.futures.ProcessPoolExecutor(jobs, mp_context=context,
                                                initializer=_die_with_grader,
                                                initargs=(os.getpid(),)) as executor:  # fmt: skip
        # The last `jobs` submissions start no spare kernel: nobody would take it.
        last = len(payloads) - jobs
        futures = {
            executor.submit(grade_in_worker, job, payload, str(kernels),
                            int(number < last)): payload
            for number, payload in enumerate(payloads)
        }  # fmt: skip
        for future in concurrent.futures.as_completed(futures):
            yield _result_or_failure(job, futures[future], future)


def _die_with_grader(grader_pid: int) -> None:
    """Worker start-up: end this worker (and so its kernels) when the grader dies.

    PR_SET_PDEATHSIG fires when the thread that started the worker ends, which for a pool
    is not always the grader's death; the watch thread covers the grader itself.
    """
    kill_me_when_parent_dies()

    def watch() -> None:
        while os.getppid() == grader_pid:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, name="watch-grader", daemon=True).start()


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
