"""What `make test`'s pytest run costs, by part of the suite and per lesson.

Runs the suite as `make test` does (pytest -n 2 --dist loadscope, nbval on the
walkthroughs), with a JUnit XML report, and adds up the reported seconds of every test
(setup, call and teardown) by part (tests/suite_parts.py). Those are worker seconds: with
two workers the wall clock is about half their sum, which the run's own wall time shows.
The machine's busy share over the run comes from /proc/stat.

The per-lesson cost is what the lesson-specific tests of the parts that grow with lessons
(round trips, browser, nbval) cost, averaged over the written lessons; the projection to
15 lessons adds that cost for each missing lesson, spread over the two workers.
Not part of `make bench` (it takes as long as the suite): run it on its own,
`.venv/bin/python benchmarks/measure_suite.py`, or measure `.ci/run` in a fresh clone:

    PYTEST_ADDOPTS="--junitxml=/tmp/suite.xml -o junit_family=xunit1" bash .ci/run
    .venv/bin/python benchmarks/measure_suite.py --from-report /tmp/suite.xml
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ElementTree
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))

from suite_parts import ORDER, PARTS  # noqa: E402

WORKERS = 2
LESSONS_PLANNED = 15
GROWING = ("round trips", "browser", "nbval")


def busy_ticks() -> tuple[int, int]:
    fields = [int(value) for value in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
    idle = fields[3] + fields[4]
    return sum(fields) - idle, sum(fields)


def lesson_of_test(classname: str, name: str) -> str | None:
    """The lesson a test is about: its module's number or its parameter's slug."""
    found = re.search(r"test_lesson_(\d\d)", classname) or re.search(r"\[(\d\d)-", name)
    found = found or re.search(r"notebooks\.(\d\d)-|/(\d\d)-", classname)
    if found:
        return next(group for group in found.groups() if group)
    return None


def part_of_test(classname: str, file: str) -> str:
    """The part of a JUnit test case. Its module comes from `classname` ("tests.test_x" or
    "tests.test_x.TestClass"): `file` names where a method is defined, which for a method a
    class inherits (LessonRoundTrip's) is another module than the test's."""
    from suite_parts import part_of

    if file.endswith(".ipynb"):
        return part_of(file)
    module = []
    for component in classname.split("."):
        if component.startswith("Test"):
            break
        module.append(component)
    return part_of("/".join(module) + ".py" if module else file)


def measure() -> dict:
    """Run the suite as `make test` does and read its JUnit report."""
    report = Path(tempfile.mkdtemp(prefix="suite-")) / "report.xml"
    environment = {**os.environ, "MLOPS_COURSE_STATIC": "1", "OMP_NUM_THREADS": "1",
                   "MLFLOW_DISABLE_TELEMETRY": "true", "CI": "true"}  # as the Makefile's TEST_ENV
    command = [str(REPO / ".venv" / "bin" / "pytest"), "-q", "-n", str(WORKERS), "--dist",
               "loadscope", "tests", "notebooks", "--nbval", "--nbval-sanitize-with",
               "course/nbval_sanitize.cfg", "-p", "no:cacheprovider",
               *report_options(report)]  # fmt: skip
    busy_before, total_before = busy_ticks()
    started = time.monotonic()
    result = subprocess.run(command, cwd=REPO, env=environment, capture_output=True, text=True)
    wall = time.monotonic() - started
    busy_after, total_after = busy_ticks()
    return figures_from(report) | {
        "exit_code": result.returncode,
        "summary": (result.stdout.strip().splitlines() or [""])[-1],
        "wall_seconds": wall,
        "busy_share": (busy_after - busy_before) / max(total_after - total_before, 1),
    }


def report_options(report: Path) -> list[str]:
    return [f"--junitxml={report}", "-o", "junit_family=xunit1"]


def figures_from(report: Path) -> dict:
    """The suite's cost by part and per lesson, from a JUnit report of the whole suite.

    The report may come from this script's own run or from `.ci/run` in a fresh clone with
    PYTEST_ADDOPTS="--junitxml=REPORT -o junit_family=xunit1" (pytest reads that variable)."""
    by_part: dict[str, float] = defaultdict(float)
    by_lesson: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    count: dict[str, int] = defaultdict(int)
    tree = ElementTree.parse(report)
    for case in tree.iter("testcase"):
        classname, name = case.get("classname", ""), case.get("name", "")
        part = part_of_test(classname, case.get("file", ""))
        seconds = float(case.get("time", 0))
        by_part[part] += seconds
        count[part] += 1
        lesson = lesson_of_test(classname + "/" + case.get("file", ""), name)
        if part in GROWING and lesson:
            by_lesson[lesson][part] += seconds
    lessons = sorted(by_lesson)
    per_lesson = sum(sum(parts.values()) for parts in by_lesson.values()) / max(len(lessons), 1)
    fixed = sum(by_part.values()) - per_lesson * len(lessons)
    projected_worker_seconds = fixed + per_lesson * LESSONS_PLANNED
    suite = next(tree.iter("testsuite"))
    return {
        "exit_code": None,
        "summary": f"{suite.get('tests')} tests, {suite.get('failures')} failures, "
                   f"{suite.get('errors')} errors",
        "wall_seconds": float(suite.get("time", 0)),
        "busy_share": None,
        "parts": {part: (count[part], by_part[part]) for part in ORDER if count[part]},
        "lessons": {lesson: dict(parts) for lesson, parts in sorted(by_lesson.items())},
        "per_lesson_worker_seconds": per_lesson,
        "fixed_worker_seconds": fixed,
        "projected_wall_seconds_15_lessons": projected_worker_seconds / WORKERS,
        "measured_worker_seconds": sum(by_part.values()),
    }


def table(figures: dict) -> str:
    lines = ["| part | what it proves | tests | worker seconds |", "|---|---|---:|---:|"]
    for part, (tests, seconds) in figures["parts"].items():
        lines.append(f"| {part} | {PARTS[part][0]} | {tests} | {seconds:.0f} |")
    lines.append("")
    lines.append("| lesson | " + " | ".join(GROWING) + " | total |")
    lines.append("|---|" + "---:|" * (len(GROWING) + 1))
    for lesson, parts in figures["lessons"].items():
        cells = [f"{parts.get(part, 0):.0f}" for part in GROWING]
        lines.append(f"| {lesson} | " + " | ".join(cells) + f" | {sum(parts.values()):.0f} |")
    return "\n".join(lines)


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description="What make test's pytest run costs, by part.")
    parser.add_argument("--from-report", type=Path, metavar="REPORT",
                        help="analyse this JUnit report (e.g. of .ci/run in a fresh clone) "
                             "instead of running the suite")  # fmt: skip
    arguments = parser.parse_args()
    figures = figures_from(arguments.from_report) if arguments.from_report else measure()
    print(table(figures))
    for key in ("summary", "wall_seconds", "busy_share", "measured_worker_seconds",
                "fixed_worker_seconds", "per_lesson_worker_seconds",
                "projected_wall_seconds_15_lessons"):  # fmt: skip
        print(f"{key}: {figures[key]}")
