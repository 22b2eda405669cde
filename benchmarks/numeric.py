"""Benchmarks of the numeric recipes, side by side in one run (3 seeds):

1. evoforge ``cma-es`` vs raw pycma on 100-D Rastrigin, popsize 100: wall time and best fitness.
2. evoforge ``map-elites`` vs pyribs MAP-Elites (15 Gaussian emitters, sigma 0.5, batch 36 = 540 per
   iteration) on pyribs' sphere linear-projection benchmark (100-D, 100x100 grid), equal evaluations:
   normalised QD score, coverage, iterations per second. evoforge runs through ``evoforge.evolve``
   (in-process executor: the engine's array path, one ``evaluate_array`` call per batch), once
   without a run file (as pyribs keeps none) and once with one (what ``evoforge run`` does).
3. ``diffusion-evolution`` vs ``cma-es`` on CartPole-v1 with linear policies: best policy's mean return.

    python benchmarks/numeric.py            # full: 100k CMA evaluations, 10,000 MAP-Elites iterations
    python benchmarks/numeric.py --quick    # 20k CMA evaluations, 300 MAP-Elites iterations
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import warnings
from pathlib import Path

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")  # both sides single-threaded: stable timings on a shared machine

import numpy as np  # noqa: E402 - after the thread settings above, which numpy reads on import

warnings.filterwarnings("ignore")

import evoforge  # noqa: E402
from evoforge.core.task import load_task  # noqa: E402  # noqa: E402
from evoforge.recipes.registry import get_recipe  # noqa: E402  # noqa: E402

SEEDS = (1, 2, 3)


def run_evoforge(task, recipe, budget, seed, params=None, options=None):
    t = time.perf_counter()
    res = evoforge.evolve(
        task,
        recipe,
        budget=budget,
        seed=seed,
        executor="inprocess",
        timeout=None,
        recipe_params=params or {},
        task_options=options or {},
    )
    return res, time.perf_counter() - t


# -- 1. CMA-ES ------------------------------------------------------------------------------------
def raw_pycma(x0, sigma0, popsize, seed, budget, f, vectorised=False):
    import cma

    t = time.perf_counter()
    opts = {"popsize": popsize, "seed": seed, "verbose": -9, "verb_log": 0, "verb_disp": 0}
    es, evals, best = cma.CMAEvolutionStrategy(x0, sigma0, opts), 0, np.inf
    while evals < budget:
        xs = es.ask()
        fs = f(np.asarray(xs)).tolist() if vectorised else [f(x) for x in xs]
        evals += len(xs)
        best = min(best, min(fs))
        es.tell(xs, fs)
        if es.stop():  # the same restart rule as the cma-es recipe
            opts["seed"] += 1
            es = cma.CMAEvolutionStrategy(x0, sigma0, opts)
    return best, time.perf_counter() - t


def bench_cma(budget):
    from evoforge.tasks.vectors import rastrigin

    task = load_task("rastrigin", {"dim": 100})
    rows = []
    for seed in SEEDS:
        best_raw, t_raw = raw_pycma(task.seed, 1.0, 100, seed, budget, rastrigin.f)
        best_vec, t_vec = raw_pycma(task.seed, 1.0, 100, seed, budget, rastrigin.f, vectorised=True)
        res, t_evo = run_evoforge(
            "rastrigin", "cma-es", budget, 0, {"popsize": 100, "cma_seed": seed, "sigma0": 1.0}, {"dim": 100}
        )
        rows.append((seed, best_raw, best_vec, -res.best.score, t_raw, t_vec, t_evo))
    print(f"\n1. CMA-ES, 100-D Rastrigin (start {task.seed[0]}), popsize 100, {budget} evaluations, sigma0 1")
    print("   pycma: f called per sample (as in pycma's docs); pycma-vec: f on the whole generation at once,")
    print("   as evoforge's array path does (the task's evaluate_array)")
    print(
        f"{'seed':>4} {'pycma best f':>14} {'evoforge best f':>16} {'identical':>9} {'pycma s':>8} "
        f"{'pycma-vec s':>11} {'evoforge s':>10} {'ratio':>6} {'ratio-vec':>9} {'pycma gen/s':>11}"
    )
    for seed, b_raw, b_vec, b_evo, t_raw, t_vec, t_evo in rows:
        same = b_raw == b_evo == b_vec
        print(
            f"{seed:>4} {b_raw:>14.6f} {b_evo:>16.6f} {same!s:>9} {t_raw:>8.2f} {t_vec:>11.2f} {t_evo:>10.2f} "
            f"{t_evo / t_raw:>6.2f} {t_evo / t_vec:>9.2f} {budget / 100 / t_raw:>11.1f}"
        )
    ratio = sum(r[6] for r in rows) / sum(r[4] for r in rows)
    ratio_vec = sum(r[6] for r in rows) / sum(r[5] for r in rows)
    print(
        f"wall-time ratio evoforge / pycma over seeds: {ratio:.2f} (target <= 1.2); "
        f"evoforge / pycma-vec: {ratio_vec:.2f}"
    )


# -- 2. MAP-Elites --------------------------------------------------------------------------------
def raw_pyribs(seed, iterations, dim=100):
    from ribs.archives import GridArchive
    from ribs.emitters import GaussianEmitter
    from ribs.schedulers import Scheduler

    task = load_task("sphere-projection", {"dim": dim})
    bound = dim / 2 * 5.12
    archive = GridArchive(solution_dim=dim, dims=[100, 100], ranges=[(-bound, bound)] * 2, seed=seed)
    emitters = [
        GaussianEmitter(archive, sigma=0.5, x0=np.zeros(dim), batch_size=36, seed=seed * 100 + i) for i in range(15)
    ]
    scheduler = Scheduler(archive, emitters)
    t = time.perf_counter()
    for _ in range(iterations):
        sols = scheduler.ask()
        obj, meas = task.evaluate_array(sols)
        scheduler.tell(obj, meas)
    dt = time.perf_counter() - t
    return float(archive.stats.norm_qd_score), float(archive.stats.coverage), iterations / dt


def evoforge_map_elites(seed, iterations, dim=100, run_file=False):
    task = load_task("sphere_projection", {"dim": dim})
    recipe = get_recipe("map-elites")(cells=100, sigma=0.5, batch_size=540)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "run.db" if run_file else None
        t = time.perf_counter()
        evoforge.evolve(task, recipe, budget=540 * iterations, seed=seed, executor="inprocess", timeout=None, out=out)
        dt = time.perf_counter() - t
    grid = recipe.archive()
    return grid.qd_score() / grid.size, grid.coverage, iterations / dt


def bench_map_elites(iterations):
    print(
        f"\n2. MAP-Elites, sphere linear projection 100-D, 100x100 grid, Gaussian sigma 0.5, batch 540, "
        f"{iterations} iterations ({540 * iterations} evaluations)"
    )
    print(f"{'seed':>4} {'system':<28} {'norm QD':>8} {'coverage':>9} {'it/s':>8}")
    sums = {}
    for seed in SEEDS:
        for name, fn in (
            ("pyribs", lambda seed=seed: raw_pyribs(seed, iterations)),
            ("evoforge", lambda seed=seed: evoforge_map_elites(seed, iterations)),
            ("evoforge + run file", lambda seed=seed: evoforge_map_elites(seed, iterations, run_file=True)),
        ):
            qd, cov, its = fn()
            sums.setdefault(name, []).append((qd, cov, its))
            print(f"{seed:>4} {name:<28} {qd:>8.2f} {cov:>9.1%} {its:>8.1f}", flush=True)
    ref = np.mean(sums["pyribs"], axis=0)
    for name in ("evoforge", "evoforge + run file"):
        m = np.mean(sums[name], axis=0)
        print(
            f"{name}: QD ratio {m[0] / ref[0]:.3f}, coverage ratio {m[1] / ref[1]:.3f} (targets >= 1.0), "
            f"it/s ratio {m[2] / ref[2]:.3f} (target >= 0.8)"
        )


# -- 3. Diffusion evolution vs CMA-ES on CartPole -----------------------------------------------------
def bench_cartpole(budget):
    print(
        f"\n3. CartPole-v1, linear policies (10 weights), {budget} evaluations of 1 episode; "
        f"best policy re-evaluated on 10 seeded episodes"
    )
    print(f"{'seed':>4} {'recipe':<22} {'best (train)':>12} {'mean of 10 episodes':>20} {'seconds':>8}")
    finals = {}
    for seed in SEEDS:
        for recipe, params in (("diffusion-evolution", {"population": 50, "steps": 10}), ("cma-es", {"sigma0": 1.0})):
            res, dt = run_evoforge("cartpole", recipe, budget, seed, params, {"episodes": 1})
            test = load_task("cartpole", {"episodes": 10}).evaluate(res.best.genome)["score"]
            load_task("cartpole", {"episodes": 1})
            finals.setdefault(recipe, []).append(test)
            print(f"{seed:>4} {recipe:<22} {res.best.score:>12.1f} {test:>20.1f} {dt:>8.1f}", flush=True)
    for recipe, vals in finals.items():
        print(f"{recipe}: mean return {np.mean(vals):.1f} +- {np.std(vals):.1f}")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="smaller budgets (minutes, not tens of minutes)")
    ap.add_argument("--only", choices=["cma", "map-elites", "cartpole"], help="run one part")
    args = ap.parse_args(argv)
    print(f"$ python benchmarks/numeric.py {' '.join(sys.argv[1:])}")
    import platform

    import cma
    import ribs

    print(
        f"python {platform.python_version()}, numpy {np.__version__}, cma {cma.__version__}, "
        f"ribs {ribs.__version__}, evoforge {evoforge.__version__ if hasattr(evoforge, '__version__') else ''}; "
        f"executor inprocess, timeout None"
    )
    if args.only in (None, "cma"):
        bench_cma(20_000 if args.quick else 100_000)
    if args.only in (None, "map-elites"):
        bench_map_elites(300 if args.quick else 10_000)
    if args.only in (None, "cartpole"):
        bench_cartpole(1000 if args.quick else 3000)


if __name__ == "__main__":
    main()
