"""The events a scenario can inject into the world, each checked when it is built.

Three events change reality: `CovariateShift` (what orders look like), `ConceptDrift`
(how features relate to lateness) and `LabelDelay` (when production learns the truth);
they hold from their day on. The other six are data-quality faults of the feed that
production delivers; they last `duration` days and never change the true labels.
How each event changes the data lives in `effects.py`; this module only says what an
event is, checks its arguments and describes it in one line.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields
from numbers import Integral, Real
from typing import ClassVar

from .domain import (
    BASE_LABEL_DELAY_DAYS,
    CARRIERS,
    CATEGORIES,
    COLUMNS,
    FEATURES,
    UNITS,
    VALID_RANGES,
    WAREHOUSES,
)
from .errors import WorldError

SHIFTABLE_COLUMNS = ["distance_km", "weight_kg", "n_items", *CATEGORIES]
DRIFTABLE_COLUMNS = ["carrier", "warehouse", "weather", "distance_km"]
UNIT_CONVERSIONS: dict[str, dict[str, float]] = {
    # Per column: unit it may arrive in -> factor from the documented unit.
    "distance_km": {"mi": 0.621371, "m": 1000.0},
    "weight_kg": {"g": 1000.0, "lb": 2.20462},
}
assert set(UNIT_CONVERSIONS) == set(UNITS)


@dataclass(frozen=True)
class Event:
    """Something that happens to the world from `day` on (0 = the world's first day)."""

    kind: ClassVar[str]
    persistent: ClassVar[bool]

    day: int

    def __post_init__(self) -> None:
        if isinstance(self.day, bool) or not isinstance(self.day, Integral) or self.day < 0:
            self._fail(f"day {self.day!r} is not a day of the world", "use 0 or a later day")

    @property
    def name(self) -> str:
        return type(self).__name__

    @property
    def affected_column(self) -> str | None:
        """The column the event is about; None for events about whole orders or labels."""
        return getattr(self, "column", None)

    @property
    def days_active(self) -> int | None:
        """Days a fault lasts; None for events that hold from their day on."""
        return getattr(self, "duration", None)

    def end_day(self, days: int | None = None) -> int | None:
        """Last day the event acts on, within a world of `days` days if given."""
        duration = self.days_active
        last = None if duration is None else self.day + duration - 1
        if days is None:
            return last
        return days - 1 if last is None else min(last, days - 1)

    def describe(self) -> str:
        raise NotImplementedError

    def _fail(self, problem: str, fix: str) -> None:
        raise WorldError(f"{self.name} on day {self.day!r}: {problem}; {fix}.")

    def _check_column(self, allowed: list[str]) -> None:
        column = self.affected_column
        if not isinstance(column, str) or column not in allowed:
            self._fail(
                f"column {column!r} cannot be used here",
                f"use one of {', '.join(allowed)}",
            )

    def _check_fraction(self, fraction: float, what: str = "fraction") -> None:
        if not _is_number(fraction) or not 0 < fraction <= 1:
            self._fail(f"{what} {fraction!r} is outside (0, 1]", "pass a share like 0.1 for 10 %")

    def _check_duration(self) -> None:
        duration = self.days_active
        if isinstance(duration, bool) or not isinstance(duration, Integral) or duration < 1:
            self._fail(f"duration {duration!r} is not a whole number of days", "pass 1 or more")

    def _days_text(self) -> str:
        duration = self.days_active
        return "from this day on" if duration is None else _for_days(duration)


@dataclass(frozen=True)
class CovariateShift(Event):
    """From `day` on, orders look different; the feature-to-lateness relationship stays.

    Numeric columns become `value * scale + shift` (in the column's unit). For a
    categorical column, a share `shift` of the orders switches to category `value`
    (e.g. a new contract moves 40 % of parcels to GLS).
    """

    kind: ClassVar[str] = "covariate_shift"
    persistent: ClassVar[bool] = True
    column: str
    shift: float = 0.0
    scale: float = 1.0
    value: str | None = None

    def __post_init__(self) -> None:
        super().__post_init__()
        self._check_column(SHIFTABLE_COLUMNS)
        if self.column in CATEGORIES:
            if self.value not in CATEGORIES[self.column]:
                self._fail(
                    f"value {self.value!r} is not a {self.column}",
                    f"pass value= one of {', '.join(CATEGORIES[self.column])}",
                )
            self._check_fraction(self.shift, "shift (the share of orders that switch)")
            if self.scale != 1:
                self._fail("scale applies to numeric columns only", "leave scale at 1.0")
            return
        if self.value is not None:
            self._fail("value applies to categorical columns only", "leave value=None")
        if not _is_number(self.shift) or not _is_number(self.scale) or self.scale <= 0:
            self._fail(
                f"shift={self.shift!r}, scale={self.scale!r} are not a usable change",
                "pass finite numbers with scale > 0",
            )
        if self.shift == 0 and self.scale == 1:
            self._fail("shift=0 and scale=1 change nothing", "pass a shift or a scale")

    def describe(self) -> str:
        if self.column in CATEGORIES:
            share = f"{self.shift:.0%} of orders"
            return f"{share} switch to {self.column} {self.value!r} from this day on"
        scaled = f" x {self.scale:g}" if self.scale != 1 else ""
        shifted = f" {self.shift:+g}" if self.shift != 0 else ""
        return (
            f"{self.column} becomes {self.column}{scaled}{shifted} from this day on; "
            "lateness still depends on it the same way"
        )


@dataclass(frozen=True)
class ConceptDrift(Event):
    """From `day` on, the same features lead to lateness differently.

    `magnitude` is extra delivery days at full effect: for every order of carrier or
    warehouse `value`; scaled by the weather's severity (storm and snow full, rain less);
    or per 500 km of distance. Negative magnitudes speed deliveries up.
    """

    kind: ClassVar[str] = "concept_drift"
    persistent: ClassVar[bool] = True
    magnitude: float = 1.0
    column: str = "carrier"
    value: str | None = None

    def __post_init__(self) -> None:
        super().__post_init__()
        self._check_column(DRIFTABLE_COLUMNS)
        if not _is_number(self.magnitude) or self.magnitude == 0 or abs(self.magnitude) > 5:
            self._fail(
                f"magnitude {self.magnitude!r} is not a usable number of days",
                "pass a non-zero number between -5 and 5",
            )
        if self.column in ("carrier", "warehouse"):
            # Default: the biggest carrier / warehouse, so that the drift touches many orders.
            default = {"carrier": CARRIERS[0], "warehouse": WAREHOUSES[0]}[self.column]
            object.__setattr__(self, "value", default if self.value is None else self.value)
            if self.value not in CATEGORIES[self.column]:
                self._fail(
                    f"value {self.value!r} is not a {self.column}",
                    f"pass value= one of {', '.join(CATEGORIES[self.column])}",
                )
        elif self.value is not None:
            self._fail(f"value does not apply to {self.column}", "leave value=None")

    def describe(self) -> str:
        target = {
            "carrier": f"parcels of carrier {self.value!r} take",
            "warehouse": f"parcels from warehouse {self.value!r} take",
            "weather": "bad weather (storm, snow; rain less) makes parcels take",
            "distance_km": "every 500 km makes parcels take",
        }[self.column]
        return (
            f"{target} {self.magnitude:+g} days longer from this day on; "
            "the features' distribution is unchanged"
        )


@dataclass(frozen=True)
class LabelDelay(Event):
    """Labels of orders from `day` on arrive `delay_days` later than usual.

    The latest LabelDelay in effect wins, so a later event can shorten or lengthen the delay.
    """

    kind: ClassVar[str] = "label_delay"
    persistent: ClassVar[bool] = True
    delay_days: int = 5

    def __post_init__(self) -> None:
        super().__post_init__()
        if (
            isinstance(self.delay_days, bool)
            or not isinstance(self.delay_days, Integral)
            or self.delay_days < 1
        ):
            self._fail(f"delay_days {self.delay_days!r} is not a delay", "pass a whole number >= 1")

    def describe(self) -> str:
        usual = BASE_LABEL_DELAY_DAYS
        return (
            f"labels of orders from this day on arrive {usual + self.delay_days} days after "
            f"the order instead of {usual}"
        )


@dataclass(frozen=True)
class MissingValues(Event):
    """A share `fraction` of a column's values are missing (NaN) for `duration` days."""

    kind: ClassVar[str] = "missing_values"
    persistent: ClassVar[bool] = False
    column: str
    fraction: float = 0.1
    duration: int = 1

    def __post_init__(self) -> None:
        super().__post_init__()
        self._check_column(FEATURES)
        self._check_fraction(self.fraction)
        self._check_duration()

    def describe(self) -> str:
        return f"{self.fraction:.0%} of {self.column} values are missing {self._days_text()}"


@dataclass(frozen=True)
class UnitChange(Event):
    """A column arrives in another unit (weight in grams, distance in miles) for `duration` days.

    `unit` picks a known conversion (see UNIT_CONVERSIONS); `factor` overrides it.
    """

    kind: ClassVar[str] = "unit_change"
    persistent: ClassVar[bool] = False
    column: str
    factor: float | None = None
    unit: str | None = None
    duration: int = 1

    def __post_init__(self) -> None:
        super().__post_init__()
        self._check_column(list(UNIT_CONVERSIONS))
        known = UNIT_CONVERSIONS[self.column]
        if self.unit is None:
            object.__setattr__(self, "unit", next(iter(known)))
        if self.factor is None:
            if self.unit not in known:
                self._fail(
                    f"unit {self.unit!r} has no known factor",
                    f"pass factor= or unit= one of {', '.join(known)}",
                )
            object.__setattr__(self, "factor", known[self.unit])
        if not _is_number(self.factor) or self.factor <= 0 or self.factor == 1:
            self._fail(f"factor {self.factor!r} changes no unit", "pass a positive factor, not 1")
        self._check_duration()

    def describe(self) -> str:
        return (
            f"{self.column} arrives in {self.unit} instead of {UNITS[self.column]} "
            f"(values x {self.factor:g}) {self._days_text()}"
        )


@dataclass(frozen=True)
class NewCategory(Event):
    """A share `fraction` of orders shows an unseen category, e.g. carrier "FedEx"."""

    kind: ClassVar[str] = "new_category"
    persistent: ClassVar[bool] = False
    column: str
    value: str
    fraction: float = 0.1
    duration: int = 1

    def __post_init__(self) -> None:
        super().__post_init__()
        self._check_column(list(CATEGORIES))
        if not isinstance(self.value, str) or not self.value:
            self._fail(f"value {self.value!r} is not a category name", "pass a non-empty string")
        if self.value in CATEGORIES[self.column]:
            self._fail(
                f"{self.value!r} is already a known {self.column}",
                f"pass a name other than {', '.join(CATEGORIES[self.column])}",
            )
        self._check_fraction(self.fraction)
        self._check_duration()

    def describe(self) -> str:
        return (
            f"{self.fraction:.0%} of orders show the unseen {self.column} {self.value!r} "
            f"{self._days_text()}"
        )


@dataclass(frozen=True)
class RenamedColumn(Event):
    """The batch arrives with `column` named `new_name` for `duration` days.

    In `world.orders` the new name is a separate column, filled only on those days, and
    the old column is NaN there; `world.batch(day)` shows exactly one of the two.
    """

    kind: ClassVar[str] = "renamed_column"
    persistent: ClassVar[bool] = False
    column: str
    new_name: str
    duration: int = 1

    def __post_init__(self) -> None:
        super().__post_init__()
        self._check_column(FEATURES)
        if not isinstance(self.new_name, str) or not self.new_name.isidentifier():
            self._fail(
                f"new_name {self.new_name!r} is not a column name",
                "pass a name like 'distanceKm'",
            )
        if self.new_name in COLUMNS:
            self._fail(f"new_name {self.new_name!r} is already a column", "pick an unused name")
        self._check_duration()

    def describe(self) -> str:
        return f"{self.column} arrives renamed to {self.new_name!r} {self._days_text()}"


@dataclass(frozen=True)
class Duplicates(Event):
    """A share `fraction` of orders arrives twice, with the same order_id."""

    kind: ClassVar[str] = "duplicates"
    persistent: ClassVar[bool] = False
    fraction: float = 0.05
    duration: int = 1

    def __post_init__(self) -> None:
        super().__post_init__()
        self._check_fraction(self.fraction)
        self._check_duration()

    def describe(self) -> str:
        return f"{self.fraction:.0%} of orders arrive twice (same order_id) {self._days_text()}"


@dataclass(frozen=True)
class OutOfRange(Event):
    """A share `fraction` of a column's values falls outside its valid range (0, -1, 99999 ...)."""

    kind: ClassVar[str] = "out_of_range"
    persistent: ClassVar[bool] = False
    column: str
    fraction: float = 0.05
    duration: int = 1

    def __post_init__(self) -> None:
        super().__post_init__()
        self._check_column(list(VALID_RANGES))
        self._check_fraction(self.fraction)
        self._check_duration()

    def describe(self) -> str:
        low, high = VALID_RANGES[self.column]
        return (
            f"{self.fraction:.0%} of {self.column} values fall outside [{low:g}, {high:g}] "
            f"{self._days_text()}"
        )


EVENT_TYPES: dict[str, type[Event]] = {
    cls.kind: cls
    for cls in (
        CovariateShift,
        ConceptDrift,
        LabelDelay,
        MissingValues,
        UnitChange,
        NewCategory,
        RenamedColumn,
        Duplicates,
        OutOfRange,
    )
}
KINDS = tuple(EVENT_TYPES)


def parameters(event: Event) -> dict[str, object]:
    """The event's arguments, e.g. for a table or a log line."""
    return {field.name: getattr(event, field.name) for field in fields(event)}


def _is_number(value: object) -> bool:
    return isinstance(value, Real) and not isinstance(value, bool) and math.isfinite(value)


def _for_days(duration: int) -> str:
    return "for 1 day" if duration == 1 else f"for {duration} days"
