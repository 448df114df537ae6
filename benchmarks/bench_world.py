"""How long generating a year of the production world takes (target: about a second).

A year is 365 daily batches of about 300 orders (~110k rows) under a scenario that holds
every event kind. Run it directly for a one-line result, or call `measure()`.
"""

from __future__ import annotations

import statistics
import time

RUNS = 5
DAYS = 365
ORDERS_PER_DAY = 300


def measure(runs: int = RUNS) -> dict:
    """Median wall time of `runs` year-long generations, with the rows generated."""
    from mlops_course.world import Scenario, generate

    scenario = Scenario.sample(seed=0, days=DAYS)
    timings, rows = [], 0
    for _ in range(runs):
        started = time.perf_counter()
        world = generate(seed=42, days=DAYS, orders_per_day=ORDERS_PER_DAY, scenario=scenario)
        timings.append(time.perf_counter() - started)
        rows = len(world.orders)
    return {
        "name": f"world: generate {DAYS} days x {ORDERS_PER_DAY}/day, every event kind",
        "seconds": statistics.median(timings),
        "rows": rows,
    }


if __name__ == "__main__":
    result = measure()
    print(f"{result['name']}: {result['seconds']:.3f} s median of {RUNS} ({result['rows']:,} rows)")
