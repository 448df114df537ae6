"""generate(): a seeded, reproducible, learnable world of daily order batches."""

from __future__ import annotations

import hashlib
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from world_cases import DAYS, ORDERS_PER_DAY, SEED, assert_one_sentence, clean_world

from mlops_course.world import (
    BASE_LABEL_DELAY_DAYS,
    CATEGORIES,
    COLUMNS,
    FEATURES,
    TARGET,
    VALID_RANGES,
    Scenario,
    WorldError,
    generate,
)


def fingerprint(frame: pd.DataFrame) -> str:
    return hashlib.sha256(frame.to_csv().encode()).hexdigest()


def test_same_seed_and_arguments_give_byte_identical_orders_and_event_log():
    scenario = Scenario.sample(seed=3, days=DAYS)
    first = generate(seed=SEED, days=DAYS, orders_per_day=ORDERS_PER_DAY, scenario=scenario)
    again = generate(seed=SEED, days=DAYS, orders_per_day=ORDERS_PER_DAY, scenario=scenario)
    assert fingerprint(first.orders) == fingerprint(again.orders)
    assert fingerprint(first.events) == fingerprint(again.events)


def test_different_seeds_give_different_orders():
    assert fingerprint(clean_world(seed=1).orders) != fingerprint(clean_world(seed=2).orders)


def test_orders_have_the_published_columns_and_dtypes():
    orders = clean_world().orders
    assert list(orders.columns) == COLUMNS
    assert orders["order_id"].is_unique
    assert orders["order_id"].str.fullmatch(r"ORD-\d{7}").all()
    assert pd.api.types.is_datetime64_any_dtype(orders["order_date"])
    assert (orders["order_date"].dt.hour == orders["order_hour"]).all()
    assert (orders["order_date"].dt.day_of_week == orders["weekday"]).all()
    for name in FEATURES + [TARGET, "day"]:
        expected = (
            pd.api.types.is_string_dtype if name in CATEGORIES else pd.api.types.is_numeric_dtype
        )
        assert expected(orders[name]), name
    assert orders[FEATURES + [TARGET]].notna().all().all()


def test_clean_orders_use_known_categories_and_stay_in_valid_ranges():
    orders = clean_world().orders
    for name, categories in CATEGORIES.items():
        assert set(orders[name]) <= set(categories), name
    for name, (low, high) in VALID_RANGES.items():
        assert orders[name].between(low, high).all(), name


def test_days_are_consecutive_sorted_by_time_and_start_on_the_start_date():
    world = generate(seed=SEED, days=10, start="2026-03-02", orders_per_day=50)
    orders = world.orders
    assert orders["day"].is_monotonic_increasing
    assert orders["order_date"].is_monotonic_increasing
    dates = orders["order_date"].dt.normalize()
    assert ((dates - pd.Timestamp("2026-03-02")).dt.days == orders["day"]).all()
    assert orders["weekday"].iloc[0] == 0  # 2 March 2026 is a Monday


def test_daily_volume_varies_around_orders_per_day():
    per_day = clean_world().orders.groupby("day").size()
    assert len(per_day) == DAYS
    assert 0.8 * ORDERS_PER_DAY < per_day.median() < 1.25 * ORDERS_PER_DAY
    assert per_day.nunique() > 5


def test_late_rate_is_between_fifteen_and_twenty_five_percent():
    assert 0.15 <= clean_world().orders[TARGET].mean() <= 0.25


def test_a_model_learns_lateness_clearly_better_than_chance_but_not_perfectly():
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.metrics import roc_auc_score

    orders = generate(seed=SEED, days=60, orders_per_day=300).orders
    features = pd.get_dummies(orders[FEATURES], columns=list(CATEGORIES), dtype=float)
    train, test = orders["day"] < 40, orders["day"] >= 40
    model = HistGradientBoostingClassifier(max_iter=100, random_state=0)
    model.fit(features[train], orders.loc[train, TARGET])
    auc = roc_auc_score(orders.loc[test, TARGET], model.predict_proba(features[test])[:, 1])
    assert 0.72 <= auc <= 0.9, auc


def test_a_year_of_batches_has_over_100k_orders_and_every_event_kind_logged():
    scenario = Scenario.sample(seed=11, days=365)
    world = generate(seed=SEED, days=365, orders_per_day=300, scenario=scenario)
    assert len(world.orders) >= 100_000
    assert world.orders["day"].nunique() == 365
    assert sorted(world.events["kind"]) == sorted(scenario.kinds)
    assert world.orders["promo"].groupby(world.orders["day"]).first().sum() >= 5


def test_batch_is_one_day_without_labels_and_batches_cover_every_order():
    world = clean_world()
    batch = world.batch(5)
    assert (batch["day"] == 5).all() and len(batch) == (world.orders["day"] == 5).sum()
    assert TARGET not in batch and TARGET in world.batch(5, with_labels=True)
    assert list(batch.index) == list(range(len(batch)))
    days = [day for day, _ in world.batches()]
    assert days == list(range(DAYS))
    assert sum(len(frame) for _, frame in world.batches()) == len(world.orders)


def test_labels_arrive_the_base_delay_after_their_order():
    world = clean_world()
    labels = world.labels_as_of(10)
    assert list(labels.columns) == ["order_id", "day", TARGET]
    assert labels["day"].max() == 10 - BASE_LABEL_DELAY_DAYS
    assert len(labels) == (world.orders["day"] <= 10 - BASE_LABEL_DELAY_DAYS).sum()
    truth = world.orders.set_index("order_id")[TARGET]
    assert (labels.set_index("order_id")[TARGET] == truth[labels["order_id"]]).all()
    assert world.labels_as_of(BASE_LABEL_DELAY_DAYS - 1).empty


@pytest.mark.parametrize(
    ("arguments", "named"),
    [
        ({"seed": -1}, "seed"),
        ({"days": 0}, "days"),
        ({"orders_per_day": 0}, "orders_per_day"),
        ({"start": "not a date"}, "start"),
        ({"scenario": "duplicates"}, "scenario"),
    ],
)
def test_bad_generate_argument_is_one_sentence_naming_it(arguments, named):
    with pytest.raises(WorldError) as caught:
        generate(**{"days": 5, "orders_per_day": 10, **arguments})
    assert_one_sentence(str(caught.value), named)


def test_batch_of_a_day_outside_the_world_is_one_sentence():
    with pytest.raises(WorldError) as caught:
        clean_world().batch(DAYS)
    assert_one_sentence(str(caught.value), "batch", str(DAYS))


def test_importing_mlops_course_does_not_load_the_world():
    code = "import sys, mlops_course; print('mlops_course.world' in sys.modules)"
    shown = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert shown.stdout.strip() == "False"


def test_orders_per_day_scales_the_volume():
    small = generate(seed=SEED, days=20, orders_per_day=50).orders
    large = generate(seed=SEED, days=20, orders_per_day=500).orders
    assert 8 < len(large) / len(small) < 12
    assert np.isclose(small[TARGET].mean(), large[TARGET].mean(), atol=0.08)
