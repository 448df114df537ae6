"""Run lessons' notebooks as one batch: parallel workers, one MLflow run per notebook.

Every batch writes its executed notebooks to a folder of its own, `runs/<timestamp>/`,
and records each execution in the course's MLflow store (experiment "course-runs"), so
two batches started at the same moment never overwrite each other.
"""

from __future__ import annotations

import multiprocessing
import time
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from mlops_course.classroom.catalog import Course, Lesson, load_catalog
from mlops_course.classroom.errors import CourseError
from mlops_course.classroom.running.execute import (
    DEFAULT_TIMEOUT_PER_CELL,
    ExecutionResult,
    execute,
)
from mlops_course.classroom.running.parameters import resolve_parameters
from mlops_course.paths import ROOT_ENV, runs_dir

EXPERIMENT = "course-runs"
FOLDER_TIME_FORMAT = "%Y-%m-%dT%H-%M-%S"


class NothingToRun(CourseError):
    """The selection holds no lesson with a notebook to run."""


@dataclass(frozen=True)
class LessonRun:
    """One lesson's execution and the MLflow run that records it."""

    lesson: Lesson
    result: ExecutionResult
    mlflow_run_id: str


@dataclass(frozen=True)
class RunReport:
    """What a batch did: its output folder and one LessonRun per notebook, in lesson order."""

    folder: Path
    runs: tuple[LessonRun, ...]
    tracking_uri: str

    @property
    def ok(self) -> bool:
        return all(run.result.ok for run in self.runs)


ProgressCallback = Callable[[int, int, LessonRun], None]


def run_lessons(
    lesson_ids: Iterable[str] | None = None,
    parameters: Mapping[str, Any] | None = None,
    jobs: int = 1,
    timeout_per_cell: float = DEFAULT_TIMEOUT_PER_CELL,
    on_finished: ProgressCallback | None = None,
) -> RunReport:
    """Execute the lessons' notebooks (default: every written lesson) in `jobs` processes.

    `parameters` (values may be text) override each lesson's catalog defaults. All of
    them are checked against every selected notebook before anything runs.
    `on_finished(done, total, lesson_run)` is called as each notebook finishes.
    """
    course = load_catalog()
    lessons = _select(course, lesson_ids)
    planned = {lesson.id: _lesson_parameters(lesson, parameters or {}) for lesson in lessons}
    folder = _new_run_folder(runs_dir(course.root))
    recorder = _MlflowRecorder()
    finished: dict[str, LessonRun] = {}
    with ProcessPoolExecutor(
        max_workers=max(1, min(jobs, len(lessons))), mp_context=_context()
    ) as pool:
        futures = {
            pool.submit(
                execute,
                lesson.notebook,
                folder / f"{lesson.slug}.ipynb",
                planned[lesson.id],
                timeout_per_cell=timeout_per_cell,
                env_extra={ROOT_ENV: str(course.root)},
                kernel_name=course.kernel,
            ): lesson
            for lesson in lessons
        }
        for future in as_completed(futures):
            lesson = futures[future]
            result = future.result()
            lesson_run = LessonRun(lesson, result, recorder.record(lesson, result, folder))
            finished[lesson.id] = lesson_run
            if on_finished is not None:
                on_finished(len(finished), len(lessons), lesson_run)
    runs = tuple(finished[lesson.id] for lesson in lessons)
    return RunReport(folder=folder, runs=runs, tracking_uri=recorder.uri)


def _select(course: Course, lesson_ids: Iterable[str] | None) -> list[Lesson]:
    if lesson_ids:
        lessons = list(dict.fromkeys(course.lesson(key) for key in lesson_ids))
    else:
        lessons = list(course.written())
    if not lessons:
        raise NothingToRun("no lesson is written yet; see mlops-course list.")
    for lesson in lessons:
        if not lesson.notebook.is_file():
            raise NothingToRun(
                f"lesson '{lesson.id}' is {lesson.status} and its notebook "
                f"{course.relative(lesson.notebook)} does not exist yet; "
                "run a written lesson (see mlops-course list)."
            )
    return lessons


def _lesson_parameters(lesson: Lesson, overrides: Mapping[str, Any]) -> dict[str, Any]:
    """The catalog's defaults with `overrides` on top, converted to the notebook's types."""
    return resolve_parameters(lesson.notebook, {**lesson.parameters, **overrides})


def _new_run_folder(runs: Path) -> Path:
    """Create `runs/<timestamp>/`, or `<timestamp>-2`, -3… if another batch took it first."""
    stamp = datetime.now().strftime(FOLDER_TIME_FORMAT)
    for attempt in range(1, 1000):
        folder = runs / (stamp if attempt == 1 else f"{stamp}-{attempt}")
        try:
            folder.mkdir(parents=True)
        except FileExistsError:
            continue
        return folder
    raise CourseError(f"{runs} already holds 999 run folders for {stamp}; clean it up.")


def _context() -> multiprocessing.context.BaseContext:
    """Fresh worker processes: forking a parent that may hold threads and sockets is unsafe."""
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")


class _MlflowRecorder:
    """Records each execution as an MLflow run in the course store's "course-runs"."""

    def __init__(self) -> None:
        from mlops_course import tracking

        self.uri = tracking.tracking_uri()
        self._tracking = tracking
        self._client: Any = None
        self._experiment_id = ""
        self._lineage: dict[str, str] = {}

    def record(self, lesson: Lesson, result: ExecutionResult, folder: Path) -> str:
        if self._client is None:
            # MLflow takes seconds to import: pay for it once the first notebook is done.
            from mlflow import MlflowClient

            self._experiment_id = self._tracking.configure(EXPERIMENT)
            self._client = MlflowClient(self.uri)
            self._lineage = self._tracking.lineage_tags()
        ended = time.time()
        run = self._client.create_run(
            self._experiment_id,
            start_time=int((ended - result.duration) * 1000),
            run_name=lesson.slug,
            tags={**self._lineage, **_tags(lesson, result, folder)},
        )
        run_id = run.info.run_id
        for name, value in result.parameters.items():
            self._client.log_param(run_id, name, value)
        self._client.log_metric(run_id, "duration_seconds", result.duration)
        if result.output.is_file():
            self._client.log_artifact(run_id, str(result.output))
        status = "FINISHED" if result.ok else "FAILED"
        self._client.set_terminated(run_id, status=status, end_time=int(ended * 1000))
        return run_id


def _tags(lesson: Lesson, result: ExecutionResult, folder: Path) -> dict[str, str]:
    tags = {
        "lesson.id": lesson.id,
        "lesson.slug": lesson.slug,
        "status": result.status,
        "run_folder": str(folder),
    }
    if result.error is not None:
        tags["error"] = str(result.error)
        tags["error.cell_index"] = str(result.error.cell_index)
    return tags
