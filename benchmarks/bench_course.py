"""How long the whole course takes: `mlops-course run --all -j 2` (target: ≤ 5 min).

Calls the function behind the command, `run_lessons(jobs=2)`, in this process, so that
besides the total it can report each notebook's own duration from the run report
(targets: each ≤ 20 s, median ≤ 10 s). Like `make course`, it writes to runs/ and
records the runs in the course's MLflow store. Run it directly, or call `measure()`.
"""

from __future__ import annotations

import statistics
import time

JOBS = 2
COURSE_TARGET_SECONDS = 300.0
NOTEBOOK_TARGET_SECONDS = 20.0


def measure(jobs: int = JOBS) -> list[dict]:
    """The batch's wall time, then one entry per executed notebook."""
    from mlops_course.classroom.running.runner import run_lessons

    started = time.perf_counter()
    report = run_lessons(jobs=jobs)
    total = time.perf_counter() - started
    durations = [run.result.duration for run in report.runs]
    results = [
        {
            "name": f"course: run --all -j {jobs} ({len(report.runs)} notebooks)",
            "seconds": total,
            "target_seconds": COURSE_TARGET_SECONDS,
            "median_notebook_seconds": statistics.median(durations),
        }
    ]
    results += [
        {
            "name": f"notebook {run.lesson.slug}",
            "seconds": run.result.duration,
            "target_seconds": NOTEBOOK_TARGET_SECONDS,
            "status": run.result.status,
        }
        for run in report.runs
    ]
    return results


if __name__ == "__main__":
    for result in measure():
        print(f"{result['name']}: {result['seconds']:.1f} s")
