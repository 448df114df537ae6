"""Grade one submission: vet -> restore -> inject tests -> run in the sandbox -> judge.

The notebook that runs is the student's own (locked cells restored) with the lesson's
grading parameters injected by papermill, followed by grader cells:
1. a cell that re-imports the course package fresh and drops the memory a failed student
   cell may still hold (so a student's redefined `check` or helper is gone), then the
   grading parameters once more;
2. one cell per test, public and hidden, in question order, each the test's
   `grading_source` (its prelude, its function, its call); a test that drives a system is
   followed by one step cell per step of its scenario;
3. canary cells, shaped like tests, at random places among the test cells.
No student cell runs after the first hidden test's source reaches the kernel. The verdicts
are decided here, in the grader's process (`scoring.py`): a hidden test passes only with
an `ok` reply AND observations that match the reference solution's.

Scoring is all-or-nothing per question: a question earns its points when every one of its
tests passes and 0 otherwise. Partial credit would pay for an answer that passes a shape
test but computes the wrong number; the feedback still lists each test's verdict.
"""

from __future__ import annotations

import random
import secrets
import time
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nbformat import NotebookNode
from nbformat.v4 import new_code_cell

from mlops_course.classroom.authoring.solution import Question
from mlops_course.classroom.errors import CourseError
from mlops_course.classroom.grading.canaries import draw_canaries, positions
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
    TAMPERED,
    TIMEOUT,
    SubmissionGrade,
)
from mlops_course.classroom.grading.sandbox import ResourceLimits
from mlops_course.classroom.grading.scenario import STEP_FUNCTION, Scenario
from mlops_course.classroom.grading.scoring import (
    MESSAGE_LIMIT,
    Judging,
    PlacedCell,
    Reference,
    score_questions,
    score_tests,
    tampering,
    zero_for_tampering,
)
from mlops_course.classroom.grading.submissions import MAX_NOTEBOOK_BYTES, Payload, vet_notebook

GRADER_CELL_KEY = "mlops_course_grader"

FRESH_HELPERS_SOURCE = f"""\
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
from mlops_course.classroom import check, check_all, drive, observe  # noqa: F401
from mlops_course.classroom.authoring.observe import step as {STEP_FUNCTION}  # noqa: F401
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
    reference: Reference | None = None  # set by the batch before any submission is graded
    scenarios: dict[str, Scenario] = field(default_factory=dict)  # by judge name

    @property
    def max_score(self) -> float:
        return sum(question.points for question in self.questions)

    @property
    def judging(self) -> Judging:
        return Judging(self.reference, self.scenarios, self.parameters, self.limits.cell_timeout)


def build_graded_notebook(
    job: GradingJob, notebook: NotebookNode, *, canaries: bool = True,
    rng: random.Random | None = None,
) -> tuple[NotebookNode, list]:  # fmt: skip
    """The student's notebook, parameterised, then the grader cells (see the module docstring).

    Returns the notebook and its placed grader cells. Without `canaries` (the reference run
    of the solution) no canary is placed.
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
    tests = [test for question in job.questions for test in question.tests]
    rng = rng or random.Random(secrets.randbits(64))
    drawn = draw_canaries({test.name for test in tests}, rng) if canaries else []
    rng.shuffle(drawn)
    slots = positions(len(tests), len(drawn), rng)
    placed: list[PlacedCell] = []

    def add(source: str, role: str, **kind: Any) -> None:
        placed.append(PlacedCell(len(graded.cells), **kind))
        graded.cells.append(new_code_cell(source, metadata={GRADER_CELL_KEY: role}))

    for number, test in enumerate([*tests, None]):
        while drawn and slots[0] == number:
            canary = drawn.pop(0)
            slots.pop(0)
            add(canary.source, "test", canary=canary)
        if test is None:
            break
        add(test.grading_source, "test", test=test)
        if test.judge:
            for step in job.scenarios[test.judge].step_sources():
                add(step, "step", step_of=test.judge)
    return graded, placed


def _snippet(notebook: NotebookNode, index: int) -> str:
    first_line = (notebook.cells[index].source.strip().splitlines() or [""])[0]
    return first_line[:50] + ("…" if len(first_line) > 50 else "")


def run_status(record: RunRecord, notebook: NotebookNode, limits: GradingLimits,
               lies: list[str] | None = None) -> tuple:  # fmt: skip
    """The run's status (the worst incident) and its reason, naming every incident."""
    incidents: list[tuple[str, str]] = []
    if lies:
        incidents.append((TAMPERED, (
            "the kernel lied to the grader (" + "; ".join(lies) + "); 0 points, review it"
        )))  # fmt: skip
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
    try:
        grade.tests = score_tests(placed, record, job.judging)
    except Exception as error:  # a broken judge is the grader's failure, not the student's
        return grader_failure(job, payload, error)
    lies = tampering(placed, record)
    grade.questions = (zero_for_tampering(job.questions) if lies
                       else score_questions(job.questions, grade.tests))  # fmt: skip
    grade.status, grade.reason = run_status(record, notebook, job.limits, lies)
    grade.seconds = time.monotonic() - started
    return grade
