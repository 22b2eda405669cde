"""Per-call cost of run_program with bwrap vs the fallback guard: median of N calls of a trivial program,
the two modes interleaved so machine load affects both alike. Usage: python benchmarks/sandbox_overhead.py [N]"""

from __future__ import annotations

import os
import statistics
import sys
import time
import warnings

from evoforge.isolation import bwrap
from evoforge.isolation.program_sandbox import run_program

HARNESS = "def run(program, inputs):\n    return program.f(inputs)\n"


def one(mode: str) -> float:
    os.environ.pop("EVOFORGE_NO_BWRAP", None)
    if mode == "guard":
        os.environ["EVOFORGE_NO_BWRAP"] = "1"
    bwrap.probe.cache_clear()
    bwrap.probe()  # the probe runs once per process; not part of a call
    start = time.perf_counter()
    r = run_program("def f(x):\n    return x + 1\n", HARNESS, inputs=1)
    assert r.ok and r.value == 2, r
    return time.perf_counter() - start


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    warnings.simplefilter("ignore", RuntimeWarning)
    times: dict[str, list[float]] = {"bwrap": [], "guard": []}
    for _ in range(n):
        for mode in times:
            times[mode].append(one(mode))
    med = {m: statistics.median(t) for m, t in times.items()}
    for mode, value in med.items():
        print(f"{mode:6s} median {value * 1000:7.1f} ms  (min {min(times[mode]) * 1000:.1f} ms, n={n})")
    print(f"bwrap overhead per call: {(med['bwrap'] - med['guard']) * 1000:+.1f} ms")


if __name__ == "__main__":
    main()
