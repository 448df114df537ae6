"""A generated world as production sees it: daily batches of orders and late-arriving labels."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .domain import INTEGER_FEATURES, TARGET
from .errors import WorldError
from .events import RenamedColumn
from .scenario import Scenario


@dataclass(frozen=True, eq=False, repr=False)
class World:
    """Every order of the world plus the truth about what happened to it.

    `orders` holds all days with the faults applied, one row per delivered record (so
    duplicated orders appear twice). A renamed column shows up in `orders` as its own
    column, filled only on the days of the rename while the old column is NaN there;
    `batch(day)` shows the day as production delivers it, under one name only.
    """

    seed: int
    days: int
    start: pd.Timestamp
    orders_per_day: float
    scenario: Scenario
    orders: pd.DataFrame
    events: pd.DataFrame
    label_day: np.ndarray = field(repr=False)
    """Per row of `orders`: the day at whose end its label is known."""

    def __post_init__(self) -> None:
        starts = np.searchsorted(self.orders["day"].to_numpy(), np.arange(self.days + 1))
        object.__setattr__(self, "_day_starts", starts)

    def batch(self, day: int, with_labels: bool = False) -> pd.DataFrame:
        """The orders of `day` as production delivers them: faults included, no label.

        Labels arrive later (see `labels_as_of`); `with_labels=True` adds the true `late`
        column for lessons that need it right away.
        """
        self._check_day(day, "batch")
        first, last = self._day_starts[day], self._day_starts[day + 1]
        frame = self.orders.iloc[first:last][self._columns_on(day, with_labels)]
        return _restore_integers(frame.reset_index(drop=True))

    def batches(self, with_labels: bool = False) -> Iterator[tuple[int, pd.DataFrame]]:
        """Yield `(day, batch(day))` for every day of the world in order."""
        for day in range(self.days):
            yield day, self.batch(day, with_labels=with_labels)

    def labels_as_of(self, day: int) -> pd.DataFrame:
        """The labels known at the end of `day`: order_id, day (of the order) and late.

        A label arrives a fixed number of days after its order (more after a LabelDelay
        event). The label feed is clean: one row per order even when the order feed
        duplicated it.
        """
        if isinstance(day, bool) or not isinstance(day, int | np.integer):
            raise WorldError(f"labels_as_of got day={day!r}; pass a whole day number.")
        known = self.orders.loc[self.label_day <= day, ["order_id", "day", TARGET]]
        return known.drop_duplicates("order_id").reset_index(drop=True)

    def _columns_on(self, day: int, with_labels: bool) -> list[str]:
        """The batch's columns: a column renamed on `day` appears under its new name, in place."""
        renamed = [event for event in self.scenario if isinstance(event, RenamedColumn)]
        new_names = {event.new_name for event in renamed}
        active = {
            event.column: event.new_name
            for event in renamed
            if event.day <= day <= event.end_day(self.days)
        }
        return [
            active.get(name, name)
            for name in self.orders.columns
            if name not in new_names and (with_labels or name != TARGET)
        ]

    def _check_day(self, day: int, method: str) -> None:
        if (
            isinstance(day, bool)
            or not isinstance(day, int | np.integer)
            or not (0 <= day < self.days)
        ):
            raise WorldError(
                f"{method} got day={day!r}, but this world has days 0-{self.days - 1}; "
                "pass a day in that range."
            )

    def __repr__(self) -> str:
        return (
            f"World(seed={self.seed}, days={self.days}, start={self.start.date()}, "
            f"orders_per_day={self.orders_per_day:g}, rows={len(self.orders):,}, "
            f"events={len(self.events)})"
        )


def _restore_integers(frame: pd.DataFrame) -> pd.DataFrame:
    """Integer features turn float in `orders` once a fault blanks some day; a batch
    without gaps shows them as integers again, as a CSV reader would."""
    for name in INTEGER_FEATURES:
        if name in frame and frame[name].dtype.kind == "f" and frame[name].notna().all():
            values = frame[name].to_numpy()
            if np.array_equal(values, np.round(values)):
                frame[name] = values.astype(np.int64)
    return frame
