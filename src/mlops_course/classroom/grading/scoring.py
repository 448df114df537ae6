"""Scoring one run: each test's verdict, each question's points, the canaries' testimony.

- A public test passes when its cell replied `ok` (feedback; the student may fool it).
- A hidden test passes when its cell replied `ok` AND the judge accepts its observations:
  they match the reference solution's (`judge.judge_observations`), or, for a test that
  drives a system, the scenario's judge accepts the decisions observed in its step cells.
- Questions are all or nothing: every one of its tests must pass.
- Canaries that lie mark the run tampered (`tampering`), which the caller turns into 0.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mlops_course.classroom.authoring.solution import Question, Test
from mlops_course.classroom.grading.canaries import Canary
from mlops_course.classroom.grading.cell_runner import RunRecord
from mlops_course.classroom.grading.judge import Observation, judge_observations, parse_observations
from mlops_course.classroom.grading.results import QuestionScore, TestOutcome
from mlops_course.classroom.grading.scenario import Scenario

MESSAGE_LIMIT = 300


@dataclass(frozen=True)
class PlacedCell:
    """A grader cell of the graded notebook: a test, a canary or one step of a scenario."""

    index: int
    test: Test | None = None
    canary: Canary | None = None
    step_of: str = ""  # the judge whose scenario this step belongs to


@dataclass(frozen=True)
class Reference:
    """What the solution observed under the grading parameters, per hidden test name."""

    key: str
    observations: dict[str, tuple[Observation, ...]]

    def to_json(self) -> dict[str, Any]:
        return {name: [vars(obs) for obs in observed]
                for name, observed in self.observations.items()}  # fmt: skip

    @classmethod
    def from_json(cls, key: str, data: dict[str, Any]) -> Reference:
        return cls(key, {name: tuple(Observation(**obs) for obs in observed)
                         for name, observed in data.items()})  # fmt: skip


@dataclass(frozen=True)
class Judging:
    """What scoring needs beside the run: the reference, the scenarios and the parameters."""

    reference: Reference | None
    scenarios: dict[str, Scenario]
    parameters: dict[str, Any]
    cell_timeout: float


def score_tests(placed: list[PlacedCell], record: RunRecord, judging: Judging) -> list:
    """Each test's verdict; a cell that never ran failed."""
    outcomes = []
    for cell in placed:
        test = cell.test
        if test is None:
            continue
        passed, message = _verdict(cell, test, record, placed, judging)
        outcomes.append(TestOutcome(test.question, test.name, test.hidden, passed,
                                    message[:MESSAGE_LIMIT]))  # fmt: skip
    return outcomes


def _verdict(cell: PlacedCell, test: Test, record: RunRecord, placed: list[PlacedCell],
             judging: Judging) -> tuple[bool, str]:  # fmt: skip
    reply = record.replies.get(cell.index)
    if reply is None:
        return False, _not_run_message(record, cell.index)
    if cell.index in record.timed_out_cells:
        return False, f"ran longer than the {judging.cell_timeout:g} s cell timeout"
    if reply.status != "ok":
        return False, f"{reply.ename}: {reply.evalue}".strip(": ")
    if not test.hidden:
        return True, ""
    if test.judge:
        steps = [step.index for step in placed if step.step_of == test.judge]
        decisions = [step_decision(record, index) for index in steps]
        return judging.scenarios[test.judge].judge_decisions(judging.parameters, decisions)
    if judging.reference is None:
        raise RuntimeError("hidden tests cannot be judged without the reference run")
    expected = judging.reference.observations.get(test.name, ())
    observed = parse_observations(record.observations.get(cell.index, []))
    mismatch = judge_observations(expected, observed)
    return not mismatch, mismatch


def step_decision(record: RunRecord, index: int) -> Any:
    """The first `decision` a step cell observed; None when it raised or observed nothing."""
    reply = record.replies.get(index)
    if reply is None or reply.status != "ok":
        return None
    decisions = [obs for obs in parse_observations(record.observations.get(index, []))
                 if obs.label == "decision"]  # fmt: skip
    return decisions[0].value if decisions else None


def _not_run_message(record: RunRecord, index: int) -> str:
    if record.crashed_at is not None and record.crashed_at <= index:
        return "not run: the kernel had died"
    if record.killed_for_timeout:
        return "not run: the notebook ran out of time"
    return "not run"


def tampering(placed: list[PlacedCell], record: RunRecord) -> list[str]:
    """What each lying canary got wrong; canaries that never ran or timed out say nothing."""
    lies = []
    for cell in placed:
        reply = record.replies.get(cell.index)
        if cell.canary is None or reply is None or cell.index in record.timed_out_cells:
            continue
        observed = parse_observations(record.observations.get(cell.index, []))
        lie = cell.canary.lie(reply, observed, record.iopub_lost)
        if lie:
            lies.append(lie)
    return lies


def score_questions(questions: tuple[Question, ...], tests: list[TestOutcome]) -> list:
    """All or nothing per question: its points when every test passed, else 0."""
    scores = []
    for question in questions:
        mine = [test for test in tests if test.question == question.id]
        failed = [test for test in mine if not test.passed]
        if not failed:
            reason = f"all {len(mine)} tests passed"
            scores.append(QuestionScore(question.id, question.points, question.points, reason))
            continue
        kinds = sorted({"hidden" if test.hidden else "public" for test in failed})
        reason = f"{len(failed)} of {len(mine)} tests failed ({' and '.join(kinds)})"
        scores.append(QuestionScore(question.id, 0.0, question.points, reason))
    return scores


def zero_for_tampering(questions: tuple[Question, ...]) -> list[QuestionScore]:
    reason = "not scored: the kernel lied to the grader (tampered)"
    return [QuestionScore(question.id, 0.0, question.points, reason) for question in questions]
