"""How a batch of notebook runs is shown: a progress line per notebook, a summary table."""

from __future__ import annotations

from mlops_course.classroom.running.runner import EXPERIMENT, LessonRun, RunReport
from mlops_course.classroom.text import display_path, format_table


def progress_line(done: int, total: int, run: LessonRun) -> str:
    """E.g. `[2/3] 00-mlops-lifecycle ok 12.4 s`, with the failing cell and error if any."""
    line = f"[{done}/{total}] {run.lesson.slug} {run.result.status} {run.result.duration:.1f} s"
    return line if run.result.error is None else f"{line} — {run.result.error}"


def summary(report: RunReport) -> str:
    """The batch as a table, then where its notebooks and MLflow runs are."""
    rows = [
        (
            run.lesson.slug,
            run.result.status,
            round(run.result.duration, 1),
            display_path(run.result.output) if run.result.error is None else str(run.result.error),
        )
        for run in report.runs
    ]
    table = format_table(("lesson", "status", "seconds", "executed notebook / error"), rows)
    passed = sum(run.result.ok for run in report.runs)
    return (
        f"{table}\n\n{passed} of {len(report.runs)} notebooks ran without error; executed "
        f"notebooks in {display_path(report.folder)}, MLflow experiment '{EXPERIMENT}' in "
        f"{report.tracking_uri}"
    )
