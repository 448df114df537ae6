"""What `check("q1")` costs beyond the work of the tests it runs (target: at most 0.1 s).

A question with 6 public tests that do nothing, so that all the time measured is the
checker's: looking the tests up, running them under its guard, and rendering the result
both ways (HTML for JupyterLab, text for papermill). A second figure is the one-off cost
of importing the checks module in a fresh interpreter, which the exercise's setup cell
pays once. Run it directly for one line per figure, or call `measure()`.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time

RUNS = 200
TESTS_PER_QUESTION = 6
TARGET_SECONDS = 0.1


def measure(runs: int = RUNS) -> dict:
    """Median seconds of check() + both renderings, and of a cold import of the module."""
    from mlops_course.classroom.authoring import checks

    saved = dict(checks._registry)
    try:
        checks._registry.clear()
        for number in range(TESTS_PER_QUESTION):
            checks.public_test("q1")(_named_test(number, passes=number % 2 == 0))
        timings = []
        for _ in range(runs):
            started = time.perf_counter()
            result = checks.check("q1")
            result._repr_html_()
            repr(result)
            timings.append(time.perf_counter() - started)
    finally:
        checks._registry.clear()
        checks._registry.update(saved)
    return {
        "name": f"check(): overhead for {TESTS_PER_QUESTION} no-op tests, both renderings",
        "seconds": statistics.median(timings),
        "target_seconds": TARGET_SECONDS,
        "worst_seconds": max(timings),
        "import_seconds": _cold_import_seconds(),
    }


def _named_test(number: int, passes: bool):
    def test():
        assert passes, "this test fails on purpose, so failure messages are rendered too"

    test.__name__ = f"test_{number}"
    return test


def _cold_import_seconds() -> float:
    code = (
        "import time; started = time.perf_counter(); "
        "import mlops_course.classroom.authoring.checks; print(time.perf_counter() - started)"
    )
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    return float(output.stdout)


if __name__ == "__main__":
    result = measure()
    print(
        f"{result['name']}: {result['seconds'] * 1e3:.3f} ms median of {RUNS} "
        f"(worst {result['worst_seconds'] * 1e3:.3f} ms); cold import of the checks module "
        f"{result['import_seconds'] * 1e3:.1f} ms"
    )
