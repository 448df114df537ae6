"""The batch summary: a table of statuses and scores, and a grade-distribution plot.

matplotlib is imported inside `plot_distribution` only: the classroom imports no plotting
or ML library at import time.
"""

from __future__ import annotations

import statistics
from collections import Counter
from pathlib import Path

from mlops_course.classroom.grading.results import STATUSES, SubmissionGrade


def summary_table(grades: list[SubmissionGrade]) -> str:
    """Counts per status and score statistics, as aligned plain text."""
    if not grades:
        return "no submissions graded"
    counts = Counter(grade.status for grade in grades)
    scores = [grade.score for grade in grades]
    maximum = max(grade.max_score for grade in grades)
    lines = [f"{'status':<14}{'submissions':>12}"]
    lines += [f"{status:<14}{counts[status]:>12}" for status in STATUSES if counts[status]]
    lines.append(f"{'total':<14}{len(grades):>12}")
    lines.append(
        f"score (of {maximum:g}): mean {statistics.fmean(scores):.2f}, "
        f"median {statistics.median(scores):g}, min {min(scores):g}, max {max(scores):g}"
    )
    return "\n".join(lines)


def plot_distribution(grades: list[SubmissionGrade], path: Path, title: str = "") -> Path:
    """Save a histogram of the scores as PNG; returns its path."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    maximum = max((grade.max_score for grade in grades), default=1) or 1
    figure, axes = plt.subplots(figsize=(6, 3.5), dpi=100)
    bins = [edge * maximum / 10 for edge in range(11)]
    axes.hist([grade.score for grade in grades], bins=bins, color="#4c72b0", edgecolor="white")
    axes.set_xlabel(f"score (of {maximum:g})")
    axes.set_ylabel("submissions")
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_title(title or "Grade distribution")
    figure.tight_layout()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path)
    plt.close(figure)
    return path
