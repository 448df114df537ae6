"""Grade one submission: vet -> restore -> inject tests -> run in the sandbox -> score.

The notebook that runs is the student's own (locked cells restored) with the lesson's
grading parameters injected by papermill, followed by:
1. a cell that re-imports the course package fresh and drops the memory a failed student
   cell may still hold (so a student's redefined `check` or helper is gone);
2. one cell per test, public and hidden, in question order, each the test's
   `grading_source` (its prelude, its function, its call).
No student cell runs after the first hidden test's source reaches the kernel, and a test
passes if and only if its cell's execute reply says `ok`.

Scoring is all-or-nothing per question: a question earns its points when every one of its
tests passes and 0 otherwise. Partial credit would pay for an answer that passes a shape
test but computes the wrong number; the feedback still lists each test's verdict.
"""

from __future__ import annotations

import time
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nbformat import NotebookNode
from nbformat.v4 import new_code_cell

from mlops_course.classroom.authoring.solution import Question, Test
from mlops_course.classroom.errors import CourseError
from mlops_course.classroom.grading.cell_runner import RunLimits, RunRecord, run_notebook
from mlops_course.classroom.grading.kernel_pool import KernelPool
from mlops_course.classroom.grading.restore import restore_locked_cells
from mlops_course.classroom.grading.results import (
    CRASHED,
    ERROR,
    GRADED,
    INVALID,
    MEMORY,
    OUTPUT_LIMIT,
    TIMEOUT,
    QuestionScore,
    SubmissionGrade,
    TestOutcome,
)
from mlops_course.classroom.grading.sandbox import ResourceLimits
from mlops_course.classroom.grading.submissions import MAX_NOTEBOOK_BYTES, Payload, vet_notebook

GRADER_CELL_KEY = "mlops_course_grader"
MESSAGE_LIMIT = 300

FRESH_HELPERS_SOURCE = """\
import builtins as _grader_builtins, gc as _grader_gc, sys as _grader_sys
# Forget the course package as the student's code may have patched it; the tests' own
# imports load it fresh from disk.
for _grader_name in [n for n in _grader_sys.modules if n.split(".")[0] == "mlops_course"]:
    del _grader_sys.modules[_grader_name]
# A global named like a builtin (abs = lambda x: 0) would shadow it inside the tests.
for _grader_name in [n for n in dir(_grader_builtins) if not n.startswith("_")]:
    globals().pop(_grader_name, None)
# A MemoryError's traceback keeps the failed cell's allocations alive; let them go.
_grader_sys.last_type = _grader_sys.last_value = _grader_sys.last_traceback = None
_grader_gc.collect()
from mlops_course.classroom import check, check_all  # noqa: F401
"""


class GradingConfigError(CourseError):
    """The [grading] table of course.toml holds an unknown key or a bad value."""


@dataclass(frozen=True)
class GradingLimits:
    """The bounds of one submission's run; course.toml's [grading] table overrides them."""

    cell_timeout: float = 60.0
    total_timeout: float = 600.0
    memory_mb: int = 2048
    max_processes: int = 64
    max_file_mb: int = 64
    cpu_seconds: int = 600
    output_limit_kb: int = 5 * 1024
    max_notebook_mb: float = MAX_NOTEBOOK_BYTES / 1024**2

    @classmethod
    def from_course(cls, root: Path) -> GradingLimits:
        """Read `[grading]` from root/course/course.toml (absent: the defaults)."""
        with (root / "course" / "course.toml").open("rb") as handle:
            table = tomllib.load(handle).get("grading", {})
        known = cls.__dataclass_fields__
        for key, value in table.items():
            if key not in known:
                raise GradingConfigError(
                    f"[grading] in course.toml has an unknown key {key!r}; use one of "
                    f"{', '.join(known)}."
                )
            if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
                raise GradingConfigError(
                    f"[grading] {key} in course.toml is {value!r}; it must be a positive number."
                )
        return cls(**table)

    @property
    def resources(self) -> ResourceLimits:
        return ResourceLimits(
            memory_bytes=self.memory_mb * 1024**2,
            max_processes=self.max_processes,
            max_file_bytes=self.max_file_mb * 1024**2,
            cpu_seconds=self.cpu_seconds,
        )

    @property
    def run(self) -> RunLimits:
        return RunLimits(self.cell_timeout, self.total_timeout, self.output_limit_kb * 1024)

    @property
    def max_notebook_bytes(self) -> int:
        return int(self.max_notebook_mb * 1024**2)


@dataclass(frozen=True)
class GradingJob:
    """Everything a worker needs to grade any submission of one lesson (picklable)."""

    lesson: str
    kernel_name: str
    exercise: NotebookNode  # built from the solution: the source of the locked cells
    questions: tuple[Question, ...]
    parameters: dict[str, Any]
    limits: GradingLimits = field(default_factory=GradingLimits)
    exercise_name: str = ""  # the file name each student submits

    @property
    def max_score(self) -> float:
        return sum(question.points for question in self.questions)


def build_graded_notebook(job: GradingJob, notebook: NotebookNode) -> tuple[NotebookNode, list]:
    """The student's notebook, parameterised, then the fresh-helpers cell and one cell per test.

    Returns the notebook and, per test, the index of its cell.
    """
    from papermill.parameterize import parameterize_notebook

    # papermill's loader gives every cell tags and the notebook a papermill section;
    # parameterize_notebook relies on both.
    for cell in notebook.cells:
        cell.metadata.setdefault("tags", [])
    notebook.metadata.setdefault("papermill", {})
    graded = parameterize_notebook(
        notebook, job.parameters, kernel_name=job.kernel_name, language="python"
    )
    graded.cells.append(new_code_cell(FRESH_HELPERS_SOURCE, metadata={GRADER_CELL_KEY: "helpers"}))
    # Run the grading parameters once more right before the tests: a student who rebinds
    # `seed` or `days` after the parameters cell must not steer what the tests recompute.
    injected = [c for c in graded.cells if "injected-parameters" in c.metadata.get("tags", [])]
    if injected:
        graded.cells.append(
            new_code_cell(injected[0].source, metadata={GRADER_CELL_KEY: "parameters"})
        )
    placed = []
    for question in job.questions:
        for test in question.tests:
            placed.append((test, len(graded.cells)))
            graded.cells.append(
                new_code_cell(test.grading_source, metadata={GRADER_CELL_KEY: test.name})
            )
    return graded, placed


def score_tests(
    placed: list[tuple[Test, int]], record: RunRecord, limits: GradingLimits
) -> list[TestOutcome]:
    """Each test's verdict from its cell's execute reply; a cell that never ran failed."""
    outcomes = []
    for test, index in placed:
        reply = record.replies.get(index)
        if reply is None:
            message = _not_run_message(record, index, limits)
            outcomes.append(TestOutcome(test.question, test.name, test.hidden, False, message))
            continue
        passed = reply.status == "ok" and index not in record.timed_out_cells
        message = "" if passed else f"{reply.ename}: {reply.evalue}".strip(": ")[:MESSAGE_LIMIT]
        if index in record.timed_out_cells:
            message = f"ran longer than the {limits.cell_timeout:g} s cell timeout"
        outcomes.append(TestOutcome(test.question, test.name, test.hidden, passed, message))
    return outcomes


def _not_run_message(record: RunRecord, index: int, limits: GradingLimits) -> str:
    if record.crashed_at is not None and record.crashed_at <= index:
        return "not run: the kernel had died"
    if record.killed_for_timeout:
        return "not run: the notebook ran out of time"
    return "not run"


def score_questions(questions: tuple[Question, ...], tests: list[TestOutcome]) -> list:
    """All or nothing per question: its points when every test passed, else 0."""
    scores = []
    for question in questions:
        mine = [test for test in tests if test.question == question.id]
        failed = [test for test in mine if not test.passed]
        if not failed:
            reason = f"all {len(mine)} tests passed"
            scores.append(QuestionScore(question.id, question.points, question.points, reason))
            continue
        kinds = sorted({"hidden" if test.hidden else "public" for test in failed})
        reason = f"{len(failed)} of {len(mine)} tests failed ({' and '.join(kinds)})"
        scores.append(QuestionScore(question.id, 0.0, question.points, reason))
    return scores


def _snippet(notebook: NotebookNode, index: int) -> str:
    first_line = (notebook.cells[index].source.strip().splitlines() or [""])[0]
    return first_line[:50] + ("…" if len(first_line) > 50 else "")


def run_status(record: RunRecord, notebook: NotebookNode, limits: GradingLimits) -> tuple:
    """The run's status (the worst incident) and its reason, naming every incident."""
    incidents: list[tuple[str, str]] = []
    if record.crashed_at is not None:
        cell = _snippet(notebook, record.crashed_at)
        incidents.append((CRASHED, (
            f"the kernel died while running the cell starting {cell!r} (os._exit, a signal, "
            "or the CPU limit); the tests that could not run scored 0"
        )))  # fmt: skip
    if record.killed_for_timeout:
        incidents.append((TIMEOUT, (
            f"the notebook did not finish within the {limits.total_timeout:g} s total timeout "
            "or ignored an interrupt, and was stopped; the tests that could not run scored 0"
        )))  # fmt: skip
    elif record.timed_out_cells:
        cell = _snippet(notebook, record.timed_out_cells[0])
        incidents.append((TIMEOUT, (
            f"the cell starting {cell!r} ran past the {limits.cell_timeout:g} s cell timeout "
            "and was interrupted"
        )))  # fmt: skip
    if record.memory_errors():
        cell = _snippet(notebook, record.memory_errors()[0])
        incidents.append((MEMORY, (
            f"the cell starting {cell!r} hit the {limits.memory_mb} MB memory limit "
            "(MemoryError)"
        )))  # fmt: skip
    if record.output_truncated:
        incidents.append((OUTPUT_LIMIT, (
            f"the notebook printed more than {limits.output_limit_kb} KB; later output was "
            "dropped, grading went on"
        )))  # fmt: skip
    if not incidents:
        return GRADED, ""
    return incidents[0][0], "; and ".join(reason for _, reason in incidents)


def grader_failure(job: GradingJob, payload: Payload, error: BaseException) -> SubmissionGrade:
    """The grade recorded when the grader itself failed: status error, retried on rerun."""
    return SubmissionGrade(payload.student_id, job.lesson, ERROR,
                           f"the grader failed on this notebook: {error!r}"[:MESSAGE_LIMIT],
                           job.max_score, payload.sha256)  # fmt: skip


async def grade_payload(job: GradingJob, payload: Payload, pool: KernelPool) -> SubmissionGrade:
    """Grade one submission with a kernel from `pool`; every failure becomes a status."""
    started = time.monotonic()
    grade = SubmissionGrade(payload.student_id, job.lesson, INVALID, payload.problem,
                            job.max_score, payload.sha256)  # fmt: skip
    if payload.content is None:
        return grade
    vetted = vet_notebook(payload.content)
    grade.notes += vetted.repairs
    if vetted.notebook is None:
        grade.reason = vetted.invalid_reason
        return grade
    restored = restore_locked_cells(vetted.notebook, job.exercise)
    grade.notes += restored.notes
    try:
        notebook, placed = build_graded_notebook(job, restored.notebook)
        kernel = await pool.take()
    except Exception as error:  # the grader's own failure: recorded, retried on rerun
        return grader_failure(job, payload, error)
    try:
        grade.sandboxed = kernel.sandboxed
        record = await run_notebook(notebook, kernel, job.limits.run)
    finally:
        await kernel.shutdown()
    grade.tests = score_tests(placed, record, job.limits)
    grade.questions = score_questions(job.questions, grade.tests)
    grade.status, grade.reason = run_status(record, notebook, job.limits)
    grade.seconds = time.monotonic() - started
    return grade
