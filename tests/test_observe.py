"""observe(): what a hidden test sends out of the kernel, as strict JSON, and what it refuses."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest

from mlops_course.classroom.authoring.observe import (
    MAX_ELEMENTS,
    ObservationError,
    decode,
    encode,
)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (3, 3), (0.25, 0.25), ("late", "late"), (True, True), (None, None),
        ((1, 2.5), [1, 2.5]),
        (np.int64(7), 7), (np.float64(0.5), 0.5), (np.bool_(False), False),
        (np.array([[1, 2], [3, 4]]), [[1, 2], [3, 4]]),
        (float("nan"), {"__float__": "nan"}), (-math.inf, {"__float__": "-inf"}),
        ({"b": 1, "a": [2]}, {"b": 1, "a": [2]}),
        ({2: "x", 1: "y"}, {"__items__": [[1, "y"], [2, "x"]]}),
        ({3, 1, 2}, {"__set__": [1, 2, 3]}),
    ],
)  # fmt: skip
def test_values_become_strict_json(value, expected):
    encoded = encode(value)
    assert encoded == expected
    json.dumps(encoded, allow_nan=False)  # strict JSON: no NaN literal, no pickle


def test_pandas_objects_keep_their_index_and_names():
    series = pd.Series([0.1, 0.2], index=["DHL", "GLS"], name="late")
    frame = pd.DataFrame({"day": [1, 2], "late": [0, 1]}, index=[10, 11])
    assert encode(series) == {"__series__": {"name": "late", "index": ["DHL", "GLS"],
                                             "values": [0.1, 0.2]}}  # fmt: skip
    assert encode(frame) == {"__frame__": {"columns": ["day", "late"], "index": [10, 11],
                                           "data": [[1, 0], [2, 1]]}}  # fmt: skip
    assert encode(pd.Timestamp("2026-01-02")) == {"__datetime__": "2026-01-02T00:00:00"}


def test_a_step_decodes_what_encode_produced():
    frame = pd.DataFrame({"order_id": ["0-1", "0-2"], "distance_km": [3.5, 40.0]})
    arguments = decode(json.loads(json.dumps(encode({"day": 0, "batch": frame}))))
    assert arguments["day"] == 0
    pd.testing.assert_frame_equal(arguments["batch"], frame)


def test_subclasses_are_observed_as_their_plain_values():
    class AlwaysEqual(float):
        def __eq__(self, other):
            return True

    assert type(encode(AlwaysEqual(0.5))) is float


@pytest.mark.parametrize(
    ("value", "words"),
    [(object(), "cannot observe a object"), (list(range(MAX_ELEMENTS + 1)), "at most"),
     (np.zeros(MAX_ELEMENTS + 1), "at most"), (lambda: 1, "cannot observe a function")],
)  # fmt: skip
def test_what_json_cannot_carry_is_refused_in_one_sentence(value, words):
    with pytest.raises(ObservationError, match=words):
        encode(value)
