"""What grading produces for one submission; plain picklable records (workers, Dask).

Statuses, worst first when several apply:
  invalid      the file could not be graded at all (not a notebook, too large, ...)
  tampered     a canary cell's reply was not what real execution gives: the kernel lied
               to the grader; 0 points, for the instructor to review
  crashed      the kernel died (os._exit, a signal); tests that could not run scored 0
  timeout      a cell ran past its timeout, or the whole run past the total timeout
  memory       a cell hit the memory limit (MemoryError)
  output_limit the notebook printed more than the output cap; the rest was dropped
  graded       none of the above
  error        the grader itself failed (kernel would not start ...); retried on rerun
"""

from __future__ import annotations

from dataclasses import dataclass, field

INVALID, TAMPERED, CRASHED, TIMEOUT, MEMORY, OUTPUT_LIMIT, GRADED, ERROR = (
    "invalid", "tampered", "crashed", "timeout", "memory", "output_limit", "graded", "error",
)  # fmt: skip
STATUSES = (INVALID, TAMPERED, CRASHED, TIMEOUT, MEMORY, OUTPUT_LIMIT, GRADED, ERROR)


@dataclass(frozen=True)
class TestOutcome:
    """One test's verdict: its reply and, for a hidden test, the judge's word on its
    observations; `message` says why it failed (or, for a scenario, how the judge saw it)."""

    question: str
    name: str
    hidden: bool
    passed: bool
    message: str = ""


@dataclass(frozen=True)
class QuestionScore:
    question: str
    points: float
    max_points: float
    reason: str


@dataclass
class SubmissionGrade:
    """Everything the gradebook stores about one graded (or refused) submission."""

    student_id: str
    lesson: str
    status: str
    reason: str
    max_score: float
    content_sha256: str = ""
    questions: list[QuestionScore] = field(default_factory=list)
    tests: list[TestOutcome] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # repairs and restorations, one per line
    sandboxed: bool = False
    seconds: float = 0.0

    @property
    def score(self) -> float:
        return sum(question.points for question in self.questions)
