"""Artificial-life systems beside their controls (the BFF soup has its own script, alife.py):

- ``boolean-networks`` on ``noisy-clock``: networks evolved at noise 0.02 vs the control evolved without
  noise; the fittest network's fitness at noise 0.02 and 0.04, error correction (heal) and modularity.
- ``gard`` on ``gard``: competing assemblies vs two controls, no competition (a split's new half
  discarded) and a uniform catalysis matrix (sigma = 0); the Price equation's terms summed, replication
  fidelity, composomes of the focal lineage.
- ``nn-quine`` on ``quine-xor``: a pure quine, a quine that also learns XOR, XOR alone; self-replication
  error, the regeneration loop from the trained net and from the random one, held-out accuracy.

One run per configuration and seed, each the ``evoforge run`` command in its row (run in-process through
``evolve``); one row per run is appended to benchmarks/results/alife_systems.jsonl::

    python benchmarks/alife_systems.py --system boolean-networks gard nn-quine --seeds 0 1 2 3 4
    python benchmarks/alife_systems.py --table
    python benchmarks/alife_systems.py --plot        # docs/img/alife-<system>.png from the rows
"""

from __future__ import annotations

import argparse
import os
import resource
import shlex
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
import _alife_plots as plots  # the figures
import _harness as h  # result rows and tables

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):  # before numpy loads: one thread
    os.environ.setdefault(_var, "1")  # (on the busy shared cores, OpenBLAS's spinning threads made eigvals 6x slower)

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results" / "alife_systems.jsonl"
TASKS = {"boolean-networks": "noisy-clock", "gard": "gard", "nn-quine": "quine-xor"}
# system -> configuration -> (recipe parameters, task options); every other value is the default
CONFIGS: dict[str, dict[str, tuple[dict[str, Any], dict[str, Any]]]] = {
    "boolean-networks": {
        "noise 0.02": ({"noise": 0.02}, {}),
        "control: noise 0": ({"noise": 0.0}, {}),
    },
    "gard": {
        "competing": ({"compete": True}, {}),
        "control: no competition": ({"compete": False}, {}),
        "control: uniform beta": ({"compete": True}, {"sigma": 0.0}),
    },
    "nn-quine": {
        "quine": ({"aux": 0.0}, {}),
        "quine + XOR": ({"aux": 1.0}, {}),
        "XOR alone": ({"replicate": 0.0, "aux": 1.0}, {}),
    },
}
LENGTH = {"boolean-networks": ("generations", 400), "gard": ("generations", 80), "nn-quine": ("steps", 3000)}
EVERY = {"boolean-networks": 20, "gard": 1, "nn-quine": 100}


def command(system: str, params: dict[str, Any], options: dict[str, Any], seed: int) -> list[str]:
    """The ``evoforge run`` command of one run (without ``--out``)."""
    cmd = ["evoforge", "run", system, "--task", TASKS[system], "--seed", str(seed), "--executor", "inprocess"]
    cmd += [x for k, v in params.items() for x in ("--set", f"{k}={v}")]
    return cmd + [x for k, v in options.items() for x in ("--set", f"task.{k}={v}")]


def records(run_file: Path) -> list[tuple[dict, dict]]:
    """The run's (record, metrics) pairs in order, read-only."""
    from evoforge import RunStore

    store = RunStore.open(run_file)
    try:
        return [(c.genome, c.metrics) for c in store.candidates("ok")]
    finally:
        store.close()


def summary(system: str, found: list[tuple[dict, dict]]) -> dict[str, Any]:
    """What a row keeps of a run: the curves and the last record's measures."""
    metrics = [m for _, m in found]
    if system == "boolean-networks":
        keys = ("fitness_clean", "fitness_noise", "fitness_high", "heal", "redundancy", "modularity", "modularity_all",
                "functional")  # fmt: skip
        return {"x": [g["generation"] for g, _ in found], **{k: [m[k] for m in metrics] for k in keys}}
    if system == "gard":
        from evoforge.genomes.protocells.similarity import composomes

        focal = [c for g, _ in found for c in g["focal"]]
        count, share = composomes(focal)
        moved = metrics[1:]
        return {"x": [g["generation"] for g, _ in found[1:]],
                **{k: [m[k] for m in moved] for k in ("total", "between", "within", "fidelity", "similarity")},
                "activity": [m["activity"] for m in metrics], "composomes": count, "in_composomes": round(share, 4),
                "focal_splits": len(focal), "focal": focal}  # fmt: skip
    keys = ("replication_error", "accuracy", "spectral_radius", "norm")
    out = {"x": [g["step"] for g, _ in found], **{k: [m[k] for m in metrics] for k in keys}}
    for name, m in (("random", metrics[0]), ("trained", metrics[-1])):
        out.update({f"{name}_{k}": m[k] for k in ("drift", "lifetime", "last_norm")})
    return out


def run(system: str, name: str, seed: int, length: int, work: Path, keep_focal: bool) -> dict[str, Any]:
    from evoforge.run.api import evolve

    params, options = CONFIGS[system][name]
    params = {**params, LENGTH[system][0]: length, "every": EVERY[system]}
    run_file = work / f"{system}-{name.replace(' ', '_').replace(':', '')}-seed{seed}.db"
    load0, cpu0, start = os.getloadavg()[0], resource.getrusage(resource.RUSAGE_SELF), time.time()
    evolve(TASKS[system], system, budget=None, seed=seed, out=run_file, executor="inprocess", recipe_params=params,
           task_options=options)  # fmt: skip
    wall, cpu1 = time.time() - start, resource.getrusage(resource.RUSAGE_SELF)
    row = {"system": system, "config": name, "seed": seed, "params": params, "task_options": options,
           "job": shlex.join(command(system, params, options, seed)), **summary(system, records(run_file)),
           "wall_seconds": round(wall, 1),
           "cpu_seconds": round(cpu1.ru_utime + cpu1.ru_stime - cpu0.ru_utime - cpu0.ru_stime, 1),
           "loadavg_start": round(load0, 2), "cpus": os.cpu_count(), "niceness": os.nice(0)}  # fmt: skip
    if not keep_focal:
        row.pop("focal", None)
    return row


def cells(system: str) -> dict[str, list[dict]]:
    """The latest row of each configuration and seed of ``system``, by configuration in CONFIGS' order."""
    rows = [r for r in h.read_rows(RESULTS) if r["system"] == system]
    grouped = h.group(h.latest(rows, lambda r: (r["config"], r["seed"])).values(), lambda r: r["config"])
    return {name: grouped[name] for name in CONFIGS[system] if name in grouped}


def med(values: list[Any], spec: str = ".3f") -> str:
    vals = [v for v in values if v is not None]
    return format(statistics.median(vals), spec) if vals else "-"


def table_boolean_networks() -> h.Table:
    out = h.Table([("networks", "left"), ("seeds", "right"), ("at noise 0", "right"), ("at 0.02", "right"),
                   ("at 0.04", "right"), ("heal", "right"), ("redundancy", "right"), ("modularity Q", "right"),
                   ("Q all wires", "right"), ("functional nodes", "right"), ("Q at gen 0", "right"),
                   ("cpu s / run", "right")], title="boolean-networks on noisy-clock")  # fmt: skip
    for name, rows in cells("boolean-networks").items():
        out.add(name, len(rows), *(med([r[k][-1] for r in rows]) for k in ("fitness_clean", "fitness_noise",
                "fitness_high", "heal", "redundancy", "modularity", "modularity_all")),
                med([r["functional"][-1] for r in rows], ".0f"), med([r["modularity"][0] for r in rows]),
                med([r["cpu_seconds"] for r in rows], ".0f"))  # fmt: skip
    out.notes.append(
        "The fittest network of the last generation as the task scores it (its own noise stream, 64 runs of 48 "
        "steps), medians over seeds: fitness = share of output bits on the target cycle (0011, 0110); heal = "
        "share of functional nodes whose single flip the network corrects; redundancy = copies per functional "
        "node; Q = Newman modularity of the wires that matter among functional nodes (and of all wires). "
        "Population 200, 24 nodes of 3 inputs, 400 generations."
    )
    return out


def table_gard() -> h.Table:
    out = h.Table([("population", "left"), ("seeds", "right"), ("change of activity", "right"),
                   ("between assemblies", "right"), ("within", "right"), ("records with between > 0", "right"),
                   ("fidelity", "right"), ("similarity", "right"), ("composomes", "right"),
                   ("focal splits in one", "right"), ("cpu s / run", "right")], title="gard on gard")  # fmt: skip
    for name, rows in cells("gard").items():
        positive = [sum(b > 0 for b in r["between"]) / len(r["between"]) for r in rows]
        out.add(name, len(rows), *(med([sum(r[k]) for r in rows], "+.3f") for k in ("total", "between", "within")),
                med(positive, ".0%"), med([statistics.mean(x for x in r["fidelity"] if x is not None) for r in rows]),
                med([statistics.mean(r["similarity"]) for r in rows]), med([r["composomes"] for r in rows], ".0f"),
                med([r["in_composomes"] for r in rows], ".0%"),
                med([r["cpu_seconds"] for r in rows], ".0f"))  # fmt: skip
    out.notes.append(
        "64 assemblies splitting at 80 molecules, 40 molecule types (ln beta ~ Normal(-4, 4)), 80 generations of 64 "
        "splits; medians over seeds. The change of the population's mean catalytic activity (log10) summed over "
        "generations, split by the multilevel Price equation into selection between assemblies and change within "
        "them; fidelity = mean H between an assembly's compositions at consecutive splits; similarity = mean H "
        "between assemblies; composomes = clusters (H >= 0.9, 3 or more) of the focal lineage's compositions."
    )
    return out


def table_nn_quine() -> h.Table:
    out = h.Table([("network", "left"), ("seeds", "right"), ("replication error", "right"),
                   ("held-out accuracy", "right"), ("copies within 0.5", "right"),
                   ("drift after 1, 2, 4 copies", "right"),
                   ("spectral radius", "right"), ("random net: error", "right"), ("random: copies within 0.5", "right"),
                   ("cpu s / run", "right")], title="nn-quine on quine-xor")  # fmt: skip
    for name, rows in cells("nn-quine").items():
        drift = ", ".join(med([r["trained_drift"][i] for r in rows], ".3g") for i in (0, 1, 3))
        out.add(name, len(rows), med([r["replication_error"][-1] for r in rows], ".4f"),
                med([r["accuracy"][-1] for r in rows]), med([r["trained_lifetime"] for r in rows], ".0f"), drift,
                med([r["spectral_radius"][-1] for r in rows]), med([r["replication_error"][0] for r in rows]),
                med([r["random_lifetime"] for r in rows], ".0f"),
                med([r["cpu_seconds"] for r in rows], ".0f"))  # fmt: skip
    out.notes.append(
        "352 weights (16-dimensional coordinate embedding, 16 tanh hidden units, no biases), 3000 Adam steps, "
        "medians over seeds. Replication error = ||R(theta) - theta|| / ||theta||; a copy is R applied again; "
        "drift = a copy's distance from the trained weights relative to their norm; spectral radius of R's "
        "Jacobian (>1: the fixed point is unstable); accuracy on 512 held-out XOR points."
    )
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--system", nargs="+", choices=list(CONFIGS), default=list(CONFIGS))
    ap.add_argument("--configs", nargs="+", metavar="CONFIG", help="configurations to run (default: all)")
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    ap.add_argument("--length", type=int, help="generations (steps for nn-quine) per run; default per system")
    ap.add_argument("--no-record", action="store_true", help="do not append rows to results/alife_systems.jsonl")
    ap.add_argument("--table", action="store_true", help="print the recorded rows and stop")
    ap.add_argument("--plot", action="store_true", help="draw docs/img/alife-<system>.png from the rows and stop")
    args = ap.parse_args()
    if args.table:
        print(h.tables([table_boolean_networks(), table_gard(), table_nn_quine()]))
        return
    if args.plot:
        for system in args.system:
            print(f"wrote {plots.draw(system, cells(system))}")
        return
    with tempfile.TemporaryDirectory(prefix="evoforge-alife-") as tmp:
        for system in args.system:
            for name in args.configs or list(CONFIGS[system]):
                if name not in CONFIGS[system]:
                    continue
                for seed in args.seeds:
                    length = args.length or LENGTH[system][1]
                    row = run(system, name, seed, length, Path(tmp), keep_focal=seed == args.seeds[0])
                    if not args.no_record:
                        h.append_row(RESULTS, row)
                    print(f"{system}, {name}, seed {seed}: {row['cpu_seconds']} cpu s", flush=True)
    print(h.tables([table_boolean_networks(), table_gard(), table_nn_quine()]))


if __name__ == "__main__":
    main()
