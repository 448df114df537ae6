"""Grading throughput: `-j 1` and `-j 2` against bare nbclient, interleaved in one run.

The floor executes the very notebooks the grader runs (the submission parameterised, then
the helpers cell, the tests and the canaries) with plain nbclient, serially, one kernel
each, no sandbox. The grader adds vetting, restoring, the sandbox, the reference run of the
solution (every measured batch starts with a fresh gradebook, so it pays for it) and the
gradebook, and hides kernel start-up behind a pool of kernels started ahead of need.

The three are measured in rounds, each round in another order (floor, -j 1, -j 2; then
-j 1, -j 2, floor; ...), and the medians compared, so that a change in the machine's load
hits all three alike. Targets (docs/performance.md): `-j 1` at most 0.85x the floor,
`-j 2` at most 0.5x. Lesson 00's solution is the submission, 20 copies.
Run it directly for a table, or call `measure()`.
"""

from __future__ import annotations

import shutil
import statistics
import tempfile
import time
from pathlib import Path

SUBMISSIONS = 20
ROUNDS = 3
REPO = Path(__file__).resolve().parent.parent
TARGETS = {1: 0.85, 2: 0.5}


def _floor_seconds(folder: Path) -> float:
    import asyncio

    import nbformat
    from nbclient import NotebookClient

    from mlops_course.classroom.grading.batch import load_job
    from mlops_course.classroom.grading.grade import build_graded_notebook

    job = load_job("00", REPO)
    notebooks = []
    for path in sorted(folder.glob("*/*.ipynb")):
        graded, _ = build_graded_notebook(job, nbformat.read(path, as_version=4))
        notebooks.append(graded)
    started = time.perf_counter()
    for notebook in notebooks:
        with tempfile.TemporaryDirectory() as cwd:
            client = NotebookClient(notebook, kernel_name=job.kernel_name, allow_errors=True,
                                    resources={"metadata": {"path": cwd}})  # fmt: skip
            asyncio.run(client.async_execute())
    return time.perf_counter() - started


def _grader_seconds(folder: Path, gradebook: Path, jobs: int) -> tuple[float, set[str]]:
    from mlops_course.classroom.grading.batch import grade_lesson

    started = time.perf_counter()
    result = grade_lesson("00", folder, gradebook, jobs=jobs, root=REPO)
    return time.perf_counter() - started, {grade.status for grade in result.graded}


def measure(submissions: int = SUBMISSIONS, rounds: int = ROUNDS) -> list[dict]:
    from mlops_course.classroom.catalog import load_catalog

    lesson = load_catalog(REPO).lesson("00")
    scratch = Path(tempfile.mkdtemp(prefix="bench-grade-"))
    try:
        folder = scratch / "in"
        for number in range(submissions):
            student = folder / f"student-{number:02d}"
            student.mkdir(parents=True)
            shutil.copyfile(lesson.solution, student / lesson.exercise.name)
        kinds = ["floor", 1, 2]
        seconds: dict[object, list[float]] = {kind: [] for kind in kinds}
        statuses: set[str] = set()
        for number in range(rounds):
            for kind in kinds[number % 3:] + kinds[: number % 3]:
                if kind == "floor":
                    seconds[kind].append(_floor_seconds(folder))
                    continue
                gradebook = scratch / f"gradebook-{number}-{kind}.db"
                took, seen = _grader_seconds(folder, gradebook, int(kind))
                seconds[kind].append(took)
                statuses |= seen
        floor = statistics.median(seconds["floor"])
        figures = [{"name": f"floor: bare nbclient, {submissions} notebooks serially",
                    "seconds": floor, "runs": seconds["floor"]}]  # fmt: skip
        for jobs, target in TARGETS.items():
            median = statistics.median(seconds[jobs])
            figures.append({
                "name": f"grade {submissions} submissions of lesson 00, -j {jobs}",
                "seconds": median,
                "target_seconds": target * floor,
                "ratio_to_floor": round(median / floor, 2),
                "runs": seconds[jobs],
                "statuses": ",".join(sorted(statuses)),
            })  # fmt: skip
        return figures
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    for figure in measure():
        print(figure)
