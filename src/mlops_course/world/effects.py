"""How each event changes the world, applied to whole columns with row masks.

The generator calls these in the order reality imposes: covariate shifts change the
orders before their delivery time is drawn; concept drift changes the delivery time;
label delays change when the truth becomes known; faults corrupt the delivered feed
after the truth is fixed, so a fault never changes a label.

`columns` maps a column name to one numpy array over all orders, sorted by day;
`day_starts[d]` is the first row of day d. Each event draws from its own generator, so
adding an event leaves every other random draw of the world as it was.
"""

from __future__ import annotations

import numpy as np

from .delivery import WEATHER_DELAY_DAYS
from .domain import CATEGORIES, INTEGER_FEATURES, VALID_RANGES
from .events import (
    ConceptDrift,
    CovariateShift,
    Duplicates,
    Event,
    LabelDelay,
    MissingValues,
    NewCategory,
    OutOfRange,
    RenamedColumn,
    UnitChange,
)

Columns = dict[str, np.ndarray]

# Classic broken values: a zero default, a sign bug, a sentinel.
OUT_OF_RANGE_VALUES: dict[str, tuple[float, ...]] = {
    "distance_km": (0.0, -1.0, 99999.0),
    "weight_kg": (0.0, -1.0, 999.0),
    "n_items": (0, -1, 999),
    "order_hour": (-1, 24, 99),
    "weekday": (-1, 7),
    "promo": (-1, 2),
}
assert set(OUT_OF_RANGE_VALUES) == set(VALID_RANGES)
DISTANCE_DRIFT_UNIT_KM = 500.0


def shift_covariates(
    columns: Columns, event: CovariateShift, day_starts: np.ndarray, rng: np.random.Generator
) -> None:
    """Move one column's distribution for every order from the event's day on."""
    rows = slice(day_starts[event.day], None)
    values = columns[event.column]
    if event.column in CATEGORIES:
        switch = rng.random(len(values[rows])) < event.shift
        values[rows] = np.where(switch, CATEGORIES[event.column].index(event.value), values[rows])
        return
    moved = np.clip(values[rows] * event.scale + event.shift, *VALID_RANGES[event.column])
    digits = 0 if event.column in INTEGER_FEATURES else 1 if event.column == "distance_km" else 2
    values[rows] = np.round(moved, digits)


def drift_delivery_days(columns: Columns, event: ConceptDrift) -> np.ndarray:
    """Extra delivery days each order gets from the drift (0 before its day)."""
    column = columns[event.column]
    if event.column in ("carrier", "warehouse"):
        effect = (column == CATEGORIES[event.column].index(event.value)).astype(float)
    elif event.column == "weather":
        effect = WEATHER_DELAY_DAYS[column] / WEATHER_DELAY_DAYS.max()
    else:
        effect = column / DISTANCE_DRIFT_UNIT_KM
    return np.where(columns["day"] >= event.day, event.magnitude * effect, 0.0)


def label_arrival_days(day: np.ndarray, base_delay: int, delays: list[LabelDelay]) -> np.ndarray:
    """The day each order's label becomes known; the latest LabelDelay in effect wins."""
    extra = np.zeros(len(day), dtype=np.int64)
    for event in sorted(delays, key=lambda event: event.day):
        extra[day >= event.day] = event.delay_days
    return day + base_delay + extra


def inject_fault(
    columns: Columns,
    event: Event,
    day_starts: np.ndarray,
    days: int,
    rng: np.random.Generator,
) -> np.ndarray | None:
    """Corrupt the delivered feed in place; Duplicates returns the rows to repeat instead."""
    first, last = day_starts[event.day], day_starts[event.end_day(days) + 1]
    if isinstance(event, UnitChange):
        values = columns[event.column]
        values[first:last] = np.round(values[first:last] * event.factor, 3)
    elif isinstance(event, RenamedColumn):
        renamed = columns.setdefault(event.new_name, _missing_like(columns[event.column]))
        renamed[first:last] = columns[event.column][first:last]
        columns[event.column] = _blank(columns[event.column], slice(first, last))
        columns[event.new_name] = renamed
    else:
        rows = _pick_rows(event, day_starts, days, rng)
        if isinstance(event, Duplicates):
            return rows
        if isinstance(event, MissingValues):
            columns[event.column] = _blank(columns[event.column], rows)
        elif isinstance(event, NewCategory):
            columns[event.column][rows] = event.value
        elif isinstance(event, OutOfRange):
            columns[event.column][rows] = rng.choice(OUT_OF_RANGE_VALUES[event.column], len(rows))
        else:
            raise TypeError(f"{event.name} is not a data-quality fault")
    return None


FAULT_ORDER = (
    "unit_change",
    "out_of_range",
    "new_category",
    "missing_values",
    "renamed_column",
    "duplicates",
)
"""Values are corrupted first, then blanked, then moved to a new name, then repeated, so
each fault stays visible when several hit the same day."""


def _pick_rows(
    event: Event, day_starts: np.ndarray, days: int, rng: np.random.Generator
) -> np.ndarray:
    """`fraction` of each active day's rows, at least one per day so the event always lands."""
    picked = []
    for day in range(event.day, event.end_day(days) + 1):
        first, count = day_starts[day], day_starts[day + 1] - day_starts[day]
        if count:
            chosen = max(1, round(event.fraction * count))
            picked.append(first + rng.choice(count, chosen, replace=False))
    return np.sort(np.concatenate(picked)) if picked else np.empty(0, dtype=np.int64)


def _missing_like(values: np.ndarray) -> np.ndarray:
    if values.dtype == object:
        return np.full(len(values), None, dtype=object)
    return np.full(len(values), np.nan)


def _blank(values: np.ndarray, rows: slice | np.ndarray) -> np.ndarray:
    """Set rows to missing; integer columns turn float, as a CSV reader would make them."""
    blanked = values if values.dtype.kind in "fO" else values.astype(float)
    blanked[rows] = None if blanked.dtype == object else np.nan
    return blanked
