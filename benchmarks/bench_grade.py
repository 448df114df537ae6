"""Grading throughput: `-j 1` and `-j 2` against bare nbclient, measured in one run.

The floor executes the very notebooks the grader runs (the submission parameterised, then
the helpers cell and one cell per test) with plain nbclient, serially, one kernel each, no
sandbox. The grader adds vetting, restoring, the sandbox and the gradebook, and hides
kernel start-up behind a pool of kernels started ahead of need. Targets: `-j 1` costs at
most 1.3x the floor, `-j 2` at most 0.6x.

Lesson 00 once its solution exists; until then the grading tests' fixture lesson.
Run it directly for a table, or call `measure()`.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from pathlib import Path

SUBMISSIONS = 20
REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "tests" / "fixtures"


def _course_and_submission() -> tuple[Path, str, bytes]:
    """The course root, lesson id and one solved submission to copy SUBMISSIONS times."""
    from mlops_course.classroom.catalog import load_catalog

    lesson = load_catalog(REPO).lesson("00")
    if lesson.solution.is_file():
        # The solution itself is a fully answered submission.
        return REPO, "00", lesson.solution.read_bytes()
    solved = FIXTURES / "submissions" / "solved.ipynb"
    return FIXTURES / "grading-course", "00", solved.read_bytes()


def _floor_seconds(root: Path, lesson: str, folder: Path) -> float:
    import asyncio

    import nbformat
    from nbclient import NotebookClient

    from mlops_course.classroom.grading.batch import load_job
    from mlops_course.classroom.grading.grade import build_graded_notebook

    job = load_job(lesson, root)
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


def measure(submissions: int = SUBMISSIONS) -> list[dict]:
    from mlops_course.classroom.grading.batch import grade_lesson

    root, lesson, solved = _course_and_submission()
    scratch = Path(tempfile.mkdtemp(prefix="bench-grade-"))
    try:
        from mlops_course.classroom.catalog import load_catalog

        folder = scratch / "in"
        name = load_catalog(root).lesson(lesson).exercise.name
        for number in range(submissions):
            (folder / f"student-{number:02d}").mkdir(parents=True)
            (folder / f"student-{number:02d}" / name).write_bytes(solved)
        floor = _floor_seconds(root, lesson, folder)
        figures = []
        for jobs, target in ((1, 1.3), (2, 0.6)):
            started = time.perf_counter()
            result = grade_lesson(lesson, folder, scratch / f"gradebook-{jobs}.db", jobs=jobs,
                                  root=root)  # fmt: skip
            seconds = time.perf_counter() - started
            statuses = {grade.status for grade in result.graded}
            figures.append({
                "name": f"grade {submissions} submissions of lesson {lesson}, -j {jobs}",
                "seconds": seconds,
                "target_seconds": target * floor,
                "ratio_to_floor": round(seconds / floor, 2),
                "statuses": ",".join(sorted(statuses)),
            })  # fmt: skip
        figures.insert(0, {"name": f"floor: bare nbclient, {submissions} notebooks serially",
                           "seconds": floor})  # fmt: skip
        return figures
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    for figure in measure():
        print(figure)
