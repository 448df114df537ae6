"""A scenario: the list of events a world goes through, written by hand or drawn at random."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from . import events as ev
from .domain import CATEGORIES, DEFAULT_START, FEATURES, VALID_RANGES
from .errors import WorldError

FIRST_EVENT_SHARE = 0.2
"""Sampled events start after the first 20 % of days, leaving a clean reference period."""
MAX_SAMPLED_DURATION = 3
NEW_CATEGORY_EXAMPLES = {
    "carrier": ("FedEx", "Hermes", "bpost"),
    "warehouse": ("Antwerp", "Eindhoven"),
    "ship_mode": ("same_day", "pickup_point"),
    "weather": ("fog", "heatwave"),
}
RENAMED_EXAMPLES = {
    # How an upstream team might rename a column in a new API version.
    "distance_km": "distanceKm",
    "weight_kg": "weightKg",
    "n_items": "item_count",
    "carrier": "carrier_name",
    "warehouse": "warehouse_id",
    "ship_mode": "shipMode",
    "weather": "weather_code",
    "order_hour": "orderHour",
    "weekday": "day_of_week",
    "promo": "is_promo",
}
assert set(RENAMED_EXAMPLES) == set(FEATURES) and set(NEW_CATEGORY_EXAMPLES) == set(CATEGORIES)
EVENT_LOG_COLUMNS = ["day", "end_day", "date", "kind", "column", "persistent", "detail"]


@dataclass(frozen=True)
class Scenario:
    """The events a world goes through, e.g. `Scenario([events.Duplicates(day=40)])`."""

    events: tuple[ev.Event, ...] = ()

    def __post_init__(self) -> None:
        if isinstance(self.events, ev.Event) or not isinstance(self.events, Iterable):
            raise WorldError(
                f"Scenario got {self.events!r} instead of a list of events; "
                "pass Scenario([events.MissingValues(...), ...])."
            )
        object.__setattr__(self, "events", tuple(self.events))
        for event in self.events:
            if not isinstance(event, ev.Event):
                names = ", ".join(cls.__name__ for cls in ev.EVENT_TYPES.values())
                raise WorldError(
                    f"Scenario got {event!r}, which is not an event; "
                    f"build it with mlops_course.world.events ({names})."
                )
        _check_renames(self.events)

    @classmethod
    def sample(cls, seed: int, days: int, kinds: Sequence[str] | None = None) -> Scenario:
        """Draw one event per kind (all kinds by default) on random days of a `days`-day world.

        Events start after the first 20 % of days, each in its own slot of the remaining
        days, so no two faults share a day and each can be seen on its own (shifts, drifts
        and delays persist, as they do in production). The same arguments give the same
        scenario.
        """
        kinds = list(ev.KINDS if kinds is None else kinds)
        for kind in kinds:
            if kind not in ev.EVENT_TYPES:
                raise WorldError(
                    f"Scenario.sample got unknown kind {kind!r}; use some of {', '.join(ev.KINDS)}."
                )
        first = max(1, int(days * FIRST_EVENT_SHARE))
        slot = (days - first) // max(len(kinds), 1)
        if slot < 1:
            raise WorldError(
                f"Scenario.sample cannot fit {len(kinds)} events into {days} days; "
                f"pass at least {first + len(kinds)} days or fewer kinds."
            )
        rng = np.random.default_rng(seed)
        drawn = []
        for position, kind in zip(rng.permutation(len(kinds)), kinds, strict=True):
            duration = int(rng.integers(1, min(MAX_SAMPLED_DURATION, slot) + 1))
            day = first + int(position) * slot + int(rng.integers(0, slot - duration + 1))
            drawn.append(_DRAWERS[kind](rng, day, duration))
        return cls(tuple(sorted(drawn, key=lambda event: event.day)))

    def check_fits(self, days: int) -> None:
        """Raise WorldError if an event starts after the last day of a `days`-day world."""
        for event in self.events:
            if event.day >= days:
                raise WorldError(
                    f"{event.name} on day {event.day} is outside a world of {days} days "
                    f"(days 0-{days - 1}); move the event earlier or generate more days."
                )

    def to_frame(self, start: str = DEFAULT_START, days: int | None = None) -> pd.DataFrame:
        """One row per event, sorted by day: the ground-truth event log.

        `end_day` is the last day the event acts on; for events that hold from their day on
        it is the world's last day when `days` is given, else missing.
        """
        first = pd.Timestamp(start).normalize()
        rows = [
            {
                "day": event.day,
                "end_day": event.end_day(days),
                "date": first + pd.Timedelta(days=event.day),
                "kind": event.kind,
                "column": event.affected_column,
                "persistent": event.persistent,
                "detail": event.describe(),
            }
            for event in self.events
        ]
        frame = pd.DataFrame(rows, columns=EVENT_LOG_COLUMNS)
        frame = frame.astype(
            {
                "day": "int64",
                "end_day": "Int64",
                "date": "datetime64[us]",
                "kind": "str",
                "column": "str",
                "persistent": "bool",
                "detail": "str",
            }
        )
        return frame.sort_values("day", kind="stable").reset_index(drop=True)

    @property
    def kinds(self) -> list[str]:
        return [event.kind for event in self.events]

    def __len__(self) -> int:
        return len(self.events)

    def __iter__(self) -> Iterator[ev.Event]:
        return iter(self.events)

    def __repr__(self) -> str:
        if not self.events:
            return "Scenario([])"
        lines = "".join(f"    {event!r},\n" for event in self.events)
        return f"Scenario([\n{lines}])"


def _check_renames(events: Sequence[ev.Event]) -> None:
    """Two renames must not fight over one name or rename one column twice at once."""
    renames = [event for event in events if isinstance(event, ev.RenamedColumn)]
    for index, one in enumerate(renames):
        for other in renames[index + 1 :]:
            same_name = one.new_name == other.new_name and one.column != other.column
            overlap = one.column == other.column and not (
                one.end_day() < other.day or other.end_day() < one.day
            )
            if same_name or overlap:
                raise WorldError(
                    f"{one!r} and {other!r} conflict; give each renamed column its own new_name "
                    "and do not rename one column twice on the same day."
                )


def _draw_covariate_shift(rng: np.random.Generator, day: int, duration: int) -> ev.Event:
    column = str(rng.choice(["distance_km", "weight_kg", "carrier", "warehouse", "ship_mode"]))
    if column in CATEGORIES:
        value = str(rng.choice(CATEGORIES[column][1:]))  # away from the usual majority
        return ev.CovariateShift(day, column, shift=round(rng.uniform(0.3, 0.6), 2), value=value)
    return ev.CovariateShift(day, column, scale=round(rng.uniform(1.4, 1.9), 2))


def _draw_concept_drift(rng: np.random.Generator, day: int, duration: int) -> ev.Event:
    column = str(rng.choice(ev.DRIFTABLE_COLUMNS))
    value = str(rng.choice(CATEGORIES[column])) if column in ("carrier", "warehouse") else None
    magnitude = round(rng.uniform(1.0, 2.0), 2)
    return ev.ConceptDrift(day, magnitude=magnitude, column=column, value=value)


def _draw_label_delay(rng: np.random.Generator, day: int, duration: int) -> ev.Event:
    return ev.LabelDelay(day, delay_days=int(rng.integers(3, 11)))


def _draw_missing_values(rng: np.random.Generator, day: int, duration: int) -> ev.Event:
    column = str(rng.choice(FEATURES))
    fraction = round(rng.uniform(0.05, 0.4), 2)
    return ev.MissingValues(day, column, fraction=fraction, duration=duration)


def _draw_unit_change(rng: np.random.Generator, day: int, duration: int) -> ev.Event:
    column = str(rng.choice(list(ev.UNIT_CONVERSIONS)))
    unit = str(rng.choice(list(ev.UNIT_CONVERSIONS[column])))
    return ev.UnitChange(day, column, unit=unit, duration=duration)


def _draw_new_category(rng: np.random.Generator, day: int, duration: int) -> ev.Event:
    column = str(rng.choice(list(CATEGORIES)))
    value = str(rng.choice(NEW_CATEGORY_EXAMPLES[column]))
    fraction = round(rng.uniform(0.05, 0.3), 2)
    return ev.NewCategory(day, column, value, fraction=fraction, duration=duration)


def _draw_renamed_column(rng: np.random.Generator, day: int, duration: int) -> ev.Event:
    column = str(rng.choice(FEATURES))
    return ev.RenamedColumn(day, column, RENAMED_EXAMPLES[column], duration=duration)


def _draw_duplicates(rng: np.random.Generator, day: int, duration: int) -> ev.Event:
    return ev.Duplicates(day, fraction=round(rng.uniform(0.02, 0.1), 2), duration=duration)


def _draw_out_of_range(rng: np.random.Generator, day: int, duration: int) -> ev.Event:
    column = str(rng.choice(list(VALID_RANGES)))
    fraction = round(rng.uniform(0.01, 0.1), 2)
    return ev.OutOfRange(day, column, fraction=fraction, duration=duration)


_DRAWERS = {
    "covariate_shift": _draw_covariate_shift,
    "concept_drift": _draw_concept_drift,
    "label_delay": _draw_label_delay,
    "missing_values": _draw_missing_values,
    "unit_change": _draw_unit_change,
    "new_category": _draw_new_category,
    "renamed_column": _draw_renamed_column,
    "duplicates": _draw_duplicates,
    "out_of_range": _draw_out_of_range,
}
assert set(_DRAWERS) == set(ev.KINDS)
