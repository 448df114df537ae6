"""The reference run: the solution notebook graded like a submission, once per batch.

Its hidden tests' observations are what every submission's observations are compared with
(`judge.py`), so they are made under the same grading parameters, in the same sandbox, by
the same grader cells, only without canaries. The run doubles as the author's check: a
solution that fails one of its own tests, a hidden test that observes nothing, observes
only verdicts (`True`, `None`) or fails its own judge stops the batch before any student
is graded, with one sentence naming the test and the fix.

The observations are cached in the gradebook under a key of everything they depend on —
the solution's bytes, the grading parameters, the kernel, the course package's code and
the judges' code and feeds — so workers and resumed runs reuse them and a changed solution
is run again.
"""

from __future__ import annotations

import asyncio
import copy
import hashlib
import json
from pathlib import Path

from nbformat import NotebookNode

from mlops_course.classroom.errors import CourseError
from mlops_course.classroom.grading.cell_runner import run_notebook
from mlops_course.classroom.grading.grade import GradingJob, build_graded_notebook
from mlops_course.classroom.grading.judge import Observation, parse_observations
from mlops_course.classroom.grading.kernel_pool import start_grading_kernel
from mlops_course.classroom.grading.scoring import PlacedCell, Reference, step_decision


class ReferenceRunError(CourseError):
    """The solution does not pass its own tests, or a hidden test observes nothing useful."""


def reference_key(job: GradingJob, solution_bytes: bytes) -> str:
    """A digest of everything the reference observations depend on."""
    digest = hashlib.sha256(solution_bytes)
    digest.update(json.dumps(job.parameters, sort_keys=True, default=str).encode())
    digest.update(job.kernel_name.encode())
    digest.update(_package_fingerprint().encode())
    for name, scenario in sorted(job.scenarios.items()):
        digest.update(name.encode() + scenario.source.encode())
        digest.update("\n".join(scenario.arguments).encode())
    return digest.hexdigest()


def _package_fingerprint() -> str:
    """The course package's code: the world generator and the helpers shape the values."""
    import mlops_course

    package = Path(mlops_course.__file__).parent
    digest = hashlib.sha256()
    for path in sorted(package.rglob("*.py")):
        digest.update(str(path.relative_to(package)).encode() + path.read_bytes())
    return digest.hexdigest()


def run_reference(job: GradingJob, solution: NotebookNode, solution_name: str, key: str,
                  kernels: Path | None = None) -> Reference:  # fmt: skip
    """Run the solution with the grading parameters in the sandbox and check what it observed."""
    notebook, placed = build_graded_notebook(job, copy.deepcopy(solution), canaries=False)

    async def run() -> object:
        kernel = await start_grading_kernel(job.kernel_name, job.limits.resources, kernels)
        try:
            return await run_notebook(notebook, kernel, job.limits.run)
        finally:
            await kernel.shutdown()

    record = asyncio.run(run())
    return reference_from_run(job, placed, record, solution_name, key)


def reference_from_run(job: GradingJob, placed: list[PlacedCell], record,
                       solution_name: str, key: str) -> Reference:  # fmt: skip
    """The reference observations of a finished run, after the authoring checks."""
    where = f"{solution_name}, run with the grading parameters {job.parameters}"
    if record.crashed_at is not None or record.killed_for_timeout:
        raise ReferenceRunError(
            f"{where}, did not finish (the kernel died or ran out of time); make the solution "
            "run within the [grading] limits of course.toml."
        )
    observations: dict[str, tuple[Observation, ...]] = {}
    for cell in placed:
        test = cell.test
        if test is None:
            continue
        reply = record.replies.get(cell.index)
        if reply is None or reply.status != "ok":
            error = f"{reply.ename}: {reply.evalue}" if reply else "it never ran"
            raise ReferenceRunError(
                f"{where}, fails its own test {test.name} ({error}); fix the solution or the "
                "test so that the solution passes under every grading parameter."
            )
        if not test.hidden:
            continue
        if test.judge:
            decisions = [step_decision(record, step.index) for step in placed
                         if step.step_of == test.judge]  # fmt: skip
            passed, why = job.scenarios[test.judge].judge_decisions(job.parameters, decisions)
            if not passed:
                raise ReferenceRunError(
                    f"{where}, fails its own judge {test.judge!r} in {test.name} ({why}); "
                    "fix the solution or the judge."
                )
            continue
        observed = parse_observations(record.observations.get(cell.index, []))
        _check_observations(test.name, observed, where)
        observations[test.name] = tuple(observed)
    return Reference(key, observations)


def _check_observations(test: str, observed: list[Observation], where: str) -> None:
    labels = [obs.label for obs in observed]
    if not observed:
        raise ReferenceRunError(
            f"{where}: hidden test {test} observed nothing; call observe(value, \"label\") on "
            "what the answer computes."
        )
    if len(set(labels)) != len(labels):
        twice = sorted({label for label in labels if labels.count(label) > 1})
        raise ReferenceRunError(
            f"{where}: hidden test {test} observes {', '.join(twice)} more than once; give "
            "every observation of a test its own label."
        )
    if all(obs.value is True or obs.value is None for obs in observed):
        raise ReferenceRunError(
            f"{where}: hidden test {test} observes only True or None, which anyone can send "
            "without solving; observe the values themselves (numbers, or the outcomes of "
            "cases that must pass and cases that must fail)."
        )
