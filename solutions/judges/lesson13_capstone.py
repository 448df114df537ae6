"""Judge of lesson 13's level-2 system: a hidden year of the world, faults and drift included.

`feed` hands the student's system one day at a time: the day's batch as production delivers
it (faults included, no label) and the labels that arrived at the end of the day before.
`judge` prices the system's flags against the outcomes the kernel never saw and checks the
rest of what a level-2 system promises: every faulty batch rejected and few clean ones,
every decision traceable to the model version that served it and the batch's fingerprint,
no promotion without a gate that the challenger won, and no rejected day in a model's
training data. Both run in the grader's process. The criteria are mlops_course.capstone's,
the same code the exercise's public rehearsal (`rehearsal_verdict`) runs on the student's
own world; the truth they are checked against is computed here, from the hidden world.
"""

import functools

from mlops_course.capstone import days_fed, hidden_scenario, truth_of, verdict


@functools.lru_cache(maxsize=4)
def _world(seed, days, orders_per_day, scenario_seed):
    from mlops_course.world import generate

    scenario = hidden_scenario(scenario_seed, days)
    return generate(seed=seed, days=days, orders_per_day=orders_per_day, scenario=scenario)


def _world_of(parameters):
    return _world(
        parameters["seed"],
        parameters["days"],
        parameters["orders_per_day"],
        parameters["scenario_seed"],
    )


def feed(parameters):
    """Per day: the batch (no label) and the labels known at the end of the day before."""
    for day, batch, labels in days_fed(_world_of(parameters)):
        yield {"day": day, "batch": batch, "labels": labels}


def _as_received(frame):
    """The batch as the kernel decoded it: the JSON round trip the grader's step cells make."""
    import json

    from mlops_course.classroom.authoring.observe import decode, encode

    return decode(json.loads(json.dumps(encode(frame), allow_nan=False)))


@functools.lru_cache(maxsize=4)
def _truth(seed, days, orders_per_day, scenario_seed):
    """Per day: {order_id: late}, the fingerprints of the batches as received, the cost per day
    of the never-retrained model, and the faulty days."""
    return truth_of(_world(seed, days, orders_per_day, scenario_seed), received=_as_received)


def judge(parameters, decisions):
    """Pass when the system beats the trivial policies, is no worse than never retraining,
    rejects every faulty batch (and few clean ones) and can account for every decision."""
    key = (parameters["seed"], parameters["days"], parameters["orders_per_day"],
           parameters["scenario_seed"])  # fmt: skip
    return verdict(*_truth(*key), decisions)
