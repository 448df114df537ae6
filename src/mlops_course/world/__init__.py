"""The simulated production world: an online shop's parcel deliveries, day by day.

    from mlops_course.world import generate, Scenario, events
    world = generate(seed=42, days=365, orders_per_day=300,
                     scenario=Scenario([events.MissingValues(day=200, column="weight_kg")]))
    world.orders, world.events, world.batch(200), world.labels_as_of(200)

A model predicts whether an order will be delivered late (`TARGET`); the ground-truth
event log (`world.events`) lets monitoring lessons score what they detect.
"""

from . import events
from .domain import (
    BASE_LABEL_DELAY_DAYS,
    CARRIERS,
    CATEGORICAL_FEATURES,
    CATEGORIES,
    COLUMNS,
    COST_FALSE_NEGATIVE,
    COST_FALSE_POSITIVE,
    DEFAULT_START,
    FEATURES,
    NUMERIC_FEATURES,
    SHIP_MODES,
    TARGET,
    UNITS,
    VALID_RANGES,
    WAREHOUSES,
    WEATHER,
)
from .errors import WorldError
from .generator import generate
from .production import World
from .scenario import Scenario

__all__ = [
    "BASE_LABEL_DELAY_DAYS",
    "CARRIERS",
    "CATEGORICAL_FEATURES",
    "CATEGORIES",
    "COLUMNS",
    "COST_FALSE_NEGATIVE",
    "COST_FALSE_POSITIVE",
    "DEFAULT_START",
    "FEATURES",
    "NUMERIC_FEATURES",
    "SHIP_MODES",
    "TARGET",
    "UNITS",
    "VALID_RANGES",
    "WAREHOUSES",
    "WEATHER",
    "Scenario",
    "World",
    "WorldError",
    "events",
    "generate",
]
