"""The kernel side of hidden tests: `observe(value, "label")` sends a value out as JSON.

A hidden test does not decide anything in the student's kernel. It observes what the
student's code computed, returns or does, and the grader compares each observation, in
its own process, with what the reference solution observed under the same grading
parameters (`grading/judge.py`). Code in the student's kernel can rewrite how a cell runs,
so a cell's `ok` reply alone never earns a point; the right values do.

An observation leaves the kernel as one display output of the MIME type `MIME_TYPE`,
holding strict JSON: numbers, strings, booleans, None, lists and dicts of them. numpy
scalars and small arrays, pandas Series and DataFrames, sets, tuples, NaN and timestamps
are converted with a tag (`{"__series__": ...}`) so that the grader compares like with
like; anything else is refused. Never pickle: the grader must not run a student's bytes.

`drive(system, judge="name")` and `step(...)` are the kernel side of open-ended questions:
the grader feeds the student's system a hidden scenario one step at a time and a judge
in the grader's process scores the decisions it observes (`grading/scenario.py`).

Kept free of heavy imports: numpy and pandas are touched only when a value is one of theirs.
"""

from __future__ import annotations

import json
import math
import sys
from typing import Any

__all__ = ["observe", "drive", "step", "encode", "decode", "ObservationError", "MIME_TYPE"]

MIME_TYPE = "application/vnd.mlops-course.observation+json"
MAX_OBSERVATION_BYTES = 256 * 1024  # one observation, as JSON text
MAX_ELEMENTS = 20_000  # an array, Series or DataFrame observed at once
LABEL_CHARACTERS = 80

# Tags of converted values; a plain dict whose keys look like tags is stored as items.
SERIES, FRAME, SET, FLOAT, DATETIME, ITEMS = (
    "__series__", "__frame__", "__set__", "__float__", "__datetime__", "__items__",
)  # fmt: skip
TAGS = frozenset({SERIES, FRAME, SET, FLOAT, DATETIME, ITEMS})


class ObservationError(ValueError):
    """A value that cannot be observed: too large, or of a type JSON cannot carry."""


def observe(value: Any, label: str, *, rtol: float = 1e-9, atol: float = 1e-12,
            hint: str = "") -> None:  # fmt: skip
    """Send `value` to the grader as this test's observation `label`.

    Floats (anywhere inside `value`) match the reference within `rtol`/`atol`; everything
    else must match exactly. `hint` is shown to the student when the value does not match.
    The grader takes label, tolerances and hint from the reference run, never from here.
    """
    if not isinstance(label, str) or not label or len(label) > LABEL_CHARACTERS:
        raise ObservationError(f"an observation needs a short label, not {label!r}")
    payload = {"label": label, "value": encode(value), "rtol": float(rtol),
               "atol": float(atol), "hint": str(hint)}  # fmt: skip
    text = json.dumps(payload, allow_nan=False)
    if len(text) > MAX_OBSERVATION_BYTES:
        raise ObservationError(
            f"observation {label!r} is {len(text) // 1024} KB of JSON; observe a summary "
            f"(at most {MAX_OBSERVATION_BYTES // 1024} KB), not the whole object"
        )
    from IPython.display import display

    display({MIME_TYPE: payload}, raw=True)


def encode(value: Any) -> Any:
    """`value` as strict JSON data, numpy and pandas values converted with a tag."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int):  # an int subclass keeps only its number
        return int(value)
    if isinstance(value, float):
        number = float(value)
        return number if math.isfinite(number) else {FLOAT: repr(number)}
    if isinstance(value, str):
        return str.__str__(value)
    if isinstance(value, list | tuple):
        return [encode(item) for item in _bounded(value)]
    if isinstance(value, set | frozenset):
        items = [encode(item) for item in _bounded(value)]
        return {SET: sorted(items, key=lambda item: json.dumps(item, sort_keys=True))}
    if isinstance(value, dict):
        return _encode_dict(value)
    library = type(value).__module__.split(".")[0]
    if library == "numpy":
        return _encode_numpy(value)
    if library == "pandas":
        return _encode_pandas(value)
    if library == "datetime":
        return {DATETIME: value.isoformat()}
    raise ObservationError(
        f"cannot observe a {type(value).__name__}; observe numbers, strings, booleans, None, "
        "lists, dicts, numpy arrays or pandas objects"
    )


def _bounded(items: Any) -> Any:
    if len(items) > MAX_ELEMENTS:
        raise ObservationError(
            f"cannot observe {len(items)} items at once (at most {MAX_ELEMENTS}); observe a summary"
        )
    return items


def _encode_dict(value: dict) -> Any:
    _bounded(value)
    if all(type(key) is str and key not in TAGS for key in value):
        return {key: encode(item) for key, item in value.items()}
    pairs = [[encode(key), encode(item)] for key, item in value.items()]
    return {ITEMS: sorted(pairs, key=lambda pair: json.dumps(pair[0], sort_keys=True))}


def _encode_numpy(value: Any) -> Any:
    numpy = sys.modules["numpy"]
    if isinstance(value, numpy.generic):
        return encode(value.item())
    if isinstance(value, numpy.ndarray):
        _bounded(range(value.size))
        return encode(value.tolist())
    raise ObservationError(f"cannot observe a numpy {type(value).__name__}")


def _encode_pandas(value: Any) -> Any:
    pandas = sys.modules["pandas"]
    if isinstance(value, pandas.Timestamp):
        return {DATETIME: value.isoformat()}
    if isinstance(value, pandas.Series):
        _bounded(value)
        return {SERIES: {"name": encode(value.name), "index": encode(value.index.tolist()),
                         "values": encode(value.tolist())}}  # fmt: skip
    if isinstance(value, pandas.DataFrame):
        _bounded(range(value.size))
        return {FRAME: {"columns": encode(value.columns.tolist()),
                        "index": encode(value.index.tolist()),
                        "data": encode(value.to_numpy().tolist())}}  # fmt: skip
    if isinstance(value, pandas.Index):
        return encode(value.tolist())
    raise ObservationError(f"cannot observe a pandas {type(value).__name__}")


def decode(data: Any) -> Any:
    """The inverse of `encode` for what a scenario step hands the student's system: tagged
    frames and series become pandas objects, sets sets, tagged floats floats."""
    if isinstance(data, list):
        return [decode(item) for item in data]
    if not isinstance(data, dict):
        return data
    if len(data) == 1 and next(iter(data)) in TAGS:
        [(tag, content)] = data.items()
        if tag == FLOAT:
            return float(content)
        if tag == SET:
            return {_hashable(decode(item)) for item in content}
        if tag == ITEMS:
            return {_hashable(decode(key)): decode(item) for key, item in content}
        if tag == DATETIME:
            import pandas

            return pandas.Timestamp(content)
        import pandas

        if tag == SERIES:
            return pandas.Series(decode(content["values"]), index=decode(content["index"]),
                                 name=decode(content["name"]))  # fmt: skip
        return pandas.DataFrame(decode(content["data"]), index=decode(content["index"]),
                                columns=decode(content["columns"]))  # fmt: skip
    return {key: decode(item) for key, item in data.items()}


def _hashable(value: Any) -> Any:
    return tuple(_hashable(item) for item in value) if isinstance(value, list) else value


# Systems under test of open-ended questions, by judge name, for the grader's step cells.
_driven: dict[str, Any] = {}
STEP_METHOD = "on_day"


def drive(system: Any, *, judge: str) -> None:
    """Hand `system` to the grader: it will call `system.on_day(...)` once per scenario step."""
    method = getattr(system, STEP_METHOD, None)
    if not callable(method):
        raise TypeError(
            f"{type(system).__name__} has no {STEP_METHOD}() method; the grader calls "
            f"{STEP_METHOD}(day, batch, labels) on it once per day"
        )
    _driven[judge] = system


def step(judge: str, arguments_json: str) -> None:
    """One scenario step (grader's cells only): call the driven system, observe its decision."""
    system = _driven.get(judge)
    if system is None:
        raise RuntimeError("the system under test was never handed over; its test cell failed")
    arguments = decode(json.loads(arguments_json))
    decision = getattr(system, STEP_METHOD)(**arguments)
    observe(decision, "decision")
