"""The business the world simulates: an online shop's parcel deliveries.

Everything a lesson may name is here: the feature columns, their categories, units and
valid ranges, the target, and what a wrong prediction costs. The numbers that drive the
simulation itself live in `delivery.py` (how long a parcel takes) and `orders.py` (what
orders look like), so that this module reads like the data dictionary of the problem.
"""

from __future__ import annotations

TARGET = "late"
"""1 when the parcel arrived after the promised delivery date, else 0."""

NUMERIC_FEATURES = ["distance_km", "weight_kg", "n_items", "order_hour", "weekday", "promo"]
CATEGORICAL_FEATURES = ["carrier", "warehouse", "ship_mode", "weather"]
FEATURES = [
    "distance_km",  # road distance from the warehouse to the customer
    "weight_kg",  # parcel weight including packaging
    "n_items",  # articles in the parcel
    "carrier",  # parcel carrier that picks the parcel up
    "warehouse",  # fulfilment centre that packs the order
    "ship_mode",  # standard or express, chosen (and paid for) by the customer
    "weather",  # weather at the warehouse's region on the order day
    "order_hour",  # hour of the day the order was placed, 0-23
    "weekday",  # day of the week of the order, 0 = Monday
    "promo",  # 1 on a promotion day (volume spike), else 0
]
ID_COLUMNS = ["order_id", "day", "order_date"]
COLUMNS = [*ID_COLUMNS, *FEATURES, TARGET]

CARRIERS = ("DHL", "PostNL", "DPD", "UPS", "GLS")
WAREHOUSES = ("Tilburg", "Venlo", "Duisburg", "Leipzig")
SHIP_MODES = ("standard", "express")
WEATHER = ("clear", "rain", "storm", "snow")
CATEGORIES: dict[str, tuple[str, ...]] = {
    "carrier": CARRIERS,
    "warehouse": WAREHOUSES,
    "ship_mode": SHIP_MODES,
    "weather": WEATHER,
}

UNITS = {"distance_km": "km", "weight_kg": "kg"}
VALID_RANGES: dict[str, tuple[float, float]] = {
    # Inclusive bounds that every clean order respects; a schema check can use them.
    "distance_km": (1.0, 1500.0),
    "weight_kg": (0.05, 31.5),  # 31.5 kg is the usual parcel limit of European carriers
    "n_items": (1, 20),
    "order_hour": (0, 23),
    "weekday": (0, 6),
    "promo": (0, 1),
}
INTEGER_FEATURES = ["n_items", "order_hour", "weekday", "promo"]

BASE_LABEL_DELAY_DAYS = 2
"""Days after the order until production learns whether it was late (delivery scan)."""

DEFAULT_START = "2026-01-01"

COST_FALSE_NEGATIVE = 25.0
"""EUR a missed late parcel costs more than flagging it would have: 29 (voucher plus churn
risk) minus the 4 of the upgrade that a flag pays on every parcel, late or not.

The full matrix is late and flagged 4, late and unflagged 29, on time and flagged 4, on
time and unflagged 0. Subtracting the late row's 4 from both its cells changes no decision
(Elkan, 2001, "The foundations of cost-sensitive learning") and keeps the threshold at
4 / (4 + 25); it lowers every policy's cost by 4 EUR per late parcel of the same days, so
compare costs computed with it only on the same days.
"""
COST_FALSE_POSITIVE = 4.0
"""EUR lost per on-time parcel the model flagged: a needless express upgrade. A flagged late
parcel pays the same upgrade, which COST_FALSE_NEGATIVE already nets out, so it counts 0."""
