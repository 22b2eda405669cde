"""Engine overhead and process-pool throughput, measured in one run.

1. Per-candidate overhead of the engine with the SQLite run store, for an evaluator that costs nothing
   (``random-search`` on a 10-D vector, in-process executor), at several batch sizes.
2. Process-pool throughput with a 50 ms CPU-bound evaluator on 1 vs 2 workers.

Targets: <= 1 ms per candidate at batches of 32 or more; 2 workers >= 1.8x one worker.
Usage: python benchmarks/overhead.py [--repeats 3]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from evoforge import Task, evolve


def zero_cost(genome):
    return {"score": 0.0}


def busy_50ms(genome):
    end = time.process_time() + 0.05  # CPU time, so a busy machine cannot make it look parallel
    x = 0
    while time.process_time() < end:
        x += 1
    return {"score": float(x % 7)}


def make_task(fn) -> Task:
    return Task(ref="benchmark", seed=[0.0] * 10, evaluate=fn)


def overhead_per_candidate(batch: int, n: int, executor: str, tmp: Path) -> float:
    out = tmp / f"overhead-{batch}-{executor}-{time.monotonic_ns()}.db"
    start = time.perf_counter()
    evolve(make_task(zero_cost), "random-search", budget=n, executor=executor, out=out, batch_size=batch)
    return (time.perf_counter() - start) / n * 1000.0


def pool_throughput(workers: int, n: int, tmp: Path) -> float:
    out = tmp / f"pool-{workers}-{time.monotonic_ns()}.db"
    start = time.perf_counter()
    evolve(make_task(busy_50ms), "random-search", budget=n, executor="pool", workers=workers, out=out, batch_size=32)
    return n / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--candidates", type=int, default=20_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmpdir:
        tmp = Path(tmpdir)
        print(
            f"engine overhead, 0-cost evaluator, with the SQLite store ({args.candidates} candidates, "
            f"median of {args.repeats})"
        )
        print(f"{'executor':<10} {'batch':>6} {'ms/candidate':>13}")
        for executor in ("inprocess", "pool"):
            for batch in (8, 32, 128, 512):
                n = args.candidates if executor == "inprocess" else args.candidates // 4
                ms = statistics.median(overhead_per_candidate(batch, n, executor, tmp) for _ in range(args.repeats))
                print(f"{executor:<10} {batch:>6} {ms:>13.4f}")
        print("\nprocess pool, 50 ms CPU-bound evaluator (160 evaluations)")
        rates = {w: statistics.median(pool_throughput(w, 160, tmp) for _ in range(args.repeats)) for w in (1, 2)}
        for w, rate in rates.items():
            print(f"workers={w}: {rate:6.2f} evaluations/s")
        print(f"speed-up 2 vs 1 workers: {rates[2] / rates[1]:.2f}x (ideal 2.0; target >= 1.8)")


if __name__ == "__main__":
    main()
