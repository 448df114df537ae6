"""Each event kind lands on its day (and window) only, and the event log tells the truth."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from world_cases import (
    DAYS,
    assert_one_sentence,
    clean_world,
    differing_days,
    orders_on,
    rows_per_day,
    world_with,
)

from mlops_course.world import (
    BASE_LABEL_DELAY_DAYS,
    FEATURES,
    TARGET,
    VALID_RANGES,
    Scenario,
    WorldError,
    events,
    generate,
)

FEATURES_AND_IDS = ["order_id", "day", "order_date", *FEATURES]


def expected_count(world, day, fraction):
    return max(1, round(fraction * orders_on(world, day)))


# --- reality changes: covariate shift, concept drift, label delay -------------------------


def test_numeric_covariate_shift_scales_the_column_from_its_day_on_only():
    clean = clean_world()
    shifted = world_with(events.CovariateShift(day=12, column="distance_km", scale=1.5))
    before, after = clean.orders["day"] < 12, clean.orders["day"] >= 12
    assert shifted.orders[before].equals(clean.orders[before])
    ratio = shifted.orders.loc[after, "distance_km"] / clean.orders.loc[after, "distance_km"]
    assert ratio.median() == pytest.approx(1.5, abs=0.01)
    others = [name for name in FEATURES_AND_IDS if name != "distance_km"]
    assert shifted.orders[others].equals(clean.orders[others])
    # Farther parcels are later: the relationship holds, so the late rate follows the shift.
    assert shifted.orders.loc[after, TARGET].mean() > clean.orders.loc[after, TARGET].mean()


def test_categorical_covariate_shift_moves_a_share_of_orders_to_the_category():
    clean = clean_world()
    shifted = world_with(events.CovariateShift(day=12, column="carrier", shift=0.5, value="GLS"))
    gls_share = (shifted.orders["carrier"] == "GLS").groupby(shifted.orders["day"]).mean()
    clean_share = (clean.orders["carrier"] == "GLS").groupby(clean.orders["day"]).mean()
    assert (gls_share[:12] == clean_share[:12]).all()
    assert gls_share[12:].mean() > clean_share[12:].mean() + 0.35
    assert differing_days(shifted, clean) == list(range(12, DAYS))


def test_concept_drift_changes_labels_of_the_drifted_carrier_from_its_day_on_only():
    clean = clean_world()
    drifted = world_with(events.ConceptDrift(day=15, magnitude=1.5, column="carrier", value="DPD"))
    orders, truth = drifted.orders, clean.orders
    assert orders[FEATURES_AND_IDS].equals(truth[FEATURES_AND_IDS])
    changed = orders[TARGET] != truth[TARGET]
    assert set(orders.loc[changed, "day"]) <= set(range(15, DAYS))
    assert set(orders.loc[changed, "carrier"]) == {"DPD"}
    dpd_after = (orders["carrier"] == "DPD") & (orders["day"] >= 15)
    assert orders.loc[dpd_after, TARGET].mean() > truth.loc[dpd_after, TARGET].mean() + 0.25


def test_concept_drift_on_weather_makes_bad_weather_matter_more():
    clean = clean_world()
    drifted = world_with(events.ConceptDrift(day=10, magnitude=1.5, column="weather"))
    changed = drifted.orders[TARGET] != clean.orders[TARGET]
    assert changed.any()
    assert set(drifted.orders.loc[changed, "weather"]) <= {"rain", "storm", "snow"}
    assert drifted.orders.loc[changed, "day"].min() >= 10


def test_concept_drift_makes_an_earlier_model_err_more_after_its_day():
    from sklearn.ensemble import HistGradientBoostingClassifier

    def errors_before_and_after(world):
        orders = world.orders
        features = pd.get_dummies(orders[FEATURES], dtype=float)
        train = orders["day"] < 20
        model = HistGradientBoostingClassifier(max_iter=60, random_state=0)
        model.fit(features[train], orders.loc[train, TARGET])
        wrong = model.predict(features) != orders[TARGET]
        return wrong[(orders["day"] >= 20) & (orders["day"] < 30)].mean(), wrong[
            orders["day"] >= 30
        ].mean()

    drift = events.ConceptDrift(day=30, magnitude=2.0, column="carrier", value="DHL")
    drifted = generate(seed=5, days=40, orders_per_day=300, scenario=[drift])
    before, after = errors_before_and_after(drifted)
    assert after > before + 0.05


def test_label_delay_holds_back_labels_of_orders_from_its_day_on():
    delayed = world_with(events.LabelDelay(day=10, delay_days=5))
    assert differing_days(delayed, clean_world()) == []
    for as_of in range(DAYS + 10):
        known_days = set(delayed.labels_as_of(as_of)["day"])
        expected = {
            day
            for day in range(DAYS)
            if as_of >= day + BASE_LABEL_DELAY_DAYS + (5 if day >= 10 else 0)
        }
        assert known_days == expected, as_of


def test_a_later_label_delay_replaces_the_earlier_one():
    world = world_with(
        events.LabelDelay(day=5, delay_days=8), events.LabelDelay(day=15, delay_days=1)
    )
    known = set(world.labels_as_of(18)["day"])
    assert 15 in known and 16 not in known  # day 15 + 2 + 1 = 18
    assert 8 in known and 9 not in known  # day 8 + 2 + 8 = 18


# --- data-quality faults: they land on their window and never touch the labels -----------


def test_missing_values_appear_exactly_on_their_days_in_their_column():
    clean = clean_world()
    fault = events.MissingValues(day=8, column="n_items", fraction=0.2, duration=2)
    world = world_with(fault)
    assert rows_per_day(world, world.orders["n_items"].isna()) == {
        8: expected_count(world, 8, 0.2),
        9: expected_count(world, 9, 0.2),
    }
    assert differing_days(world, clean) == [8, 9]
    assert world.orders[TARGET].equals(clean.orders[TARGET])
    assert world.batch(7)["n_items"].dtype == np.int64  # clean days keep integer dtype


def test_missing_values_in_a_categorical_column_are_nan():
    world = world_with(events.MissingValues(day=3, column="carrier", fraction=0.1))
    assert rows_per_day(world, world.orders["carrier"].isna()) == {3: expected_count(world, 3, 0.1)}


def test_unit_change_converts_the_whole_column_on_its_days_only():
    clean = clean_world()
    world = world_with(events.UnitChange(day=6, column="weight_kg", unit="g", duration=2))
    on_days = world.orders["day"].isin([6, 7])
    assert np.allclose(
        world.orders.loc[on_days, "weight_kg"], clean.orders.loc[on_days, "weight_kg"] * 1000
    )
    assert differing_days(world, clean) == [6, 7]


def test_unit_change_to_miles_uses_the_known_factor():
    world = world_with(events.UnitChange(day=4, column="distance_km", unit="mi"))
    ratio = world.orders["distance_km"] / clean_world().orders["distance_km"]
    assert ratio[world.orders["day"] == 4].median() == pytest.approx(0.621371, rel=1e-3)


def test_new_category_appears_only_on_its_day():
    clean = clean_world()
    world = world_with(events.NewCategory(day=20, column="carrier", value="FedEx", fraction=0.1))
    assert rows_per_day(world, world.orders["carrier"] == "FedEx") == {
        20: expected_count(world, 20, 0.1)
    }
    assert differing_days(world, clean) == [20]
    assert world.orders[TARGET].equals(clean.orders[TARGET])


def test_renamed_column_is_filled_only_on_its_days_and_batches_show_one_name():
    clean = clean_world()
    world = world_with(
        events.RenamedColumn(day=11, column="carrier", new_name="carrier_name", duration=2)
    )
    orders, on_days = world.orders, world.orders["day"].isin([11, 12])
    assert orders["carrier_name"].notna().equals(on_days)
    assert orders["carrier"].isna().equals(on_days)
    assert orders.loc[on_days, "carrier_name"].equals(clean.orders.loc[on_days, "carrier"])
    renamed_batch, usual_batch = world.batch(11), world.batch(13)
    assert "carrier" not in renamed_batch and "carrier_name" in renamed_batch
    assert list(renamed_batch.columns).index("carrier_name") == list(usual_batch.columns).index(
        "carrier"
    )
    assert "carrier_name" not in usual_batch
    assert differing_days(world, clean) == [11, 12]


def test_duplicates_repeat_order_ids_on_their_day_only_and_nothing_else():
    clean = clean_world()
    world = world_with(events.Duplicates(day=17, fraction=0.05))
    repeated = world.orders["order_id"].duplicated()
    assert rows_per_day(world, repeated) == {17: expected_count(clean, 17, 0.05)}
    deduplicated = world.orders.drop_duplicates().reset_index(drop=True)
    assert deduplicated.equals(clean.orders)
    assert len(world.labels_as_of(DAYS + 5)) == len(clean.orders)


def test_out_of_range_values_appear_only_on_their_days():
    clean = clean_world()
    world = world_with(events.OutOfRange(day=25, column="weight_kg", fraction=0.05, duration=2))
    low, high = VALID_RANGES["weight_kg"]
    outside = ~world.orders["weight_kg"].between(low, high)
    assert rows_per_day(world, outside) == {
        25: expected_count(world, 25, 0.05),
        26: expected_count(world, 26, 0.05),
    }
    assert differing_days(world, clean) == [25, 26]


@pytest.mark.parametrize("column", list(VALID_RANGES))
def test_out_of_range_works_for_every_ranged_column(column):
    world = world_with(events.OutOfRange(day=2, column=column, fraction=0.2))
    outside = ~world.orders[column].between(*VALID_RANGES[column])
    assert set(world.orders.loc[outside, "day"]) == {2}


def test_a_fault_running_past_the_last_day_is_clipped_in_the_log():
    world = world_with(events.MissingValues(day=DAYS - 1, column="weather", duration=5))
    assert world.events.loc[0, "end_day"] == DAYS - 1


# --- the event log ------------------------------------------------------------------------


def test_event_log_has_one_truthful_row_per_event_sorted_by_day():
    scenario = Scenario(
        [
            events.Duplicates(day=20, fraction=0.05),
            events.ConceptDrift(day=5, magnitude=1.0),
            events.MissingValues(day=9, column="weight_kg", fraction=0.1, duration=3),
        ]
    )
    world = generate(seed=1, days=DAYS, start="2026-06-01", orders_per_day=50, scenario=scenario)
    log = world.events
    assert list(log.columns) == ["day", "end_day", "date", "kind", "column", "persistent", "detail"]
    assert list(log["day"]) == [5, 9, 20]
    assert list(log["kind"]) == ["concept_drift", "missing_values", "duplicates"]
    assert list(log["end_day"]) == [DAYS - 1, 11, 20]
    assert list(log["persistent"]) == [True, False, False]
    assert log.loc[0, "column"] == "carrier" and pd.isna(log.loc[2, "column"])
    assert list(log["date"]) == list(pd.Timestamp("2026-06-01") + pd.to_timedelta(log["day"], "D"))
    assert "DHL" in log.loc[0, "detail"] and "10%" in log.loc[1, "detail"]


def test_sampled_faults_change_exactly_the_days_the_log_names():
    faults = [
        "missing_values",
        "unit_change",
        "new_category",
        "renamed_column",
        "duplicates",
        "out_of_range",
    ]
    for scenario_seed in range(3):
        scenario = Scenario.sample(seed=scenario_seed, days=40, kinds=faults)
        world = world_with(*scenario, days=40)
        logged = {
            day
            for start, end in zip(world.events["day"], world.events["end_day"], strict=True)
            for day in range(start, end + 1)
        }
        assert set(differing_days(world, clean_world(days=40))) == logged, scenario


# --- bad arguments --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("build", "named"),
    [
        (lambda: events.MissingValues(day=3, column="wieght_kg"), "MissingValues"),
        (lambda: events.MissingValues(day=3, column="weight_kg", fraction=0), "fraction"),
        (lambda: events.Duplicates(day=3, fraction=1.5), "Duplicates"),
        (lambda: events.OutOfRange(day=-1, column="weight_kg"), "day -1"),
        (lambda: events.OutOfRange(day=2, column="carrier"), "OutOfRange"),
        (lambda: events.CovariateShift(day=2, column="distance_km"), "CovariateShift"),
        (lambda: events.CovariateShift(day=2, column="carrier", shift=0.3, value="FedEx"), "FedEx"),
        (lambda: events.ConceptDrift(day=2, magnitude=0), "magnitude"),
        (lambda: events.ConceptDrift(day=2, column="weather", value="snow"), "ConceptDrift"),
        (lambda: events.LabelDelay(day=2, delay_days=0), "delay_days"),
        (lambda: events.UnitChange(day=2, column="weight_kg", unit="stone"), "stone"),
        (lambda: events.UnitChange(day=2, column="carrier"), "UnitChange"),
        (lambda: events.NewCategory(day=2, column="carrier", value="DHL"), "DHL"),
        (lambda: events.RenamedColumn(day=2, column="carrier", new_name="late"), "new_name"),
        (
            lambda: events.RenamedColumn(day=2, column="carrier", new_name="x", duration=0),
            "duration",
        ),
        (lambda: events.Duplicates(day=2.5), "Duplicates"),
    ],
)
def test_bad_event_argument_is_one_sentence_naming_the_event_and_the_fix(build, named):
    with pytest.raises(WorldError) as caught:
        build()
    assert_one_sentence(str(caught.value), named)


def test_event_after_the_last_day_is_rejected_by_generate():
    with pytest.raises(WorldError) as caught:
        world_with(events.Duplicates(day=DAYS + 10))
    assert_one_sentence(str(caught.value), "Duplicates", str(DAYS + 10), str(DAYS))


def test_two_renames_to_one_name_for_different_columns_are_rejected():
    with pytest.raises(WorldError) as caught:
        Scenario(
            [
                events.RenamedColumn(day=2, column="carrier", new_name="name"),
                events.RenamedColumn(day=5, column="warehouse", new_name="name"),
            ]
        )
    assert_one_sentence(str(caught.value), "new_name")
