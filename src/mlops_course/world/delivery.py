"""How long a parcel takes: the latent delivery-time model behind the target.

A parcel's delivery time (in days from the order) is the wait for pickup, the time its
warehouse needs when overloaded, the carrier's transit, and noise. It is late when that
time exceeds the promise of its ship mode. Every term is something a logistics planner
would name, so students can reason about why a model finds what it finds.
"""

from __future__ import annotations

import numpy as np

from .domain import CARRIERS, WAREHOUSES, WEATHER

PROMISED_DAYS = np.array([3.0, 2.0])  # standard, express
PICKUP_CUTOFF_HOUR = np.array([15, 18])  # later orders wait for the next pickup
# Days until pickup by weekday (Monday first), for orders before / after the cutoff.
# Carriers pick up Monday to Saturday morning; an order on Friday evening waits the weekend.
PICKUP_WAIT_DAYS = np.array(
    [
        [0.2, 0.9],
        [0.2, 0.9],
        [0.2, 0.9],
        [0.2, 0.9],
        [0.2, 1.6],
        [0.9, 1.4],
        [0.8, 0.8],
    ]
)
CAPACITY_HEADROOM = 1.2  # a warehouse packs 1.2 x its usual share of orders without delay
OVERLOAD_DAYS = 0.9  # extra days per 100 % of capacity exceeded
TRANSIT_BASE_DAYS = np.array([0.4, 0.0])  # standard, express
TRANSIT_KM_PER_DAY = np.array([450.0, 900.0])
DAYS_PER_KG = 0.02
# Per carrier (order of CARRIERS): extra mean days and spread of the noise.
CARRIER_DELAY_DAYS = np.array([0.0, 0.2, 0.1, -0.1, 0.35])
CARRIER_NOISE = np.array([1.0, 1.2, 1.1, 0.9, 1.6])
WEATHER_DELAY_DAYS = np.array([0.0, 0.25, 0.8, 1.1])  # order of WEATHER
NOISE_SHAPE = 2.0  # gamma noise: deliveries are late by a lot more often than early

assert CARRIER_DELAY_DAYS.shape == CARRIER_NOISE.shape == (len(CARRIERS),)
assert WEATHER_DELAY_DAYS.shape == (len(WEATHER),)


def warehouse_load(
    day: np.ndarray, warehouse: np.ndarray, days: int, expected_per_warehouse: np.ndarray
) -> np.ndarray:
    """Each order's warehouse utilisation on its day (1.0 = at capacity)."""
    counts = np.zeros((days, len(WAREHOUSES)))
    np.add.at(counts, (day, warehouse), 1)
    capacity = expected_per_warehouse * CAPACITY_HEADROOM
    return (counts / capacity)[day, warehouse]


def delivery_days(
    columns: dict[str, np.ndarray], load: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """Days from order to delivery for each order (before any concept drift)."""
    mode, carrier = columns["ship_mode"], columns["carrier"]
    after_cutoff = (columns["order_hour"] >= PICKUP_CUTOFF_HOUR[mode]).astype(np.int64)
    pickup = PICKUP_WAIT_DAYS[columns["weekday"], after_cutoff]
    overload = OVERLOAD_DAYS * np.maximum(load - 1.0, 0.0)
    transit = (
        TRANSIT_BASE_DAYS[mode]
        + columns["distance_km"] / TRANSIT_KM_PER_DAY[mode]
        + DAYS_PER_KG * columns["weight_kg"]
        + CARRIER_DELAY_DAYS[carrier]
        + WEATHER_DELAY_DAYS[columns["weather"]]
    )
    noise = CARRIER_NOISE[carrier] * (rng.gamma(NOISE_SHAPE, 1 / NOISE_SHAPE, len(mode)) - 1)
    return np.maximum(pickup + overload + transit + noise, 0.0)


def is_late(days_taken: np.ndarray, ship_mode: np.ndarray) -> np.ndarray:
    return (days_taken > PROMISED_DAYS[ship_mode]).astype(np.int64)
