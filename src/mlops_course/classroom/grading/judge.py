"""The judge: decides each hidden test in the grader's process, never in the student's kernel.

A hidden test passes only when its cell's execute reply is `ok` AND every observation the
reference solution made in that test was observed again, once, with a matching value.
Labels, tolerances and hints come from the reference run: a student's kernel can send any
JSON it likes, but it cannot widen a tolerance or rename what is compared.

Matching is exact for ints, strings, booleans and None (an int may be observed as the
equal float), within the reference's rtol/atol for floats, and element by element for lists,
dicts, sets, Series and DataFrames (same keys, same length, same tags).

A mismatch is described by where it is and what was observed, never by the reference's
value: feedback goes to students, and the reference values are the answers under the
grading parameters, which a resubmission could simply type in. The author's hint says
what the value should be in words.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any

from mlops_course.classroom.authoring.observe import FLOAT, LABEL_CHARACTERS, TAGS

SHOWN_CHARACTERS = 60  # of a value, in feedback


@dataclass(frozen=True)
class Observation:
    """One value a hidden test sent out, with the tolerances its author stated."""

    label: str
    value: Any
    rtol: float = 1e-9
    atol: float = 1e-12
    hint: str = ""

    @classmethod
    def from_payload(cls, payload: Any) -> Observation | None:
        """The observation in one output's JSON, or None when it is not shaped like one."""
        if not isinstance(payload, dict) or not isinstance(payload.get("label"), str):
            return None
        label = payload["label"][:LABEL_CHARACTERS]
        rtol, atol = payload.get("rtol", 1e-9), payload.get("atol", 1e-12)
        if not all(isinstance(t, int | float) and not isinstance(t, bool) for t in (rtol, atol)):
            return None
        hint = payload.get("hint", "")
        return cls(label, payload.get("value"), float(rtol), float(atol), str(hint)[:300])


def parse_observations(payloads: list[Any]) -> list[Observation]:
    return [obs for obs in map(Observation.from_payload, payloads) if obs is not None]


def judge_observations(expected: tuple[Observation, ...], observed: list[Observation]) -> str:
    """Why the observed values fail the reference ('' when every one matches)."""
    by_label: dict[str, list[Observation]] = {}
    for observation in observed:
        by_label.setdefault(observation.label, []).append(observation)
    for reference in expected:
        seen = by_label.get(reference.label, [])
        if not seen:
            return _with_hint(f"{reference.label}: nothing was observed", reference)
        if len(seen) > 1:
            return f"{reference.label}: observed {len(seen)} times where the test observes it once"
        mismatch = compare(reference.value, seen[0].value, reference.rtol, reference.atol)
        if mismatch:
            return _with_hint(f"{reference.label}{mismatch}", reference)
    return ""


def _with_hint(message: str, reference: Observation) -> str:
    return f"{message}; {reference.hint}" if reference.hint else message


def compare(expected: Any, observed: Any, rtol: float, atol: float, where: str = "") -> str:
    """'' when `observed` matches `expected`; else where and how they differ, in words."""
    if _is_number(expected) and not isinstance(expected, bool):
        return _compare_numbers(expected, observed, rtol, atol, where)
    if isinstance(expected, bool) or expected is None or isinstance(expected, str):
        if type(observed) is type(expected) and observed == expected:
            return ""
        return _differs(expected, observed, where)
    if isinstance(expected, list):
        if not isinstance(observed, list):
            return _differs(expected, observed, where)
        if len(observed) != len(expected):
            return f"{where}: observed {len(observed)} items, the reference has {len(expected)}"
        for position, (want, got) in enumerate(zip(expected, observed, strict=True)):
            mismatch = compare(want, got, rtol, atol, f"{where}[{position}]")
            if mismatch:
                return mismatch
        return ""
    if isinstance(expected, dict):
        return _compare_dicts(expected, observed, rtol, atol, where)
    return _differs(expected, observed, where)


def _is_number(value: Any) -> bool:
    is_tagged_float = isinstance(value, dict) and set(value) == {FLOAT}
    return is_tagged_float or (isinstance(value, int | float) and not isinstance(value, bool))


def _as_float(value: Any) -> float:
    return float(value[FLOAT]) if isinstance(value, dict) else float(value)


def _compare_numbers(expected: Any, observed: Any, rtol: float, atol: float, where: str) -> str:
    if not _is_number(observed):
        return _differs(expected, observed, where)
    want, got = _as_float(expected), _as_float(observed)
    exact = isinstance(expected, int) and isinstance(observed, int)
    if exact and expected == observed:
        return ""
    if not exact and math.isnan(want) and math.isnan(got):
        return ""
    if not exact and (want == got or math.isclose(want, got, rel_tol=rtol, abs_tol=atol)):
        return ""
    tolerance = "compared exactly" if isinstance(expected, int) else f"within rtol {rtol:g}"
    return f"{where}: observed {_show(observed)}, not the reference value ({tolerance})"


def _compare_dicts(expected: dict, observed: Any, rtol: float, atol: float, where: str) -> str:
    if not isinstance(observed, dict):
        return _differs(expected, observed, where)
    tag = next(iter(expected)) if len(expected) == 1 and next(iter(expected)) in TAGS else None
    if tag is not None:
        if set(observed) != {tag}:
            return _differs(expected, observed, where)
        kind = tag.strip("_")
        return compare(expected[tag], observed[tag], rtol, atol, f"{where} ({kind})")
    missing = sorted(set(expected) - set(observed))
    extra = sorted(set(observed) - set(expected))
    if missing or extra:
        parts = [f"missing keys {missing}"] if missing else []
        parts += [f"extra keys {extra}"] if extra else []
        return f"{where}: " + " and ".join(parts)
    for key, want in expected.items():
        mismatch = compare(want, observed[key], rtol, atol, f"{where}[{key!r}]")
        if mismatch:
            return mismatch
    return ""


def _differs(expected: Any, observed: Any, where: str) -> str:
    kind = _kind(expected)
    if kind != _kind(observed):
        return f"{where}: observed {_show(observed)}, where the reference has {kind}"
    return f"{where}: observed {_show(observed)}, not the reference value"


def _kind(value: Any) -> str:
    """What sort of value this is, in words (tagged values by their tag)."""
    if isinstance(value, dict) and len(value) == 1 and next(iter(value)) in TAGS:
        return {"__series__": "a Series", "__frame__": "a DataFrame", "__set__": "a set",
                "__float__": "a number", "__datetime__": "a timestamp",
                "__items__": "a dict"}[next(iter(value))]  # fmt: skip
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    names = {str: "a string", list: "a list", dict: "a dict", type(None): "None"}
    return names.get(type(value), type(value).__name__)


def _show(value: Any) -> str:
    """A short, readable form of an observed value (tags shown as what they stand for)."""
    text = _readable(value)
    return text if len(text) <= SHOWN_CHARACTERS else text[: SHOWN_CHARACTERS - 1] + "…"


def _readable(value: Any) -> str:
    if isinstance(value, dict) and len(value) == 1 and next(iter(value)) in TAGS:
        [(tag, content)] = value.items()
        if tag == FLOAT:
            return str(content)
        if tag == "__set__":
            return "{" + ", ".join(_readable(item) for item in content) + "}"
        if tag == "__datetime__":
            return str(content)
        if tag == "__items__":
            return "{" + ", ".join(f"{_readable(k)}: {_readable(v)}" for k, v in content) + "}"
        if tag == "__series__":
            return f"Series({_readable(content.get('values'))})"
        return f"DataFrame(columns={_readable(content.get('columns'))})"
    if isinstance(value, list):
        return "[" + ", ".join(_readable(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k!r}: {_readable(v)}" for k, v in value.items()) + "}"
    return json.dumps(value)
