"""The judge compares observations with the reference in the grader's process."""

from __future__ import annotations

import pytest

from mlops_course.classroom.grading.judge import Observation, compare, judge_observations


@pytest.mark.parametrize(
    ("expected", "observed"),
    [
        (3, 3), (3, 3.0), (0.1 + 0.2, 0.3), ("DHL", "DHL"), (None, None), (False, False),
        ([1, [2.0]], [1, [2.0]]), ({"a": 1.0}, {"a": 1.0 + 1e-12}),
        ({"__float__": "nan"}, {"__float__": "nan"}),
        ({"__set__": [1, 2]}, {"__set__": [1, 2]}),
    ],
)  # fmt: skip
def test_equal_values_match(expected, observed):
    assert compare(expected, observed, 1e-9, 1e-12) == ""


@pytest.mark.parametrize(
    ("expected", "observed", "words"),
    [
        (3, 4, ": observed 4, not the reference value (compared exactly)"),
        (3, 3.5, "observed 3.5, not the reference value (compared exactly)"),
        (0.25, 0.26, "observed 0.26, not the reference value (within rtol 1e-09)"),
        (True, 1, "observed 1, where the reference has a boolean"),  # a bool is no number
        (1, True, "observed true, where the reference has a number"),
        ("DHL", "dhl", 'observed "dhl", not the reference value'),
        ([1, 2], [1], "observed 1 items, the reference has 2"),
        ({"a": 1, "b": 2}, {"a": 1}, "missing keys ['b']"),
        ({"a": 1}, {"a": 1, "c": 3}, "extra keys ['c']"),
        ({"a": [1, 2]}, {"a": [1, 3]}, "['a'][1]: observed 3, not the reference value"),
        ({"__series__": {"values": [1]}}, {"values": [1]}, "where the reference has a Series"),
        ({"__float__": "nan"}, 0.5, "observed 0.5, not the reference value"),
        ({"__set__": [1, 2]}, {"__set__": [1, 3]}, "(set)[1]: observed 3, not the reference"),
        ([1, 2], {"__set__": [1, 2]}, "observed {1, 2}, where the reference has a list"),
    ],
)  # fmt: skip
def test_a_mismatch_says_where_and_how_but_not_the_reference_value(expected, observed, words):
    message = compare(expected, observed, 1e-9, 1e-12)
    assert words in message
    assert "expected" not in message


def test_every_reference_observation_must_be_observed_exactly_once():
    reference = (Observation("share", 0.25), Observation("days", 7, hint="count the days"))
    assert judge_observations(reference, [Observation("days", 7), Observation("share", 0.25)]) == ""
    assert judge_observations(reference, [Observation("share", 0.25)]) == (
        "days: nothing was observed; count the days"
    )
    twice = [Observation("share", 0.25), Observation("share", 0.25), Observation("days", 7)]
    assert "observed 2 times" in judge_observations(reference, twice)
