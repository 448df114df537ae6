"""Open-ended questions: the grader feeds a student's system a hidden scenario and judges it.

Some questions have no single right value (a retraining policy, a monitor, a whole level-2
system). Their hidden test hands the student's object over with
`drive(system, judge="NAME")`; the grader then runs one *step cell* per step of the
scenario, each `step(...)` calling `system.on_day(**arguments)` with that step's arguments
only, and observes what it returned. Only the step being run is ever in the kernel: the
arguments of later steps, and the outcomes the judge prices the decisions against, stay in
the grader's process until (or unless) a step hands them over, e.g. a label once its delay
has passed. No score the kernel reports is used: the judge computes it from the decisions.

The judge is course content, written by the instructor next to the solutions (never
released): `solutions/judges/NAME.py`, a module with two functions,

    def feed(parameters: dict) -> Iterable[dict]:
        '''The keyword arguments of each on_day call (JSON data, DataFrames allowed).'''

    def judge(parameters: dict, decisions: list) -> tuple[bool, str]:
        '''Pass or fail, and one sentence saying why, from the observed decisions (JSON data;
        None for a step that raised or sent nothing).'''

Both run in the grader's process (the main process builds the feed once per batch; each
worker runs `judge` on its submission's decisions).
"""

from __future__ import annotations

import hashlib
import json
import types
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mlops_course.classroom.authoring.observe import encode
from mlops_course.classroom.errors import CourseError

JUDGES_FOLDER = Path("solutions") / "judges"
STEP_FUNCTION = "_grader_step"  # bound in the grader's helpers cell
MAX_STEPS = 2_000


class JudgeError(CourseError):
    """A judge module is missing, broken or returns something else than (bool, str)."""


@dataclass(frozen=True)
class Scenario:
    """A judge's feed, ready to run (one cell source per step), and the judge's own code."""

    judge: str
    path: str  # where the judge came from, for error messages
    source: str  # the judge module's code, run in the worker's process to judge
    arguments: tuple[str, ...]  # per step: the on_day keyword arguments as JSON text

    def step_sources(self) -> list[str]:
        return [f"{STEP_FUNCTION}({self.judge!r}, {text!r})\n" for text in self.arguments]

    def judge_decisions(self, parameters: dict[str, Any], decisions: list[Any]) -> tuple:
        """(passed, why) from the judge module; a broken judge is the grader's failure."""
        verdict = _judge_function(self.path, self.source)(dict(parameters), list(decisions))
        if not (isinstance(verdict, tuple) and len(verdict) == 2
                and isinstance(verdict[0], bool) and isinstance(verdict[1], str)):  # fmt: skip
            raise JudgeError(
                f"{self.path}: judge() returned {verdict!r}; return (passed: bool, why: str)."
            )
        return verdict


def load_scenario(root: Path, judge: str, parameters: dict[str, Any]) -> Scenario:
    """Read solutions/judges/<judge>.py and build its feed for `parameters`."""
    path = root / JUDGES_FOLDER / f"{judge}.py"
    shown = str(JUDGES_FOLDER / f"{judge}.py")
    try:
        source = path.read_text()
    except OSError:
        raise JudgeError(
            f"a hidden test drives a system with judge={judge!r}, but {shown} does not exist; "
            "write it with feed(parameters) and judge(parameters, decisions) (docs/authoring.md)."
        ) from None
    module = _load_module(shown, source)
    feed = getattr(module, "feed", None)
    if not callable(feed) or not callable(getattr(module, "judge", None)):
        raise JudgeError(f"{shown} needs two functions, feed(parameters) and judge(parameters, "
                         "decisions); define both.")  # fmt: skip
    arguments = []
    for number, step in enumerate(feed(dict(parameters))):
        if not isinstance(step, dict) or not all(isinstance(key, str) for key in step):
            raise JudgeError(f"{shown}: feed() step {number} is not a dict of keyword arguments.")
        arguments.append(json.dumps(encode(step), allow_nan=False, separators=(",", ":")))
        if len(arguments) > MAX_STEPS:
            raise JudgeError(f"{shown}: feed() yields more than {MAX_STEPS} steps; shorten it.")
    return Scenario(judge, shown, source, tuple(arguments))


_modules: dict[str, types.ModuleType] = {}


def _load_module(name: str, source: str) -> types.ModuleType:
    key = hashlib.sha256(source.encode()).hexdigest()
    if key not in _modules:
        module = types.ModuleType(f"mlops_course_judge_{key[:12]}")
        module.__file__ = name
        try:
            exec(compile(source, name, "exec"), module.__dict__)
        except Exception as error:
            raise JudgeError(f"{name} does not run: {error!r}; fix the judge module.") from None
        _modules[key] = module
    return _modules[key]


def _judge_function(name: str, source: str) -> Callable[..., Any]:
    return _load_module(name, source).judge
