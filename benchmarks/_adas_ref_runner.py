"""Runs ADAS's reference Meta Agent Search (``_mgsm/search.py`` of ShengranHu/ADAS) from outside, in the
reference's own virtual environment (this file imports nothing from evoforge). Started by
``adas_reference.py``; not meant to be run by hand.

    python _adas_ref_runner.py search  --adas-dir DIR --events FILE --valid N [--workers W] [--debug-max D]
    python _adas_ref_runner.py heldout --adas-dir DIR --events FILE --test N  [--workers W]

The reference's code is imported as it is and called through its own functions (``search`` and
``evaluate_forward_fn``) with an ``args`` namespace holding its own command-line options. Nothing in
it is changed; four of its functions are wrapped, from here, only to record what happened (one JSON
line per event in ``--events``), and each wrapper calls the original and returns or raises what it did:

* ``get_json_response_from_gpt_reflect`` (the meta agent's calls): whether the reply was usable JSON;
* ``get_json_response_from_gpt`` (the calls of the agents it writes): whether the reply was JSON;
* ``evaluate_forward_fn`` (one agent scored on the items): whether its code ran, and its accuracy;
* ``score_mgsm`` (the reference's own scorer): each (target, answer) pair, so the held-out answers can
  also be scored with evoforge's scorer.

The data file it reads (``dataset/mgsm/mgsm_<lang>.tsv`` under the working directory) is written by the
caller: the search items during ``search``, the held-out items during ``heldout``.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import threading
import time
from pathlib import Path

_LOCK = threading.Lock()
_EVENTS: Path | None = None


def record(kind: str, **fields: object) -> None:
    line = json.dumps({"kind": kind, "t": round(time.time(), 3), **fields}, default=str)
    with _LOCK, _EVENTS.open("a") as fh:  # type: ignore[union-attr]
        fh.write(line + "\n")


def why(err: BaseException) -> str:
    return f"{type(err).__name__}: {err}".replace("\n", " ")[:160]


def instrument(ref, initial_codes: set[str]) -> None:
    """Wrap the reference's functions with recorders (behaviour unchanged)."""
    meta, agent, evaluate, score = (
        ref.get_json_response_from_gpt_reflect, ref.get_json_response_from_gpt, ref.evaluate_forward_fn, ref.score_mgsm,
    )  # fmt: skip

    def meta_call(msg_list, model, temperature=0.8):
        try:
            out = meta(msg_list, model, temperature)
        except BaseException as err:
            record("meta", ok=False, error=why(err))
            raise
        record("meta", ok=True, has_code=isinstance(out, dict) and isinstance(out.get("code"), str))
        return out

    def agent_call(msg, model, system_message, temperature=0.5):
        try:
            out = agent(msg, model, system_message, temperature)
        except BaseException as err:
            record("agent_call", ok=False, error=why(err), searching=ref.SEARCHING_MODE)
            raise
        record("agent_call", ok=True, searching=ref.SEARCHING_MODE)
        return out

    def evaluate_fn(args, forward_str):
        origin = "initial" if forward_str in initial_codes else "generated"
        try:
            acc = evaluate(args, forward_str)
        except BaseException as err:
            record("evaluate", origin=origin, ok=False, error=why(err), searching=ref.SEARCHING_MODE)
            raise
        mean = sum(acc) / len(acc) if acc else 0.0
        record("evaluate", origin=origin, ok=True, accuracy=mean, searching=ref.SEARCHING_MODE)
        return acc

    def score_fn(target, prediction):
        if not ref.SEARCHING_MODE:
            record("answer", target=target, prediction=prediction)
        return score(target, prediction)

    ref.get_json_response_from_gpt_reflect = meta_call
    ref.get_json_response_from_gpt = agent_call
    ref.evaluate_forward_fn = evaluate_fn
    ref.score_mgsm = score_fn


def reference_args(opts: argparse.Namespace, save_dir: Path) -> argparse.Namespace:
    """The reference's own options (the defaults of its ``search.py`` argparse), with the sizes set."""
    return argparse.Namespace(
        valid_size=opts.valid, test_size=opts.test, shuffle_seed=0, n_repreat=1, multiprocessing=True,
        max_workers=opts.workers, debug=True, save_dir=str(save_dir), expr_name="evoforge",
        n_generation=opts.generations, debug_max=opts.debug_max, model="gpt-3.5-turbo-0125",
    )  # fmt: skip


def median_of(fitness: object) -> float:
    """The median in the reference's fitness string ('... Median: 43.3%'), as a fraction."""
    found = re.search(r"Median:\s*(-?[\d.]+)%", str(fitness))
    return float(found.group(1)) / 100 if found else -1.0


def main() -> int:
    global _EVENTS
    ap = argparse.ArgumentParser()
    ap.add_argument("mode", choices=("search", "heldout"))
    ap.add_argument("--adas-dir", type=Path, required=True)
    ap.add_argument("--events", type=Path, required=True)
    ap.add_argument("--valid", type=int, default=0)
    ap.add_argument("--test", type=int, default=0)
    ap.add_argument("--workers", type=int, default=4)
    ap.add_argument("--generations", type=int, default=10_000)
    ap.add_argument("--debug-max", type=int, default=3)
    opts = ap.parse_args()
    _EVENTS = opts.events
    sys.path.insert(0, str(opts.adas_dir / "_mgsm"))
    import mgsm_prompt  # the reference's modules, found through sys.path
    import search as ref

    instrument(ref, {entry["code"] for entry in mgsm_prompt.get_init_archive()})
    save_dir = Path("results")
    args = reference_args(opts, save_dir)
    if opts.mode == "search":
        ref.SEARCHING_MODE = True
        ref.search(args)
        return 0
    try:
        archive = json.loads((save_dir / "evoforge_run_archive.json").read_text())
    except (OSError, ValueError) as err:  # nothing saved yet, or cut mid-write when the search was stopped
        record("best", name=None, error=f"no readable archive: {why(err)}")
        return 0
    scored = [e for e in archive if "fitness" in e]
    if not scored:
        record("best", name=None, error="no agent in the archive was scored")
        return 0
    best = max(scored, key=lambda e: median_of(e["fitness"]))  # first of the best, in archive order
    record("best", name=best.get("name"), fitness=median_of(best["fitness"]), generation=best.get("generation"))
    ref.SEARCHING_MODE = False
    import random  # the reference shuffles its examples with random.seed(shuffle_seed); the same order here

    examples = ref.get_all_examples()
    random.seed(args.shuffle_seed)
    random.shuffle(examples)
    record("heldout_order", inputs=[e["inputs"] for e in examples[: args.test_size]])
    try:
        acc = ref.evaluate_forward_fn(args, best["code"])
    except Exception as err:  # its code ran during the search; a failure now is recorded, not raised
        record("heldout", ok=False, error=why(err))
        return 0
    record("heldout", ok=True, accuracy=sum(acc) / len(acc) if acc else 0.0)
    return 0


if __name__ == "__main__":
    sys.exit(main())
