"""Lesson 13's four criteria (mlops_course.capstone), shared by the judge and the rehearsal."""

from __future__ import annotations

import pytest

from mlops_course.capstone import (
    JUDGED_KINDS,
    LAUNCH_DAY,
    UNSEEN_UNITS,
    fault_days,
    fed_batch,
    hidden_scenario,
    rehearsal_verdict,
    verdict,
)
from mlops_course.tracking import data_fingerprint
from mlops_course.world import events, generate

DAYS = 30


def _decisions(world, flag, rejected=(), version_from=LAUNCH_DAY):
    decisions = []
    for day in range(world.days):
        batch = fed_batch(world, day)
        late = set(world.orders.loc[world.orders["day"] == day, "order_id"][
            world.orders.loc[world.orders["day"] == day, "late"] == 1])  # fmt: skip
        decisions.append({
            "flagged": sorted(flag(batch, late)), "rejected": day in rejected,
            "model_version": 1 if day >= version_from else None,
            "data_fingerprint": data_fingerprint(batch),
            "promoted": 1 if day == version_from - 1 else None,
            "gate": {"challenger_eur": 1.0, "champion_eur": 2.0},
            "trained_on": list(range(10)),
        })  # fmt: skip
    return decisions


@pytest.fixture(scope="module")
def world():
    fault = events.OutOfRange(day=25, column="distance_km", fraction=0.1, duration=2)
    return generate(seed=5, days=DAYS, orders_per_day=40, scenario=[fault])


def test_an_oracle_that_rejects_the_fault_passes(world) -> None:
    passed, message = rehearsal_verdict(
        world, _decisions(world, lambda b, late: late, rejected={25, 26})
    )
    assert passed and "2 of 2 faulty batches rejected, 0 clean ones" in message, message


def test_each_criterion_names_what_failed(world) -> None:
    _, everyone = rehearsal_verdict(
        world, _decisions(world, lambda b, late: b["order_id"], {25, 26})
    )
    assert "does not beat both trivial policies" in everyone
    _, served = rehearsal_verdict(world, _decisions(world, lambda b, late: late))
    assert "served the faulty batches of days [25, 26]" in served
    _, late_version = rehearsal_verdict(
        world, _decisions(world, lambda b, late: late, {25, 26}, 23)
    )
    assert "on days [21, 22] the model_version served" in late_version
    tainted = _decisions(world, lambda b, late: late, {25, 26})
    tainted[LAUNCH_DAY - 1]["trained_on"] = [25]
    assert "name training days that were rejected" in rehearsal_verdict(world, tainted)[1]


def test_verdict_reports_a_malformed_decision() -> None:
    passed, message = verdict([{}] * 3, ["x"] * 3, [0.0] * 3, set(), [{}, None, {}])
    assert not passed and message.startswith("day 0: the decision lacks flagged"), message


@pytest.mark.parametrize("scenario_seed", range(8))
def test_the_hidden_year_changes_units_only_into_ones_the_contract_misses(scenario_seed) -> None:
    scenario = hidden_scenario(scenario_seed, 150)
    assert sorted(event.kind for event in scenario) == sorted(JUDGED_KINDS)
    [change] = [event for event in scenario if event.kind == "unit_change"]
    assert change.unit == UNSEEN_UNITS[change.column] and change.factor in (0.621371, 2.20462)


def test_the_days_in_another_unit_are_faulty_days() -> None:
    change = events.UnitChange(day=12, column="distance_km", unit="mi", duration=2)
    world = generate(seed=5, days=DAYS, orders_per_day=20, scenario=[change])
    assert fault_days(world) == {12, 13}
