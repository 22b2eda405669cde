"""Self-training benchmark: STaR vs ReST-EM vs ScPO (no labels) vs SFT on gold answers (and the RL
recipes GRPO and TTRL), on two-digit addition (``--task``: any weights task, e.g. word-problems or
program-output) with the embedded SmolLM2-135M (LoRA), at an equal number of generated samples per
round (about 190: see ``METHODS``; SFT-gold trains on the gold solutions of STaR's problems).

One (method, seed) cell per invocation; the cell is appended to
``benchmarks/results/self_training.jsonl`` and the table of everything recorded is printed:

    python benchmarks/self_training.py --method star --seed 0
    python benchmarks/self_training.py --method scpo --seed 0 --task word-problems
    python benchmarks/self_training.py --table            # print only

Run cells one at a time on an otherwise idle machine: a cell uses every core (``--threads``, default
all of them; ``EVOFORGE_TORCH_THREADS``), and its minutes are part of the result (target: each run
within 10 minutes on 2 cores).

Round 0 is the shared supervised warm start (48 gold examples + 16 with hints, 4 epochs; the same
checkpoint for every cell, trained once and cached); gain = last round - round 0 held-out accuracy
(greedy, ``heldout`` problems never trained on). ``control`` is the same schedule on the warm-start rows
alone (``sft-gold`` with ``problems=0``): every round re-trains on them (``mix_seed``), so a gain over
round 0 may be more supervised training rather than self-improvement; "vs control" is a method's gain
minus the control's mean gain. Targets, 3 seeds per cell: STaR >= +15 points; ScPO >= 80 % of STaR's
gain without labels.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
import _harness as h  # result rows and tables
from weights_calibration import check_level, parse_level

RESULTS = Path(__file__).parent / "results" / "self_training.jsonl"
# About 190 generated samples per round for every sampling method: STaR samples each of 128 problems
# once and rationalizes the failures (~60 more); ReST-EM 64 problems x 3; ScPO 48 problems x 4 (votes
# need several samples; a pair needs 3 of the 4 votes). SFT-gold trains on the gold solutions of STaR's
# 128 problems and generates none. (Tried: ScPO with 2 epochs at lr 5e-4 in batches of 4 and 2 votes
# fell from 0.535 to 0.44 in two rounds; recorded under its own configuration.)
METHODS = {
    "star": {"problems": 128, "samples": 1},
    "rest-em": {"problems": 64, "samples": 3},
    "scpo": {"problems": 48, "samples": 4, "min_votes": 3},
    "sft-gold": {"problems": 128, "samples": 1},
    "control": {"problems": 0, "samples": 1},
    # on-line RL (weights/rl.py): 32 problems x a group of 4 sampled during the update (GRPO with the
    # verifier's reward); TTRL votes 8 samples on 16 held-out problems, then GRPO on the majority labels
    "grpo": {"problems": 32, "samples": 1, "group": 4},
    "ttrl": {"problems": 16, "samples": 8, "group": 4},
    # process recipes: S2R and self-rewarding correction spend round 1 on SFT of constructed self-verify
    # traces (48 attempts, plus 48 sampled checks for the latter), then RL on 12 problems x about 2.7
    # turns x a group of 4 (~130 completions, as GRPO); process-self-rewarding searches 16 problems step
    # by step (3 candidate steps of <= 16 tokens, each pair judged in both orders, ~170 steps + ~340
    # 3-token verdicts + 48 full samples); ENVISIONS samples 24 x 4 and refines each negative once (~160)
    "s2r": {"problems": 12, "samples": 4, "group": 4},
    # SCoRe: 16 problems, each as a first turn and as a revision of its sampled first answer (32 prompts x
    # a group of 4 = 128 completions during the update, as GRPO; plus 16 first answers and 16 greedy revisions)
    # (cells recorded before stage I existed have no stage1_rounds: every round of theirs was stage II)
    "score": {"problems": 16, "samples": 1, "group": 4, "stage1_rounds": 1},
    "self-rewarding-correction": {"problems": 12, "samples": 4, "check_samples": 2, "group": 4},
    "process-self-rewarding": {"problems": 16, "samples": 3, "max_steps": 4},
    "envisions": {"problems": 24, "samples": 4, "pairs": 2},
    # step-level MCTS (weights/step_search.py): 16 trees x 3 simulations x 4 continuations = 192 rollouts;
    # the step scorer (PPM / PRM) trains one epoch on the best-vs-worst sibling steps of each node. MedS3
    # also samples 16 held-out problems greedily and 4 times (80 more) for its greedy-vs-PRM-selected monitor
    "rstar-math": {"problems": 16, "samples": 1, "simulations": 3, "expand": 4, "per_node": 1, "rm_epochs": 1.0},
    "meds3": {
        "problems": 16,
        "samples": 1,
        "simulations": 3,
        "expand": 4,
        "per_node": 1,
        "rm_epochs": 1.0,
        "select_problems": 16,
        "best_of": 4,
    },
    # learned reward models (weights/reward_model.py, LoRA + head on the warm start, 2 epochs per fit):
    # self-motivated ranks 16 x 4 own rationales for its reward model, then GRPO on 16 prompts x 4 with
    # the learned reward (128 samples a round); rm-guided checks 24 x 4 samples to train its reward model
    # and lets it pick among 24 x 4 more (192); self-evolved-reward and upo label 40 x 4 samples with a
    # reward model first fitted on 12 x 4 gold-checked ones (160 a round + 48 once), upo scoring each
    # pair 8 times under dropout
    "self-motivated": {"problems": 16, "samples": 4, "group": 4},
    "rm-guided": {"problems": 24, "rm_problems": 24, "samples": 4},
    "self-evolved-reward": {"problems": 40, "samples": 4, "gold_problems": 12},
    "upo": {"problems": 40, "samples": 4, "gold_problems": 12, "mc": 8},
}
# The control arm: the same rounds, schedule and warm-start rows (mixed into every round, mix_seed) with
# no new data at all, self-generated or gold; a recipe's gain over it is what the new data added.
RECIPE = {"control": "sft-gold"}


def run_cell(
    method: str,
    seed: int,
    rounds: int,
    heldout: int,
    warm_epochs: float,
    threads: int,
    task: str = "addition",
    level: dict | None = None,
    overrides: dict | None = None,
) -> dict:
    """One (method, seed) cell; ``level``: the task's difficulty options (``weights_calibration.py``),
    ``overrides``: recipe parameters over :data:`METHODS` (e.g. a larger round: ``problems=512``)."""
    os.environ["EVOFORGE_TORCH_THREADS"] = str(threads)
    from evoforge.genomes.weights import rounds as read_rounds
    from evoforge.genomes.weights.models import weights_root
    from evoforge.run import api

    params = {"warm_epochs": warm_epochs, "epochs": 1.0, **METHODS[method], **(overrides or {})}
    folder = Path(tempfile.mkdtemp(prefix="evoforge-bench-"))
    out = folder / f"{method}-{seed}.db"
    shared = weights_root()
    _fresh_weights_dir(shared, folder / "weights")
    start = time.time()
    load0 = os.getloadavg()[0]
    try:
        res = api.evolve(
            task,
            RECIPE.get(method, method),
            budget=rounds + 1,
            seed=seed,
            out=out,
            executor="inprocess",
            recipe_params=params,
            task_options={**(level or {}), "heldout": heldout},
        )
    finally:
        _keep_warm_starts(folder / "weights", shared)
    table = read_rounds(res.path)
    accs = [r["score"] for r in table]
    return {
        "method": method,
        "task": task,
        "level": level or {},
        "seed": seed,
        "rounds": rounds,
        "params": params,
        "generated": sum(r.get("generated") or 0 for r in table),
        "heldout": heldout,
        "acc": accs,
        "gain": (accs[-1] - accs[0]) if accs and None not in accs else None,
        "best_gain": (max(accs[1:]) - accs[0]) if len(accs) > 1 and None not in accs else None,
        # every number a round recorded: the shared monitors and each recipe's own (verify_acc, rm_acc, ...)
        "per_round": [
            {k: v for k, v in r.items() if isinstance(v, int | float) and not isinstance(v, bool)} for r in table
        ],
        "seconds": round(time.time() - start, 1),
        "peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),  # this process: one cell
        "loadavg_start": round(load0, 2),
        "loadavg_end": round(os.getloadavg()[0], 2),
        "cpus": os.cpu_count(),
        "threads": threads,
        "fresh_cache": True,
        "run_file": str(res.path),
    }


def _fresh_weights_dir(shared: Path, fresh: Path) -> None:
    """Point the cell at an empty weights folder, so that nothing an earlier run of the same cell
    generated, trained or scored is reused (its minutes would mean nothing); only the shared warm start
    (round 0, the same checkpoint for every cell) is linked in. Its held-out score is recomputed."""
    fresh.mkdir(parents=True, exist_ok=True)
    for warm in shared.glob("warm-*"):
        (fresh / warm.name).symlink_to(warm.resolve(), target_is_directory=True)
    os.environ["EVOFORGE_WEIGHTS_DIR"] = str(fresh)


def _keep_warm_starts(fresh: Path, shared: Path) -> None:
    """Move a warm start trained by this cell to the shared folder, for the next cells."""
    shared.mkdir(parents=True, exist_ok=True)
    for warm in fresh.glob("warm-*"):
        if not warm.is_symlink() and not (shared / warm.name).exists():
            os.replace(warm, shared / warm.name)


def _task(row: dict) -> str:
    """The task and its level (``word-problems steps=3``); rows from before --task were all on addition."""
    level = ",".join(f"{k}={v}" for k, v in sorted((row.get("level") or {}).items()))
    return str(row.get("task") or "addition") + (f" {level}" if level else "")


def _arm(row: dict) -> tuple:
    """What a method is compared with the control on: the task and level, the rounds and the held-out set."""
    return _task(row), row.get("rounds"), row.get("heldout")


def _config(row: dict) -> str:
    p = row.get("params") or {"problems": row.get("problems"), "samples": row.get("samples")}
    extra = "".join(
        f" {k}={v:g}"
        for k, v in sorted(p.items())
        if k not in ("problems", "samples", "warm_epochs") and not (k == "epochs" and v == 1.0)
    )
    threads = f", {_count(row.get('threads') or 1, 'thread')}"
    rounds = f"{_count(row['rounds'], 'round')}, " if row.get("rounds", 3) != 3 else ""
    return f"{p.get('problems')}x{p.get('samples')}{extra}, {rounds}{row.get('heldout')} held out{threads}"


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'s' * (n != 1)}"


def _method_params(row: dict) -> dict:
    """A cell's recipe settings without the schedule shared by every method (warm start, epochs)."""
    return {k: v for k, v in (row.get("params") or {}).items() if k not in ("warm_epochs", "epochs")}


def table(path: Path = RESULTS) -> h.Table:
    """Mean per (task, method, configuration); gains are last round minus round 0 held-out accuracy;
    "vs control" subtracts the mean gain of the control with the same task, rounds and held-out set."""
    t = h.Table(
        [
            ("task", "left"),
            ("method", "left"),
            ("configuration", "left"),
            ("seeds", "right"),
            ("round0", "right"),
            ("final", "right"),
            ("gain", "right"),
            ("gain sd", "right"),
            ("vs control", "right"),
            ("best gain", "right"),
            ("gen/round", "right"),
            ("minutes", "right"),
            ("peak MB", "right"),
        ]
    )
    gains: dict[str, list[float]] = {}
    rows = h.read_rows(path)
    control_gain: dict[tuple, float] = {}  # (task, rounds, held-out items) -> the control's mean gain
    for key, rs in h.group([r for r in rows if r["method"] == "control"], _arm).items():
        g = [r["gain"] for r in rs if r["gain"] is not None]
        if g:
            control_gain[key] = statistics.mean(g)
    by = h.group(rows, lambda r: (_task(r), r["method"], _config(r)))
    order = list(METHODS)
    by_arm: dict[tuple, dict[str, list[float]]] = {}  # tasks other than addition: (task, rounds, held out)
    for (task, m, cfg), rs in sorted(
        by.items(),
        key=lambda kv: (
            kv[0][0] != "addition",
            kv[0][0],
            order.index(kv[0][1]) if kv[0][1] in order else len(order),
            kv[0][2],
        ),
    ):
        g = [r["gain"] for r in rs if r["gain"] is not None]
        params, arm = rs[0].get("params") or {}, _arm(rs[0])
        same_method = _method_params(rs[0]) == METHODS.get(m)
        current = same_method and params.get("warm_epochs") == 4.0 and params.get("epochs") == 1.0
        if task == "addition" and current and rs[0]["heldout"] == 200 and rs[0].get("rounds") == 3:
            gains.setdefault(m, []).extend(g)  # the ratio line: current configuration, any thread count
        if task != "addition" and same_method:  # any warm start, rounds and held-out set
            by_arm.setdefault(arm, {}).setdefault(m, []).extend(g)
        gain = h.summarise(g)
        gen = [r.get("generated", r.get("generated_per_round", 0) * r["rounds"]) / r["rounds"] for r in rs]
        cg = control_gain.get(arm)
        t.add(
            task,
            m,
            cfg,
            len(rs),
            f"{statistics.mean(r['acc'][0] for r in rs):.3f}",
            f"{statistics.mean(r['acc'][-1] for r in rs):.3f}",
            f"{gain.mean if gain else float('nan'):+.3f}",
            f"{gain.sd if gain and gain.sd is not None else 0.0:.3f}",
            f"{gain.mean - cg:+.3f}" if gain and cg is not None and m != "control" else "-",
            f"{statistics.mean(r['best_gain'] for r in rs):+.3f}",
            f"{statistics.mean(gen):.0f}",
            f"{statistics.mean(r['seconds'] for r in rs) / 60:.1f}",
            f"{max(r['peak_mb'] for r in rs)}" if all(r.get("peak_mb") for r in rs) else "-",
        )
    star, scpo = (statistics.mean(gains[m]) if gains.get(m) else None for m in ("star", "scpo"))
    if star and star > 0 and scpo is not None:
        t.notes.append(
            f"current configuration: STaR gain {100 * star:+.1f} points over {len(gains['star'])} runs "
            f"(target >= +15); ScPO / STaR gain {scpo / star:.0%} over {len(gains['scpo'])} runs "
            "(target >= 80%)"
        )
    for arm, g in by_arm.items():  # other tasks: ScPO's gain over the control as a share of STaR's
        cg = control_gain.get(arm)
        if g.get("star") and g.get("scpo") and cg is not None:
            over = {m: statistics.mean(g[m]) - cg for m in ("star", "scpo")}
            share = f"{over['scpo'] / over['star']:.0%}" if over["star"] > 0 else "n/a (STaR not over the control)"
            task, rounds, heldout = arm
            t.notes.append(
                f"{task} ({_count(rounds, 'round')}, {heldout} held out): over the control, STaR "
                f"{100 * over['star']:+.1f} points ({_count(len(g['star']), 'run')}), ScPO "
                f"{100 * over['scpo']:+.1f} ({_count(len(g['scpo']), 'run')}): ScPO / STaR {share}"
            )
    return t


def plot_rounds(path: Path, task: str, level: dict, rounds: int, heldout: int, out: Path) -> None:
    """Held-out accuracy per round of every method recorded at (task, level, rounds, held-out set):
    the mean over seeds as a line, each seed as a dot; the control dashed."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    arm = _arm({"task": task, "level": level, "rounds": rounds, "heldout": heldout})
    rows = [r for r in h.read_rows(path) if _arm(r) == arm]
    if not rows:
        raise SystemExit(f"no recorded cells at {arm[0]}, {rounds} rounds, {heldout} held out")
    fig, ax = plt.subplots(figsize=(6, 4))
    for (method, _), rs in h.group(rows, lambda r: (r["method"], repr(sorted(_method_params(r).items())))).items():
        accs = [r["acc"] for r in rs if None not in r["acc"]]
        if not accs:
            continue
        xs = range(len(accs[0]))
        means = [statistics.mean(a[i] for a in accs) for i in xs]
        label = f"{method} {_config(rs[0]).split(',')[0]} ({_count(len(accs), 'seed')})"
        line = ax.plot(xs, means, marker="o", linestyle="--" if method == "control" else "-", label=label)[0]
        for a in accs:
            ax.scatter(xs, a, s=8, color=line.get_color(), alpha=0.4)
    ax.set_xticks(range(rounds + 1))
    ax.set_xlabel("round (0 = warm start)")
    ax.set_ylabel(f"held-out accuracy ({heldout} items, greedy)")
    ax.set_title(f"{arm[0]}: self-training vs control")
    ax.legend(fontsize=7)
    fig.tight_layout()
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=120)
    plt.close(fig)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--method", choices=list(METHODS))
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--task", default="addition", help="a weights task: addition, word-problems, program-output")
    ap.add_argument(
        "--level", default="", help="task difficulty, KEY=VALUE[,KEY=VALUE] (steps=3): see weights_calibration.py"
    )
    ap.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="a recipe parameter over the method's defaults (repeatable), e.g. --set problems=512",
    )
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--warm-epochs", type=float, default=4.0)
    ap.add_argument("--heldout", type=int, default=200)
    ap.add_argument("--table", action="store_true", help="print the recorded table and exit")
    ap.add_argument(
        "--plot",
        type=Path,
        help="write held-out accuracy per round (mean over seeds, the control beside) for --task/--level to this PNG",
    )
    ap.add_argument(
        "--threads",
        type=int,
        default=os.cpu_count() or 1,
        help="torch threads for the cell (default: all cores; run cells one at a time)",
    )
    ap.add_argument("--results", type=Path, default=RESULTS, help="the JSONL file cells are appended to")
    args = ap.parse_args(argv)
    try:
        level = parse_level(args.level)
        overrides: dict = {}
        for text in args.overrides:
            overrides.update(parse_level(text))
        if args.method and not args.table:
            check_level(args.task, level)
    except ValueError as exc:
        ap.error(str(exc))
    if args.plot:
        plot_rounds(args.results, args.task, level, args.rounds, args.heldout, args.plot)
        print(f"wrote {args.plot}", file=sys.stderr)
    if args.method and not args.table:
        cell = run_cell(
            args.method,
            args.seed,
            args.rounds,
            args.heldout,
            args.warm_epochs,
            args.threads,
            args.task,
            level=level,
            overrides=overrides,
        )
        cell = h.append_row(args.results, cell)
        print(
            f"{args.task} {args.method} seed {args.seed}: held-out {cell['acc']} in {cell['seconds']:.0f}s",
            file=sys.stderr,
        )
    print(table(args.results))


if __name__ == "__main__":
    main()
