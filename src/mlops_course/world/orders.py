"""What the shop's orders look like: the calendar, the daily volume and each order's attributes.

All orders of all days are drawn at once with numpy (no loop over rows), so a year of
orders takes milliseconds. Categorical attributes stay integer codes into
`domain.CATEGORIES` until the world is assembled; the delivery model works on codes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from .domain import CARRIERS, SHIP_MODES, VALID_RANGES, WAREHOUSES, WEATHER

# Monday .. Sunday: people shop on Sunday evening and Monday, less on Friday/Saturday.
WEEKLY_VOLUME = np.array([1.15, 1.05, 1.0, 0.95, 0.88, 0.85, 1.12])
# December is busier than summer; peak around the 15th of December.
SEASONAL_AMPLITUDE = 0.15
PEAK_DAY_OF_YEAR = 349
PROMO_VOLUME_FACTOR = 2.5
PROMO_MONTH_DAYS = ("01-05", "02-14", "04-27", "07-01", "09-01", "11-11", "12-15")
"""January sale, Valentine's, King's Day, summer sale, back to school, Singles' Day,
last-orders-before-Christmas; Black Friday and Cyber Monday are added per year."""

# Share of orders per hour 0..23: quiet nights, a lunch peak and an evening peak.
HOUR_WEIGHTS = np.array(
    [1, 0.5, 0.3, 0.2, 0.2, 0.4, 1, 2, 3, 4, 4.5, 5, 6, 5.5, 4.5, 4, 4, 4.5, 5, 6.5, 7.5, 7, 5, 2.5]
)
HOUR_SHARE = HOUR_WEIGHTS / HOUR_WEIGHTS.sum()

WAREHOUSE_SHARE = np.array([0.35, 0.25, 0.25, 0.15])
# Customers are mostly in the Netherlands and Belgium; Leipzig serves them from farther away.
WAREHOUSE_MEDIAN_KM = np.array([110.0, 130.0, 170.0, 330.0])
DISTANCE_SPREAD = 0.75  # sigma of log distance
EXPRESS_SHARE = 0.2
# Carrier mix per ship mode (rows follow SHIP_MODES, columns follow CARRIERS).
CARRIER_SHARE = np.array(
    [
        [0.30, 0.28, 0.18, 0.10, 0.14],  # standard
        [0.35, 0.10, 0.15, 0.35, 0.05],  # express
    ]
)
ITEMS_PER_ORDER = 0.9  # mean extra items beyond the first
ITEMS_PER_PROMO_ORDER = 1.5
ITEM_WEIGHT_MEDIAN_KG = 0.7
PACKAGING_KG = 0.15
# Weather probabilities (columns follow WEATHER) in mid-winter and mid-summer.
WINTER_WEATHER = np.array([0.45, 0.30, 0.10, 0.15])
SUMMER_WEATHER = np.array([0.70, 0.22, 0.08, 0.00])
COLDEST_DAY_OF_YEAR = 15

assert len(WEEKLY_VOLUME) == 7 and len(HOUR_SHARE) == 24
assert WAREHOUSE_SHARE.shape == (len(WAREHOUSES),) and CARRIER_SHARE.shape == (
    len(SHIP_MODES),
    len(CARRIERS),
)
assert WINTER_WEATHER.shape == SUMMER_WEATHER.shape == (len(WEATHER),)


@dataclass(frozen=True)
class Calendar:
    """One entry per day of the world."""

    dates: np.ndarray  # datetime64[D]
    weekday: np.ndarray  # 0 = Monday
    day_of_year: np.ndarray  # 1..366
    promo: np.ndarray  # bool

    @property
    def days(self) -> int:
        return len(self.dates)


def make_calendar(start: np.datetime64, days: int) -> Calendar:
    dates = start + np.arange(days)
    weekday = (dates.astype("int64") + 3) % 7  # 1970-01-01 was a Thursday
    years = dates.astype("datetime64[Y]")
    day_of_year = (dates - years).astype("int64") + 1
    promo_dates = _promo_dates(
        int(years[0].astype("int64")) + 1970, int(years[-1].astype("int64")) + 1970
    )
    return Calendar(dates, weekday, day_of_year, np.isin(dates, promo_dates))


def _promo_dates(first_year: int, last_year: int) -> np.ndarray:
    found = []
    for year in range(first_year, last_year + 1):
        found += [np.datetime64(f"{year}-{month_day}") for month_day in PROMO_MONTH_DAYS]
        november_22 = dt.date(year, 11, 22)  # Black Friday: the fourth Friday of November
        black_friday = november_22 + dt.timedelta(days=(4 - november_22.weekday()) % 7)
        found += [np.datetime64(black_friday), np.datetime64(black_friday + dt.timedelta(3))]
    return np.array(found, dtype="datetime64[D]")


def expected_volume(calendar: Calendar, orders_per_day: float) -> np.ndarray:
    """Mean number of orders per day: weekly rhythm, a December peak and promo spikes."""
    weekly = WEEKLY_VOLUME[calendar.weekday] / WEEKLY_VOLUME.mean()
    phase = 2 * np.pi * (calendar.day_of_year - PEAK_DAY_OF_YEAR) / 365.25
    seasonal = 1 + SEASONAL_AMPLITUDE * np.cos(phase)
    promo = np.where(calendar.promo, PROMO_VOLUME_FACTOR, 1.0)
    return orders_per_day * weekly * seasonal * promo


def draw_weather(calendar: Calendar, rng: np.random.Generator) -> np.ndarray:
    """Weather code per (day, warehouse region); winter brings snow and storms."""
    phase = 2 * np.pi * (calendar.day_of_year - COLDEST_DAY_OF_YEAR) / 365.25
    winter = (1 + np.cos(phase)) / 2
    share = winter[:, None] * WINTER_WEATHER + (1 - winter[:, None]) * SUMMER_WEATHER
    return _draw_codes(share[:, None, :], rng.random((calendar.days, len(WAREHOUSES))))


def draw_orders(
    calendar: Calendar, orders_per_day: float, rng: np.random.Generator
) -> dict[str, np.ndarray]:
    """Every order of every day, sorted by time; categorical columns as integer codes."""
    counts = rng.poisson(expected_volume(calendar, orders_per_day))
    day = np.repeat(np.arange(calendar.days), counts)
    n = len(day)
    hour = rng.choice(24, size=n, p=HOUR_SHARE)
    second_of_day = hour * 3600 + rng.integers(0, 3600, size=n)
    by_time = np.argsort(day * 86_400 + second_of_day, kind="stable")
    day, hour, second_of_day = day[by_time], hour[by_time], second_of_day[by_time]

    promo = calendar.promo[day]
    warehouse = rng.choice(len(WAREHOUSES), size=n, p=WAREHOUSE_SHARE)
    ship_mode = (rng.random(n) < EXPRESS_SHARE).astype(np.int64)
    carrier = _draw_codes(CARRIER_SHARE[ship_mode], rng.random(n))
    weather = draw_weather(calendar, rng)[day, warehouse]
    distance = WAREHOUSE_MEDIAN_KM[warehouse] * rng.lognormal(0.0, DISTANCE_SPREAD, size=n)
    n_items = 1 + rng.poisson(np.where(promo, ITEMS_PER_PROMO_ORDER, ITEMS_PER_ORDER))
    item_weight = rng.lognormal(np.log(ITEM_WEIGHT_MEDIAN_KG), 0.8, size=n)
    weight = PACKAGING_KG + item_weight * n_items**0.85
    return {
        "day": day,
        "second_of_day": second_of_day,
        "distance_km": np.round(np.clip(distance, *VALID_RANGES["distance_km"]), 1),
        "weight_kg": np.round(np.clip(weight, *VALID_RANGES["weight_kg"]), 2),
        "n_items": np.clip(n_items, *VALID_RANGES["n_items"]).astype(np.int64),
        "carrier": carrier,
        "warehouse": warehouse,
        "ship_mode": ship_mode,
        "weather": weather,
        "order_hour": hour.astype(np.int64),
        "weekday": calendar.weekday[day].astype(np.int64),
        "promo": promo.astype(np.int64),
    }


def _draw_codes(share: np.ndarray, uniform: np.ndarray) -> np.ndarray:
    """Categorical draw by inverse CDF; `share` broadcasts against `uniform` on its last axis."""
    cumulative = np.cumsum(share, axis=-1)
    cumulative = cumulative / cumulative[..., -1:]
    return (uniform[..., None] >= cumulative[..., :-1]).sum(axis=-1).astype(np.int64)
