"""Online bin packing (FunSearch): evolve ``priority(item, bins)``; each item goes to the feasible bin
of highest priority. Score = minus the excess bins over the L1 bound, in percent (0 is optimal)."""
from __future__ import annotations

import math

import numpy as np

from ._programs import PROGRAM_DESCRIPTOR_BOUNDS, check, finish, run_in_sandbox

DESCRIPTION = "online bin packing heuristic priority(item, bins) (FunSearch; Weibull / OR3 instances)"
DESCRIPTOR_BOUNDS = PROGRAM_DESCRIPTOR_BOUNDS
FUNCTION = "priority"  # the function recipes evolve

IDEAS = ["give a large bonus to a bin the item fills exactly", "penalise leaving a small gap (say under 5) in a bin",
         "raise the remaining space to a power before comparing", "prefer bins that are already nearly full",
         "treat empty bins (capacity 100) differently from used ones", "combine best fit with a term in item size"]

SEED = '''import numpy as np


# EVOLVE-BLOCK-START
def priority(item: float, bins: np.ndarray) -> np.ndarray:
    """Priority of adding `item` to each bin; `bins` holds the remaining capacities of the bins
    that fit the item (empty bins included). The bin with the highest priority is chosen."""
    return -(bins - item)  # best fit: prefer the bin that leaves the least room
# EVOLVE-BLOCK-END
'''

HARNESS = '''
import numpy as np

def run(program, inputs):
    out = []
    for inst in inputs["instances"]:
        items, capacity = inst["items"], inst["capacity"]
        bins = np.full(len(items), float(capacity))
        chosen = []
        for item in items:
            valid = np.nonzero(bins - item >= 0)[0]
            prio = np.asarray(program.priority(float(item), bins[valid]), dtype=float)
            if prio.shape != valid.shape:
                raise ValueError(f"priority must return one value per bin: got shape {prio.shape} for {len(valid)} bins")
            if not np.all(np.isfinite(prio)):
                raise ValueError("priority returned NaN or infinity")
            best = int(valid[int(np.argmax(prio))])
            bins[best] -= item
            chosen.append(best)
        out.append(chosen)
    return out
'''

_CONFIG = {"dataset": "weibull", "instances": 5, "items": None, "seed": 0, "timeout": 30.0}
_CACHE: dict[tuple, list[dict]] = {}


def configure(dataset: str = "weibull", instances: int = 5, items: int | None = None, seed: int = 0,
              timeout: float = 30.0) -> None:
    """``dataset``: weibull (5 x 1,000 items, default), weibull5k (FunSearch's Weibull 5k: 5 x 5,000) or
    or3 (OR-Library binpack3-style: 500 items uniform in [20, 100], capacity 150)."""
    if dataset not in ("weibull", "weibull5k", "or3"):
        raise ValueError(f"dataset must be weibull, weibull5k or or3, not {dataset!r}")
    _CONFIG.update(dataset=dataset, instances=int(instances), items=items, seed=int(seed), timeout=float(timeout))


def generate(dataset: str, instances: int, items: int | None, seed: int) -> list[dict]:
    """Instances as in FunSearch: Weibull(k=3, scale=45) item sizes, capacity 100, clipped to
    [1, capacity] and rounded; OR3-style: integer sizes uniform in [20, 100], capacity 150."""
    key = (dataset, instances, items, seed)
    if key not in _CACHE:
        rng = np.random.default_rng(seed)
        out = []
        for _ in range(instances):
            if dataset == "or3":
                n = items or 500
                sizes, cap = rng.integers(20, 101, size=n), 150
            else:
                n = items or (5000 if dataset == "weibull5k" else 1000)
                sizes, cap = np.clip(np.round(rng.weibull(3.0, size=n) * 45), 1, 100), 100
            out.append({"items": [int(s) for s in sizes], "capacity": cap})
        _CACHE[key] = out
    return _CACHE[key]


def l1_bound(items: list[int], capacity: int) -> int:
    return math.ceil(sum(items) / capacity)


def evaluate(genome: str) -> dict:
    data = generate(_CONFIG["dataset"], _CONFIG["instances"], _CONFIG["items"], _CONFIG["seed"])
    assignments = run_in_sandbox(genome, HARNESS, {"instances": data}, timeout=_CONFIG["timeout"])
    check(isinstance(assignments, list) and len(assignments) == len(data), "harness returned no packing")
    excess, used_total, bound_total = [], 0, 0
    for inst, chosen in zip(data, assignments):  # trusted check, here in the parent
        items, cap = inst["items"], inst["capacity"]
        check(isinstance(chosen, list) and len(chosen) == len(items), "not every item was packed")
        loads: dict[int, int] = {}
        for item, b in zip(items, chosen):
            loads[b] = loads.get(b, 0) + item
        check(max(loads.values()) <= cap, "a bin is over capacity")
        used, bound = len(loads), l1_bound(items, cap)
        excess.append(100.0 * (used - bound) / bound)
        used_total, bound_total = used_total + used, bound_total + bound
    mean_excess = float(np.mean(excess))
    feedback = (f"{mean_excess:.2f}% more bins than the lower bound ({used_total} bins vs {bound_total}) "
                f"on {len(data)} {_CONFIG['dataset']} instances; lower is better, best fit gives about 4-5%.")
    return finish(genome, -mean_excess, {"excess_pct": mean_excess, "bins": used_total, "l1_bound": bound_total,
                                         "per_instance_excess_pct": [round(e, 3) for e in excess]}, feedback)
