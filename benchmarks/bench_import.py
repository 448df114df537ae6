"""How long `import mlops_course` (target: ≤ 0.3 s) and `import nbformat` (≤ 1 s) take in a
fresh interpreter.

Wall time of a whole `python -c "import …"` subprocess, interpreter start-up included:
that is what a student's kernel or the `mlops-course` command pays. Run it directly for a
one-line result per import, or call `measure()`.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time

RUNS = 7
IMPORTS = {
    "mlops_course": 0.3,  # what every lesson notebook pays before its first cell's work
    "mlops_course.classroom.cli": None,  # what every `mlops-course` command pays
    # What every JupyterLab server, papermill run, grader worker and test worker pays: 3.1 s
    # while jsonschema imported rfc3987-syntax, 0.4-0.7 s since requirements/excluded.txt.
    "nbformat": 1.0,
}


def _median_wall_time(statement: str, runs: int) -> float:
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", statement], check=True)
        timings.append(time.perf_counter() - started)
    return statistics.median(timings)


def measure(runs: int = RUNS) -> list[dict]:
    """Median wall time of `runs` fresh-interpreter imports of each module."""
    return [
        {
            "name": f"import {module}",
            "seconds": _median_wall_time(f"import {module}", runs),
            "target_seconds": target,
            "runs": runs,
        }
        for module, target in IMPORTS.items()
    ]


if __name__ == "__main__":
    for result in measure():
        print(f"{result['name']}: {result['seconds']:.3f} s median of {result['runs']}")
