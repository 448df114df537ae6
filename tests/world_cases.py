"""Small worlds and comparisons shared by the tests of mlops_course.world.

Events are checked against the clean world of the same seed: each event draws from its
own random stream, so anything that differs from the clean world is the event's doing.
"""

from __future__ import annotations

import re
from functools import cache

import pandas as pd

from mlops_course.world import World, generate

SEED = 7
DAYS = 30
ORDERS_PER_DAY = 200


@cache
def clean_world(seed: int = SEED, days: int = DAYS) -> World:
    return generate(seed=seed, days=days, orders_per_day=ORDERS_PER_DAY)


def world_with(*events, seed: int = SEED, days: int = DAYS) -> World:
    return generate(seed=seed, days=days, orders_per_day=ORDERS_PER_DAY, scenario=list(events))


def differing_days(world: World, reference: World) -> list[int]:
    """Days whose delivered batch (labels included) is not identical to the reference's."""
    return [
        day
        for day in range(world.days)
        if not world.batch(day, with_labels=True).equals(reference.batch(day, with_labels=True))
    ]


def rows_per_day(world: World, mask: pd.Series) -> dict[int, int]:
    """How many rows on each day satisfy `mask` (days with none left out)."""
    counts = world.orders.loc[mask, "day"].value_counts()
    return {int(day): int(count) for day, count in sorted(counts.items())}


def orders_on(world: World, day: int) -> int:
    return int((world.orders["day"] == day).sum())


def assert_one_sentence(message: str, *names: str) -> None:
    assert "\n" not in message and message.endswith("."), message
    assert not re.search(r"[.;:]\s+[A-Z]", message), f"more than one sentence: {message}"
    for name in names:
        assert name in message, f"{name!r} missing from: {message}"
