"""Online bin packing (FunSearch): evolve ``priority(item, bins)``; each item goes to the feasible bin
of highest priority. Score = minus the excess bins over the L1 bound, in percent (0 is optimal)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from evoforge.core.task_value import option
from evoforge.genomes.programs.task import ProgramFailure, ProgramTaskBase, check, finish, run_in_sandbox

# one idea per model call; each changes which bin wins (a monotone transform of best fit changes nothing)
IDEAS = [
    "penalise leaving a gap too small to hold a typical item",
    "prefer a gap large enough for another item to a tiny gap",
    "treat empty bins (capacity 100) differently from used ones",
    "for large items, prefer bins that are already nearly full",
    "add a term that depends on both the gap and the item size",
    "reward a gap that is close to the size of a typical item",
]
HINT = "`bins` and `gap` are numpy arrays: use np.where or masks such as (gap > 2) * (gap < 8), never `if` on an array."
LINE_EXAMPLE = "result = result - 1.0 * (gap > 2) * (gap < 8)"  # the shape of a one-line edit

PROGRAM = '''import numpy as np


# EVOLVE-BLOCK-START
def priority(item: float, bins: np.ndarray) -> np.ndarray:
    """Priority of adding `item` to each bin; `bins` holds the remaining capacities of the bins
    that fit the item (empty bins included). The bin with the highest priority is chosen."""
    gap = bins - item  # room left in each bin after adding the item
    return -gap  # best fit: prefer the bin that leaves the least room
# EVOLVE-BLOCK-END
'''

HARNESS = """
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
                raise ValueError(
                    f"priority must return one value per bin: got shape {prio.shape} for {len(valid)} bins")
            if not np.all(np.isfinite(prio)):
                raise ValueError("priority returned NaN or infinity")
            best = int(valid[int(np.argmax(prio))])
            bins[best] -= item
            chosen.append(best)
        out.append(chosen)
    return out
"""

_CACHE: dict[tuple, list[dict]] = {}


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


def best_fit_bins(items: list[int], capacity: int) -> int:
    """Bins used by best fit (the seed's heuristic), computed here in the parent."""
    bins = np.full(len(items), float(capacity))
    for item in items:
        room = bins - item
        room[room < 0] = np.inf
        bins[int(np.argmin(room))] -= item
    return int(np.sum(bins < capacity))


def _excess(data: list[dict], assignments: Any) -> tuple[list[float], int, int]:
    """Excess per instance (%), bins used, L1 bound; every packing checked here in the parent."""
    check(isinstance(assignments, list) and len(assignments) == len(data), "harness returned no packing")
    excess, used_total, bound_total = [], 0, 0
    for inst, chosen in zip(data, assignments):
        items, cap = inst["items"], inst["capacity"]
        check(isinstance(chosen, list) and len(chosen) == len(items), "not every item was packed")
        loads: dict[int, int] = {}
        for item, b in zip(items, chosen):
            check(isinstance(b, int) and 0 <= b < len(items), "packing names a bin that does not exist")
            loads[b] = loads.get(b, 0) + item
        check(max(loads.values()) <= cap, "a bin is over capacity")
        used, bound = len(loads), l1_bound(items, cap)
        excess.append(100.0 * (used - bound) / bound)
        used_total, bound_total = used_total + used, bound_total + bound
    return excess, used_total, bound_total


@dataclass(kw_only=True)
class BinPacking(ProgramTaskBase):
    """``dataset``: weibull (5 x 1,000 items, default), weibull5k (FunSearch's Weibull 5k: 5 x 5,000) or
    or3 (OR-Library binpack3-style: 500 items uniform in [20, 100], capacity 150).

    Cascade evaluation: stage 1 packs the first ``cascade_items`` items of the first instance (a
    short time limit too); a program more than ``cascade_margin`` points of excess worse than best fit
    there, or failing there, is not run on the full set (its stage-1 excess is its score). Used only
    when the full set is at least 3 times as large as stage 1."""

    description: str = (
        "online bin packing: each item goes to the bin of highest priority(item, bins); "
        "on the default Weibull instances bins hold 100 and items are mostly 15 to 65 (option dataset)"
    )
    function: str | None = "priority"
    ideas: tuple[str, ...] | None = tuple(IDEAS)
    hint: str = HINT
    line_example: str = LINE_EXAMPLE
    dataset: str = option("weibull", help="weibull | weibull5k | or3")
    instances: int = option(5, help="instances per evaluation")
    items: int | None = option(None, help="items per instance (default: the dataset's)")
    seed: int = option(0, help="which instances")
    timeout: float = option(30.0, help="seconds a program may run")
    cascade: bool = option(True, help="stop weak programs after a cheap first stage")
    cascade_items: int = option(400, help="items of the first stage")
    cascade_margin: float = option(3.0, help="excess points over best fit that stop a program at stage 1")

    def __post_init__(self) -> None:
        if self.dataset not in ("weibull", "weibull5k", "or3"):
            raise ValueError(f"dataset must be weibull, weibull5k or or3, not {self.dataset!r}")

    def initial(self) -> str:
        return PROGRAM

    def stage_one(self, data: list[dict]) -> list[dict] | None:
        """The cheap cascade stage: the first ``cascade_items`` items of the first instance, or None when
        the cascade is off or would not save much."""
        n = self.cascade_items
        if not self.cascade or n <= 0 or sum(len(d["items"]) for d in data) < 3 * n:
            return None
        return [{"items": data[0]["items"][:n], "capacity": data[0]["capacity"]}]

    def evaluate(self, genome: str) -> dict:
        data = generate(self.dataset, self.instances, self.items, self.seed)
        stage = self.stage_one(data)
        if stage is not None:
            try:
                got = run_in_sandbox(genome, HARNESS, {"instances": stage}, timeout=min(self.timeout, 10.0))
            except ProgramFailure as err:
                raise ProgramFailure(f"stage 1 ({len(stage[0]['items'])} items): {err}") from None
            (ex1,), _, bound1 = _excess(stage, got)
            ref = 100.0 * (best_fit_bins(stage[0]["items"], stage[0]["capacity"]) - bound1) / bound1
            if ex1 > ref + self.cascade_margin:
                feedback = (
                    f"{ex1:.2f}% more bins than the lower bound on the first {len(stage[0]['items'])} items "
                    f"(best fit: {ref:.2f}%); too weak for the full evaluation. Lower is better."
                )
                return finish(
                    genome,
                    -ex1,
                    {"excess_pct": ex1, "cascade": "stopped after stage 1", "stage1_excess_pct": ex1},
                    feedback,
                )
        assignments = run_in_sandbox(genome, HARNESS, {"instances": data}, timeout=self.timeout)
        excess, used_total, bound_total = _excess(data, assignments)
        mean_excess = float(np.mean(excess))
        feedback = (
            f"{mean_excess:.2f}% more bins than the lower bound ({used_total} bins vs {bound_total}) "
            f"on {len(data)} {self.dataset} instances; lower is better, best fit gives about 4-5%."
        )
        return finish(
            genome,
            -mean_excess,
            {
                "excess_pct": mean_excess,
                "cascade": "full" if stage else "off",
                "bins": used_total,
                "l1_bound": bound_total,
                "per_instance_excess_pct": [round(e, 3) for e in excess],
            },
            feedback,
        )


TASK = BinPacking()
