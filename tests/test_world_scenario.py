"""Scenario: hand-written or sampled, reproducible, and describable."""

from __future__ import annotations

import pandas as pd
import pytest
from world_cases import assert_one_sentence

from mlops_course.world import Scenario, WorldError, events
from mlops_course.world.events import KINDS
from mlops_course.world.scenario import FIRST_EVENT_SHARE


def test_sample_is_reproducible_for_the_same_seed_and_days():
    assert Scenario.sample(seed=4, days=120) == Scenario.sample(seed=4, days=120)


def test_sample_differs_between_seeds():
    assert Scenario.sample(seed=4, days=120) != Scenario.sample(seed=5, days=120)


def test_sample_draws_one_event_of_every_kind_by_default():
    assert sorted(Scenario.sample(seed=0, days=365).kinds) == sorted(KINDS)


def test_sample_draws_only_the_kinds_asked_for():
    scenario = Scenario.sample(seed=0, days=60, kinds=["duplicates", "label_delay"])
    assert sorted(scenario.kinds) == ["duplicates", "label_delay"]


@pytest.mark.parametrize("seed", range(5))
def test_sampled_events_leave_a_clean_start_and_faults_never_share_a_day(seed):
    days = 100
    scenario = Scenario.sample(seed=seed, days=days)
    assert min(event.day for event in scenario) >= int(days * FIRST_EVENT_SHARE)
    windows = [set(range(e.day, e.end_day(days) + 1)) for e in scenario if not e.persistent]
    assert sum(map(len, windows)) == len(set().union(*windows))
    assert [event.day for event in scenario] == sorted(event.day for event in scenario)


def test_sample_with_an_unknown_kind_is_one_sentence():
    with pytest.raises(WorldError) as caught:
        Scenario.sample(seed=0, days=60, kinds=["drift"])
    assert_one_sentence(str(caught.value), "drift", "concept_drift")


def test_sample_into_too_few_days_is_one_sentence():
    with pytest.raises(WorldError) as caught:
        Scenario.sample(seed=0, days=8)
    assert_one_sentence(str(caught.value), "8 days")


def test_scenario_rejects_things_that_are_not_events():
    with pytest.raises(WorldError) as caught:
        Scenario([events.Duplicates(day=1), "missing_values"])
    assert_one_sentence(str(caught.value), "missing_values", "MissingValues")


def test_repr_lists_every_event_so_it_can_be_pasted_back():
    scenario = Scenario.sample(seed=2, days=90)
    assert eval(repr(scenario), vars(events) | {"Scenario": Scenario}) == scenario


def test_to_frame_describes_each_event_without_a_world():
    frame = Scenario([events.LabelDelay(day=9, delay_days=3), events.Duplicates(day=4)]).to_frame()
    assert list(frame["kind"]) == ["duplicates", "label_delay"]
    assert pd.isna(frame.loc[1, "end_day"])  # a label delay holds from its day on
    assert "5 days after the order" in frame.loc[1, "detail"]


def test_an_empty_scenario_has_an_empty_log_with_the_usual_columns():
    frame = Scenario().to_frame()
    assert frame.empty and "kind" in frame and len(Scenario()) == 0
