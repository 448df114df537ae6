"""Judge of lesson 13's level-2 system: a hidden year of the world, faults and drift included.

`feed` hands the student's system one day at a time: the day's batch as production delivers
it (faults included, no label) and the labels that arrived at the end of the day before.
`judge` prices the system's flags against the outcomes the kernel never saw and checks the
rest of what a level-2 system promises: every faulty batch rejected and few clean ones,
every decision traceable to the model version that served it and the batch's fingerprint,
no promotion without a gate that the challenger won, and no rejected day in a model's
training data. Both run in the grader's process.
"""

import functools

LAUNCH_DAY = 21  # the system's decisions are priced from this day on
TRIVIAL_MARGIN = 0.0  # EUR per order the system must beat both trivial policies by
STATIC_MARGIN = 0.05  # EUR per order the system may cost more than the never-retrained model
MAX_CLEAN_REJECTED_SHARE = 0.03  # of the clean days from launch on
FAULT_KINDS = ("missing_values", "out_of_range", "new_category", "renamed_column", "duplicates")
JUDGED_KINDS = ("concept_drift", *FAULT_KINDS)
KEYS = ("flagged", "rejected", "model_version", "data_fingerprint", "promoted")
FED_COLUMNS_DROPPED = ("order_date",)


@functools.lru_cache(maxsize=4)
def _world(seed, days, orders_per_day, scenario_seed):
    from mlops_course.world import Scenario, generate

    scenario = Scenario.sample(scenario_seed, days, kinds=JUDGED_KINDS)
    return generate(seed=seed, days=days, orders_per_day=orders_per_day, scenario=scenario)


def _world_of(parameters):
    return _world(
        parameters["seed"],
        parameters["days"],
        parameters["orders_per_day"],
        parameters["scenario_seed"],
    )


def _fed_batch(world, day):
    return world.batch(day).drop(columns=list(FED_COLUMNS_DROPPED))


def feed(parameters):
    """Per day: the batch (no label) and the labels known at the end of the day before."""
    import pandas as pd

    world = _world_of(parameters)
    labels = world.orders.assign(known=world.label_day).drop_duplicates("order_id")
    arriving = dict(tuple(labels.groupby("known")))
    for day in range(world.days):
        arrived = arriving.get(day - 1, labels.iloc[:0])
        yield {
            "day": day,
            "batch": _fed_batch(world, day),
            "labels": pd.DataFrame(
                {"order_id": arrived["order_id"], "day": arrived["day"], "late": arrived["late"]}
            ).reset_index(drop=True),
        }


def _as_received(frame):
    """The batch as the kernel decoded it: the JSON round trip the grader's step cells make."""
    import json

    from mlops_course.classroom.authoring.observe import decode, encode

    return decode(json.loads(json.dumps(encode(frame), allow_nan=False)))


def _fault_days(world):
    days = set()
    for event in world.events.itertuples():
        if event.kind in FAULT_KINDS:
            days.update(range(event.day, int(event.end_day) + 1))
    return days


@functools.lru_cache(maxsize=4)
def _truth(seed, days, orders_per_day, scenario_seed):
    """Per day: {order_id: late}, the fingerprints of the batches as received, and the cost
    per day of the never-retrained model (trained on the labels known before launch)."""
    import numpy as np
    from sklearn.compose import ColumnTransformer
    from sklearn.impute import SimpleImputer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    from mlops_course.tracking import data_fingerprint
    from mlops_course.world import (
        CATEGORICAL_FEATURES,
        COST_FALSE_NEGATIVE,
        COST_FALSE_POSITIVE,
        FEATURES,
        NUMERIC_FEATURES,
    )

    world = _world(seed, days, orders_per_day, scenario_seed)
    orders = world.orders.assign(known=world.label_day).drop_duplicates("order_id")
    outcomes = [dict(zip(group["order_id"], group["late"].astype(bool), strict=True))
                for _, group in orders.groupby("day")]  # fmt: skip
    fingerprints = [data_fingerprint(_as_received(_fed_batch(world, day))) for day in range(days)]
    clean = ~orders["day"].isin(_fault_days(world))
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
    static = np.bincount(orders["day"], weights=cost, minlength=days)
    return outcomes, fingerprints, static, _fault_days(world)


def _cost(outcomes, flagged):
    from mlops_course.world import COST_FALSE_NEGATIVE, COST_FALSE_POSITIVE

    missed = sum(late and order_id not in flagged for order_id, late in outcomes.items())
    needless = sum(not late and order_id in flagged for order_id, late in outcomes.items())
    return COST_FALSE_NEGATIVE * missed + COST_FALSE_POSITIVE * needless


def _problems_of(decisions, days):
    """Decisions that are not the dict the prompt asks for: (day, what is wrong)."""
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


def judge(parameters, decisions):
    """Pass when the system beats the trivial policies, is no worse than never retraining,
    rejects every faulty batch (and few clean ones) and can account for every decision."""
    key = (parameters["seed"], parameters["days"], parameters["orders_per_day"],
           parameters["scenario_seed"])  # fmt: skip
    outcomes, fingerprints, static_daily, fault_days = _truth(*key)
    days = range(len(outcomes))
    broken = _problems_of(decisions, days)
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
        failures.append(f"it costs more than never retraining (by over {STATIC_MARGIN} EUR)")
    rejected = {day for day in days if decisions[day]["rejected"] is True}
    missed = sorted(fault_days - rejected)
    clean_rejected = sorted(day for day in rejected - fault_days if day >= LAUNCH_DAY)
    clean_days = len([day for day in served if day not in fault_days])
    why.append(
        f"{len(fault_days & rejected)} of {len(fault_days)} faulty batches rejected, "
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


def _lineage_failures(decisions, fingerprints, served, rejected):
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
