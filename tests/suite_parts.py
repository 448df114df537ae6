"""The parts of the test suite, by what they prove and what they cost.

`make test` runs them all; `make check` (an author at work) runs the fast ones and only
the lessons that changed. The conftest orders the collected tests slowest part first, so
the two xdist workers start on the long scopes and finish together instead of one idling
while the other grinds through a round trip it picked up last.
"""

from __future__ import annotations

import re
from pathlib import Path

# part -> (what it proves, test modules); a module not listed is a fast unit test.
PARTS = {
    "browser": ("every notebook opens and runs in JupyterLab in Chromium",
                ("test_browser_lab",)),
    "round trips": ("each lesson's solution full marks, exercise zero, known-wrong answers, "
                    "hard-coded answers, forgeries", ("test_lesson_",)),
    "hostile": ("the hostile and forged submissions, SIGKILL and resume, Dask, scenarios",
                ("test_hostile_submissions", "test_grading_resume_and_dask", "test_scenario")),
    "servers": ("the MLflow tracking server and the course runner",
                ("test_tracking_server", "test_runner")),
    "grading": ("the grader's pieces on the fixture course",
                ("test_grading_round_trip", "test_reference_run", "test_grading_front_door",
                 "test_sandbox")),
    "nbval": ("every walkthrough re-executes and matches its stored outputs", ()),
    "unit": ("everything else", ()),
}  # fmt: skip
# Slowest first: the order in which the conftest hands scopes to the workers.
ORDER = ("browser", "round trips", "hostile", "servers", "grading", "nbval", "unit")
SLOW = {"browser", "round trips", "hostile", "servers"}


def part_of(path: str) -> str:
    """The part a collected test belongs to, from its file's path."""
    file = Path(path.split("::")[0])
    if file.suffix == ".ipynb":
        return "nbval"
    for part, (_, modules) in PARTS.items():
        if any(file.stem == module or file.stem.startswith(module) and module.endswith("_")
               for module in modules):  # fmt: skip
            return part
    return "unit"


def lesson_of(path: str) -> str | None:
    """The lesson id of a lesson's own file ('03' for notebooks/03-….ipynb, solutions/03-…,
    course/instructor/03-….md or tests/test_lesson_03.py), else None."""
    found = re.match(r"(?:test_lesson_)?(\d\d)(?:[-_.]|$)", Path(path).name)
    return found.group(1) if found else None
