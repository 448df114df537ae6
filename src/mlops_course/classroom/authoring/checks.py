"""The student side of the exercises: `check("q1")` gives instant feedback on question q1.

A question's tests cell defines its public tests as plain functions decorated with
`@public_test("q1")`. Running that cell registers them here; `check("q1")` then runs
them in the student's kernel and returns a result that renders as an HTML table in
JupyterLab and as plain text under papermill. `check_all()` summarises every question
registered so far.

This is feedback, not grading. The grader never asks this module anything: it runs each
test as its own cell, without the decorator, and reads the kernel's execute reply (see
`authoring.Test.grading_source`). So in a grading kernel (`MLOPS_COURSE_GRADING=1`, set by
the grader) `check` and `check_all` run nothing: the notebook's own calls would only run
every public test twice more, which in some lessons is a third of the graded run. Only
public tests ever reach a student's notebook, so nothing here can reveal a solution or a
hidden test. Kept free of heavy imports because
every exercise imports it in its setup cell.
"""

from __future__ import annotations

import html
import linecache
import os
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["check", "check_all", "public_test", "CheckResult", "CheckSummary", "Outcome"]

TestFunction = Callable[[], object]

# question id -> test name -> test; re-running a tests cell replaces its tests in place.
_registry: dict[str, dict[str, TestFunction]] = {}

_PASS_COLOUR, _FAIL_COLOUR = "#1a7f37", "#cf222e"

# Set in every grading kernel's environment (grading/sandbox.py): the grader runs the tests.
GRADING_ENV = "MLOPS_COURSE_GRADING"
GRADED_RUN = "not run here: this is a grading run, and the grader runs every test itself"


def public_test(question: str) -> Callable[[TestFunction], TestFunction]:
    """Register the decorated function as a public test of `question`; it stays unchanged."""

    def register(test: TestFunction) -> TestFunction:
        _registry.setdefault(question, {})[test.__name__] = test
        return test

    return register


@dataclass(frozen=True)
class Outcome:
    """One public test's verdict; `message` says why it failed (empty when it passed)."""

    name: str
    passed: bool
    message: str = ""


@dataclass(frozen=True, repr=False)
class CheckResult:
    """The verdicts of one question's public tests, shown as text or as an HTML table."""

    question: str
    outcomes: tuple[Outcome, ...]
    problem: str = ""  # set when there was nothing to run

    @property
    def passed(self) -> bool:
        return bool(self.outcomes) and all(outcome.passed for outcome in self.outcomes)

    @property
    def n_passed(self) -> int:
        return sum(outcome.passed for outcome in self.outcomes)

    def __bool__(self) -> bool:
        return self.passed

    @property
    def headline(self) -> str:
        if self.problem:
            return f"{self.question}: {self.problem}"
        total = len(self.outcomes)
        if self.passed:
            return f"{self.question}: all {total} public tests pass"
        return f"{self.question}: {total - self.n_passed} of {total} public tests fail"

    def __repr__(self) -> str:
        lines = [self.headline]
        for outcome in self.outcomes:
            verdict = "pass" if outcome.passed else "FAIL"
            detail = f" - {outcome.message}" if outcome.message else ""
            lines.append(f"  {verdict}  {outcome.name}{detail}")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        colour = _PASS_COLOUR if self.passed else _FAIL_COLOUR
        rows = "".join(
            f"<tr><td style='color:{_PASS_COLOUR if o.passed else _FAIL_COLOUR}'>"
            f"{'pass' if o.passed else 'FAIL'}</td><td><code>{html.escape(o.name)}</code></td>"
            f"<td style='text-align:left'>{html.escape(o.message)}</td></tr>"
            for o in self.outcomes
        )
        table = f"<table>{rows}</table>" if rows else ""
        return (
            f"<div class='mlops-course-check'><p style='color:{colour}'>"
            f"<strong>{html.escape(self.headline)}</strong></p>{table}</div>"
        )


@dataclass(frozen=True, repr=False)
class CheckSummary:
    """`check_all()`'s table: one row per question whose tests cell has run."""

    results: tuple[CheckResult, ...]

    @property
    def passed(self) -> bool:
        return bool(self.results) and all(result.passed for result in self.results)

    def __bool__(self) -> bool:
        return self.passed

    @property
    def headline(self) -> str:
        if not self.results:
            return "No public tests have run yet; run the notebook's cells from the top first."
        done = sum(result.passed for result in self.results)
        return (
            f"{done} of {len(self.results)} questions pass their public tests "
            "(the grade also uses hidden tests)"
        )

    def _rows(self) -> list[tuple[str, str, str, str]]:
        return [
            (
                result.question,
                "pass" if result.passed else "FAIL",
                f"{result.n_passed}/{len(result.outcomes)}",
                _first_failure(result),
            )
            for result in self.results
        ]

    def __repr__(self) -> str:
        lines = [self.headline]
        lines += [
            f"  {verdict}  {question}  {score}  {why}".rstrip()
            for question, verdict, score, why in self._rows()
        ]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        header = (
            "<tr><th>question</th><th>result</th><th>tests passed</th>"
            "<th style='text-align:left'>first failure</th></tr>"
        )
        rows = "".join(
            f"<tr><td>{html.escape(question)}</td><td style='color:"
            f"{_PASS_COLOUR if verdict == 'pass' else _FAIL_COLOUR}'>{verdict}</td>"
            f"<td>{score}</td><td style='text-align:left'>{html.escape(why)}</td></tr>"
            for question, verdict, score, why in self._rows()
        )
        table = f"<table>{header}{rows}</table>" if rows else ""
        return (
            f"<div class='mlops-course-check'><p><strong>{html.escape(self.headline)}"
            f"</strong></p>{table}</div>"
        )


def check(question: str) -> CheckResult:
    """Run the public tests of `question` now and return their verdicts."""
    if os.environ.get(GRADING_ENV) == "1":
        return CheckResult(question, (), GRADED_RUN)
    tests = _registry.get(question)
    if not tests:
        return CheckResult(question, (), _nothing_to_run(question))
    return CheckResult(question, tuple(_run(name, test) for name, test in tests.items()))


def check_all() -> CheckSummary:
    """Run the public tests of every question registered so far, in notebook order."""
    return CheckSummary(tuple(check(question) for question in list(_registry)))


def _run(name: str, test: TestFunction) -> Outcome:
    try:
        test()
    except Exception as failure:  # the student's code may raise anything; all of it is feedback
        return Outcome(name, False, _explain(failure))
    return Outcome(name, True)


def _explain(failure: Exception) -> str:
    if isinstance(failure, AssertionError):
        return str(failure) or f"assertion failed: {_failing_line(failure)}"
    if isinstance(failure, NotImplementedError):
        return f"not answered yet ({failure})" if str(failure) else "not answered yet"
    return f"{type(failure).__name__}: {failure}"


def _failing_line(failure: BaseException) -> str:
    """The source line that raised: a bare `assert` is its own best explanation."""
    trace = failure.__traceback__
    while trace is not None and trace.tb_next is not None:
        trace = trace.tb_next
    if trace is None:
        return "(no source available)"
    line = linecache.getline(trace.tb_frame.f_code.co_filename, trace.tb_lineno).strip()
    return line or "(no source available)"


def _nothing_to_run(question: str) -> str:
    known = ", ".join(_registry)
    hint = f" (tests have run for: {known})" if known else ""
    return f"no public tests have run yet; run the tests cell of {question} first{hint}"


def _first_failure(result: CheckResult) -> str:
    if result.problem:
        return result.problem
    failing = next((outcome for outcome in result.outcomes if not outcome.passed), None)
    return f"{failing.name}: {failing.message}" if failing else ""
