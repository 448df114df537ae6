"""`generate()`: build a seeded world of daily order batches with a scenario's events.

Everything is drawn for all rows at once with numpy; events act through masks on the
day column. Independent random streams (orders, delivery noise, one per event) are
derived from the seed, so the same arguments give a byte-identical world and adding an
event changes nothing but what that event touches.
"""

from __future__ import annotations

from collections.abc import Sequence
from numbers import Integral, Real

import numpy as np
import pandas as pd

from . import effects
from .delivery import delivery_days, is_late, warehouse_load
from .domain import (
    BASE_LABEL_DELAY_DAYS,
    CATEGORIES,
    DEFAULT_START,
    FEATURES,
    TARGET,
)
from .errors import WorldError
from .events import ConceptDrift, CovariateShift, Event, LabelDelay
from .orders import WAREHOUSE_SHARE, draw_orders, make_calendar
from .production import World
from .scenario import Scenario

ORDERS_STREAM, DELIVERY_STREAM, EVENTS_STREAM = 0, 1, 2
MAX_ORDERS_PER_DAY = 100_000


def generate(
    seed: int = 42,
    days: int = 365,
    start: str = DEFAULT_START,
    orders_per_day: float = 300,
    scenario: Scenario | Sequence[Event] | None = None,
) -> World:
    """Generate `days` daily batches of about `orders_per_day` orders each from `start` on.

    `scenario` lists the events to inject (a Scenario or a list of events); None gives a
    clean world. The same arguments always give the same world, byte for byte.
    """
    _check_arguments(seed, days, orders_per_day)
    scenario = _as_scenario(scenario)
    scenario.check_fits(days)
    first_day = _parse_start(start)

    calendar = make_calendar(np.datetime64(first_day.date(), "D"), days)
    columns = draw_orders(calendar, orders_per_day, _stream(seed, ORDERS_STREAM))
    day = columns["day"]
    day_starts = np.searchsorted(day, np.arange(days + 1))
    event_rngs = {id(event): _stream(seed, EVENTS_STREAM, i) for i, event in enumerate(scenario)}

    for event in _of_type(scenario, CovariateShift):
        effects.shift_covariates(columns, event, day_starts, event_rngs[id(event)])
    load = warehouse_load(day, columns["warehouse"], days, orders_per_day * WAREHOUSE_SHARE)
    taken = delivery_days(columns, load, _stream(seed, DELIVERY_STREAM))
    for event in _of_type(scenario, ConceptDrift):
        taken = np.maximum(taken + effects.drift_delivery_days(columns, event), 0.0)
    late = is_late(taken, columns["ship_mode"])
    label_day = effects.label_arrival_days(
        day, BASE_LABEL_DELAY_DAYS, _of_type(scenario, LabelDelay)
    )

    delivered = _delivered_columns(columns, calendar.dates, late)
    repeated = []
    faults = [event for event in scenario if event.kind in effects.FAULT_ORDER]
    for event in sorted(faults, key=lambda event: effects.FAULT_ORDER.index(event.kind)):
        rows = effects.inject_fault(delivered, event, day_starts, days, event_rngs[id(event)])
        if rows is not None:
            repeated.append(rows)
    # A repeated record follows its original, as a feed that re-sends a message would.
    row_order = np.sort(np.concatenate([np.arange(len(day)), *repeated]), kind="stable")

    orders = pd.DataFrame({name: _as_series(col[row_order]) for name, col in delivered.items()})
    return World(
        seed=seed,
        days=days,
        start=first_day,
        orders_per_day=orders_per_day,
        scenario=scenario,
        orders=orders,
        events=scenario.to_frame(start=first_day, days=days),
        label_day=label_day[row_order],
    )


def _delivered_columns(
    columns: dict[str, np.ndarray], dates: np.ndarray, late: np.ndarray
) -> dict[str, np.ndarray]:
    """The feed's columns in their published order, categories spelled out."""
    day = columns["day"]
    order_number = pd.Series(np.arange(1, len(day) + 1)).astype(str).str.zfill(7)
    order_date = dates.astype("datetime64[us]")[day] + columns["second_of_day"].astype(
        "timedelta64[s]"
    )
    delivered = {
        "order_id": ("ORD-" + order_number).to_numpy(dtype=object),
        "day": day,
        "order_date": order_date,
    }
    for name in FEATURES:
        values = columns[name]
        if name in CATEGORIES:
            values = np.array(CATEGORIES[name], dtype=object)[values]
        delivered[name] = values.copy()
    delivered[TARGET] = late
    return delivered


def _as_series(values: np.ndarray) -> pd.Series:
    return pd.Series(values, dtype="str" if values.dtype == object else None)


def _of_type(scenario: Scenario, event_type: type[Event]) -> list:
    return sorted((e for e in scenario if isinstance(e, event_type)), key=lambda e: e.day)


def _stream(seed: int, *key: int) -> np.random.Generator:
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=key))


def _check_arguments(seed: object, days: object, orders_per_day: object) -> None:
    if isinstance(seed, bool) or not isinstance(seed, Integral) or seed < 0:
        raise WorldError(f"generate got seed={seed!r}; pass a whole number >= 0.")
    if isinstance(days, bool) or not isinstance(days, Integral) or days < 1:
        raise WorldError(f"generate got days={days!r}; pass a whole number of days >= 1.")
    if (
        isinstance(orders_per_day, bool)
        or not isinstance(orders_per_day, Real)
        or not 0 < orders_per_day <= MAX_ORDERS_PER_DAY
    ):
        raise WorldError(
            f"generate got orders_per_day={orders_per_day!r}; "
            f"pass a mean volume above 0 and at most {MAX_ORDERS_PER_DAY:,}."
        )


def _as_scenario(scenario: object) -> Scenario:
    if scenario is None:
        return Scenario()
    if isinstance(scenario, Scenario):
        return scenario
    if isinstance(scenario, Sequence) and not isinstance(scenario, str):
        return Scenario(tuple(scenario))
    raise WorldError(
        f"generate got scenario={scenario!r}; pass a Scenario, a list of events or None."
    )


def _parse_start(start: object) -> pd.Timestamp:
    try:
        return pd.Timestamp(start).normalize()
    except (TypeError, ValueError):
        raise WorldError(
            f"generate got start={start!r}, which is not a date; pass one like '2026-01-01'."
        ) from None
