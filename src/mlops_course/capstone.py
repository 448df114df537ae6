"""Lesson 13's four criteria for a level-2 system, shared by the grader's judge and the rehearsal.

`verdict` prices a system's daily decisions against the outcomes and checks what a level-2
system promises; `rehearsal_verdict` applies it to a world the student generated. The grader's
judge (solutions/judges/lesson13_capstone.py) computes the truth of its hidden world in its own
process and calls `verdict` there: nothing a kernel sends is trusted but the decisions.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator

import numpy as np
import pandas as pd

from mlops_course.world import (
    CATEGORICAL_FEATURES,
    COST_FALSE_NEGATIVE,
    COST_FALSE_POSITIVE,
    FEATURES,
    NUMERIC_FEATURES,
    Scenario,
    events,
)

LAUNCH_DAY = 21  # the system's decisions are priced from this day on
TRIVIAL_MARGIN = 0.0  # EUR per order the system must beat both trivial policies by
STATIC_MARGIN = 0.05  # EUR per order the system may cost more than the never-retrained model
MAX_CLEAN_REJECTED_SHARE = 0.03  # of the clean days from launch on
# The faults the exercise's batch contract (q1) sees row by row, and the one it cannot: a unit
# change into a unit whose values stay within VALID_RANGES, seen only in a batch statistic.
CONTRACT_FAULT_KINDS = (
    "missing_values", "out_of_range", "new_category", "renamed_column", "duplicates",
)  # fmt: skip
FAULT_KINDS = (*CONTRACT_FAULT_KINDS, "unit_change")
JUDGED_KINDS = ("concept_drift", *FAULT_KINDS)  # the kinds of event the hidden year draws
UNSEEN_UNITS = {"distance_km": "mi", "weight_kg": "lb"}  # x0.62 and x2.2: plausible values
KEYS = ("flagged", "rejected", "model_version", "data_fingerprint", "promoted")


def hidden_scenario(scenario_seed: int, days: int) -> Scenario:
    """One event of each of JUDGED_KINDS, drawn by `Scenario.sample`, its unit change turned
    into miles or pounds: metres and grams break VALID_RANGES, which q1's contract sees already."""
    drawn = Scenario.sample(scenario_seed, days, kinds=JUDGED_KINDS)
    return Scenario([
        dataclasses.replace(event, unit=UNSEEN_UNITS[event.column], factor=None)
        if isinstance(event, events.UnitChange) else event
        for event in drawn
    ])  # fmt: skip


def fault_days(world) -> set[int]:
    """The days a fault of FAULT_KINDS is in effect on."""
    days = set()
    for event in world.events.itertuples():
        if event.kind in FAULT_KINDS:
            days.update(range(event.day, int(event.end_day) + 1))
    return days


def outcomes_of(world) -> list[dict]:
    """Per day: {order_id: late} of the day's orders, each order once."""
    orders = world.orders.drop_duplicates("order_id")
    by_day = {int(day): dict(zip(group["order_id"], group["late"].astype(bool), strict=True))
              for day, group in orders.groupby("day")}  # fmt: skip
    return [by_day.get(day, {}) for day in range(world.days)]


def never_retrained_daily_cost(world) -> np.ndarray:
    """Per day, the EUR the model never retrained costs: lesson 05's pipeline trained, at the end
    of day LAUNCH_DAY - 1, on every label known by then (order days 0-17 with the usual two-day
    label delay) of the days no fault hit."""
    from sklearn.compose import ColumnTransformer
    from sklearn.impute import SimpleImputer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    orders = world.orders.assign(known=world.label_day).drop_duplicates("order_id")
    clean = ~orders["day"].isin(fault_days(world))
    training = orders[clean & (orders["known"] < LAUNCH_DAY - 1)]
    numeric = Pipeline([("fill", SimpleImputer(strategy="median")), ("scale", StandardScaler())])
    prepare = ColumnTransformer([("numeric", numeric, NUMERIC_FEATURES),
                                 ("categorical", OneHotEncoder(handle_unknown="ignore"),
                                  CATEGORICAL_FEATURES)])  # fmt: skip
    model = Pipeline([("prepare", prepare), ("classify", LogisticRegression(max_iter=1000))])
    model.fit(training[FEATURES], training["late"])
    threshold = COST_FALSE_POSITIVE / (COST_FALSE_POSITIVE + COST_FALSE_NEGATIVE)
    flagged = model.predict_proba(orders[FEATURES])[:, 1] > threshold
    late = orders["late"].to_numpy() == 1
    cost = np.where(late & ~flagged, COST_FALSE_NEGATIVE, 0.0) + np.where(
        ~late & flagged, COST_FALSE_POSITIVE, 0.0
    )
    return np.bincount(orders["day"], weights=cost, minlength=world.days)


def _cost(outcomes: dict, flagged: set) -> float:
    missed = sum(late and order_id not in flagged for order_id, late in outcomes.items())
    needless = sum(not late and order_id in flagged for order_id, late in outcomes.items())
    return COST_FALSE_NEGATIVE * missed + COST_FALSE_POSITIVE * needless


def shape_problem(decisions, days) -> tuple[int, str] | None:
    """The first decision that is not the dict the prompt asks for: (day, what is wrong)."""
    if len(decisions) != len(days):
        return 0, f"{len(decisions)} decisions for {len(days)} days"
    for day, decision in zip(days, decisions, strict=True):
        if not isinstance(decision, dict):
            return day, "on_day raised or did not return a dict"
        missing = [key for key in KEYS if key not in decision]
        if missing:
            return day, f"the decision lacks {', '.join(missing)}"
        flagged = decision["flagged"]
        if not isinstance(flagged, list) or not all(isinstance(item, str) for item in flagged):
            return day, "flagged is not a list of order ids"
        if not isinstance(decision["rejected"], bool):
            return day, "rejected is not True or False"
        for key in ("model_version", "promoted"):
            if decision[key] is not None and type(decision[key]) is not int:
                return day, f"{key} is neither a whole number nor None"
        if not isinstance(decision["data_fingerprint"], str):
            return day, "data_fingerprint is not a string"
    return None


def verdict(outcomes, fingerprints, static_daily, faulty, decisions) -> tuple[bool, str]:
    """Pass when, from LAUNCH_DAY on, the system (1) beats both trivial policies and costs at most
    STATIC_MARGIN more than never retraining, (2) rejects every faulty batch and at most
    MAX_CLEAN_REJECTED_SHARE of the clean ones, (3) names the serving version and the batch's
    fingerprint every day and (4) promotes only through a won gate, on unrejected earlier days."""
    days = range(len(outcomes))
    broken = shape_problem(decisions, days)
    if broken:
        return False, f"day {broken[0]}: {broken[1]}"
    served = [day for day in days if day >= LAUNCH_DAY]
    orders = sum(len(outcomes[day]) for day in served)
    per_order = {
        "system": sum(_cost(outcomes[d], set(decisions[d]["flagged"])) for d in served) / orders,
        "flag nobody": sum(_cost(outcomes[d], set()) for d in served) / orders,
        "flag everyone": sum(_cost(outcomes[d], set(outcomes[d])) for d in served) / orders,
        "never retrained": float(sum(static_daily[d] for d in served)) / orders,
    }
    why = [f"{per_order['system']:.3f} EUR per order from day {LAUNCH_DAY} on, against "
           f"{per_order['flag nobody']:.3f} (flag nobody), {per_order['flag everyone']:.3f} "
           f"(flag everyone) and {per_order['never retrained']:.3f} (the model of the first "
           f"{LAUNCH_DAY} days, never retrained)"]  # fmt: skip
    failures = []
    trivial = min(per_order["flag nobody"], per_order["flag everyone"]) - TRIVIAL_MARGIN
    if per_order["system"] >= trivial:
        failures.append("it does not beat both trivial policies")
    if per_order["system"] > per_order["never retrained"] + STATIC_MARGIN:
        excess = per_order["system"] - per_order["never retrained"]
        failures.append(f"it costs more than never retraining: {excess:.3f} EUR per order more, "
                        f"{STATIC_MARGIN} allowed")  # fmt: skip
    rejected = {day for day in days if decisions[day]["rejected"] is True}
    missed = sorted(set(faulty) - rejected)
    clean_rejected = sorted(day for day in rejected - set(faulty) if day >= LAUNCH_DAY)
    clean_days = len([day for day in served if day not in faulty])
    why.append(
        f"{len(set(faulty) & rejected)} of {len(faulty)} faulty batches rejected, "
        f"{len(clean_rejected)} clean ones"
    )
    if missed:
        failures.append(f"it served the faulty batches of days {missed[:6]} unrejected")
    if len(clean_rejected) > MAX_CLEAN_REJECTED_SHARE * clean_days:
        failures.append(
            f"it rejected {len(clean_rejected)} clean batches (days "
            f"{clean_rejected[:6]}), more than {MAX_CLEAN_REJECTED_SHARE:.0%}"
        )
    failures += _lineage_failures(decisions, fingerprints, served, rejected)
    if failures:
        return False, "; ".join(why) + "; but " + "; ".join(failures)
    return True, "; ".join(why) + "; every decision traceable, every promotion gated"


def _lineage_failures(decisions, fingerprints, served, rejected) -> list[str]:
    failures = []
    serving, unfingerprinted, untraced, ungated, tainted = None, [], [], [], []
    for day, decision in enumerate(decisions):
        if decision["data_fingerprint"] != fingerprints[day]:
            unfingerprinted.append(day)
        if day in served and (decision["model_version"] is None
                              or decision["model_version"] != serving):  # fmt: skip
            untraced.append(day)
        promoted = decision["promoted"]
        if promoted is not None:
            gate = decision.get("gate")
            won = (isinstance(gate, dict) and isinstance(gate.get("challenger_eur"), float | int)
                   and isinstance(gate.get("champion_eur"), float | int)
                   and gate["challenger_eur"] < gate["champion_eur"])  # fmt: skip
            if not won:
                ungated.append(day)
            trained_on = decision.get("trained_on")
            if not isinstance(trained_on, list) or any(
                not isinstance(d, int) or d in rejected or d >= day for d in trained_on
            ):
                tainted.append(day)
            serving = promoted
    if unfingerprinted:
        failures.append(
            f"the data_fingerprint of days {unfingerprinted[:6]} is not the "
            "batch's data_fingerprint"
        )
    if untraced:
        failures.append(
            f"on days {untraced[:6]} the model_version served is not the last one "
            "promoted before that day"
        )
    if ungated:
        failures.append(
            f"the promotions of days {ungated[:6]} carry no gate the challenger won "
            "(gate challenger_eur < champion_eur)"
        )
    if tainted:
        failures.append(
            f"the models promoted on days {tainted[:6]} name training days that "
            "were rejected, lie in the future or are not whole numbers (trained_on)"
        )
    return failures


def fed_batch(world, day: int) -> pd.DataFrame:
    """The orders of `day` as a system receives them: faults included, no label, no order_date."""
    return world.batch(day).drop(columns=["order_date"])


def days_fed(world) -> Iterator[tuple[int, pd.DataFrame, pd.DataFrame]]:
    """Per day, what a system is handed: (day, the day's batch, the labels that arrived at the
    end of the day before: order_id, day of the order, late), as the grader's judge feeds it."""
    labels = world.orders.assign(known=world.label_day).drop_duplicates("order_id")
    arriving = dict(tuple(labels.groupby("known")))
    for day in range(world.days):
        arrived = arriving.get(day - 1, labels.iloc[:0])
        labels_of_day = arrived[["order_id", "day", "late"]].reset_index(drop=True)
        yield day, fed_batch(world, day), labels_of_day


def truth_of(world, received: Callable[[pd.DataFrame], pd.DataFrame] = lambda frame: frame):
    """What `verdict` checks decisions against: per day {order_id: late}, the fingerprint of
    the batch as the system `received` it, the never-retrained model's cost, and the faulty days."""
    from mlops_course.tracking import data_fingerprint

    fingerprints = [data_fingerprint(received(fed_batch(world, day))) for day in range(world.days)]
    return outcomes_of(world), fingerprints, never_retrained_daily_cost(world), fault_days(world)


def rehearsal_verdict(world, decisions) -> tuple[bool, str]:
    """The judge's four criteria on a world of your own: (passed, what the judge would say)."""
    return verdict(*truth_of(world), decisions)
