"""Canary cells: grader cells whose honest reply only real execution can give.

Observations already make a forged `ok` worthless; canaries make it visible. Among the
test cells of every submission the grader places canaries at random positions, with
fresh random tokens, shaped like tests (a `def test_...():` and its call):

- a *value* canary computes a number from its token and observes it: an honest kernel
  sends exactly that number, which no blanket forgery can know;
- an *error* canary computes the same kind of number and fails an assertion whose message
  carries it: an honest reply is an `AssertionError` naming that number, never `ok`.

A canary that lies (an `ok` where an error was due, a missing or wrong value) marks the
submission `tampered`: 0 points and a reason naming the canary, for the instructor to
review. A canary that never ran (the kernel died, the run timed out) or whose cell timed
out says nothing, and a lost IOPub stream (a message over the size cap) excuses a missing
value: neither is evidence of a lie, and a clean submission must never be flagged.
"""

from __future__ import annotations

import random
import secrets
from dataclasses import dataclass

from mlops_course.classroom.grading.cell_runner import CellReply
from mlops_course.classroom.grading.judge import Observation

VALUE, ERROR = "value", "error"
# Words of the course's own test names, so a canary reads like one of them.
_WORDS = (
    "late", "share", "orders", "cost", "window", "days", "delay", "batch", "flags", "model",
    "drift", "release", "policy", "carrier", "threshold", "week", "labels", "schema", "rows",
    "metric", "baseline", "run", "params", "lock", "fingerprint", "interval", "slice",
)  # fmt: skip
_MODULUS = 1_000_003


def token_value(token: str) -> int:
    """The number a canary's cell computes from its token (the same formula as its source)."""
    return sum((position + 7) * ord(char) for position, char in enumerate(token)) % _MODULUS


@dataclass(frozen=True)
class Canary:
    name: str  # the test function's name
    kind: str  # VALUE or ERROR
    token: str

    @property
    def label(self) -> str:
        return self.name.removeprefix("test_")

    @property
    def expected(self) -> int:
        return token_value(self.token)

    @property
    def source(self) -> str:
        compute = (
            f'    token = "{self.token}"\n'
            "    value = sum((position + 7) * ord(char) for position, char in "
            f"enumerate(token)) % {_MODULUS}\n"
        )
        if self.kind == VALUE:
            last = f'    observe(value, "{self.label}")\n'
        else:
            last = f'    assert value < 0, f"{self.label} is {{value}}"\n'
        return f"def {self.name}():\n{compute}{last}\n\n{self.name}()\n"

    def lie(self, reply: CellReply, observed: list[Observation], iopub_lost: bool) -> str:
        """What this canary's reply got wrong ('' when it is what real execution gives)."""
        if self.kind == ERROR:
            if reply.status == "ok":
                return f"canary {self.name} replied ok, though its assertion always fails"
            if reply.ename != "AssertionError" or str(self.expected) not in reply.evalue:
                return f"canary {self.name} failed with another error than its own assertion"
            return ""
        if reply.status != "ok":
            return f"canary {self.name} failed ({reply.ename}), though it cannot fail"
        values = [obs.value for obs in observed if obs.label == self.label]
        if not values and iopub_lost:
            return ""
        if values != [self.expected]:
            return f"canary {self.name} observed {values[:2]} instead of the value it computes"
        return ""


def draw_canaries(taken_names: set[str], rng: random.Random | None = None) -> list[Canary]:
    """One value canary and one error canary with fresh tokens and unused test names."""
    rng = rng or random.Random(secrets.randbits(64))
    canaries = []
    for kind in (VALUE, ERROR):
        name = ""
        while not name or name in taken_names:
            name = "test_" + "_".join(rng.sample(_WORDS, 3))
        taken_names = taken_names | {name}
        canaries.append(Canary(name, kind, secrets.token_hex(8)))
    return canaries


def positions(test_count: int, canary_count: int, rng: random.Random | None = None) -> list[int]:
    """Where each canary goes among `test_count` test cells: the number of tests before it."""
    rng = rng or random.Random(secrets.randbits(64))
    return sorted(rng.randint(0, test_count) for _ in range(canary_count))
