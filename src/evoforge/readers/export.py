"""``evoforge export``: a run's lineage as training data, one JSON object per line.

- ``jsonl``: every recorded candidate with its parents (ids, scores), operator, status and genome text;
- ``sft``: ``{"prompt", "completion"}`` for each child that beat its parents: the prompt is what the child
  was made from (the task, the operator and the parents' genomes with their scores), the completion
  the child's genome (TRL's prompt-completion format);
- ``dpo``: ``{"prompt", "chosen", "rejected"}``: children of the same parent, a better one against a
  worse one (a failed child counts as worse than any evaluated one); the prompt is the parent's, without
  the operator, so both answers share it (TRL's preference format).

Genomes are text (programs and solutions as they are, other genomes as JSON). Only the run file is
read; no task code runs.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from evoforge.core.candidate import REJECTED, Candidate
from evoforge.core.errors import StoreError
from evoforge.store.run_file import RunStore

FORMATS = ("sft", "dpo", "jsonl")


def genome_text(genome: Any) -> str:
    return genome if isinstance(genome, str) else json.dumps(genome, sort_keys=True, default=str)


def _score(c: Candidate) -> str:
    return f"score {c.score:.6g}" if c.ok and c.score is not None else f"failed: {(c.reason or '')[:200]}"


def prompt_of(task: str, parents: list[Candidate], operator: str | None) -> str:
    """The text a child was made from: the task, the operator (when given) and the parents."""
    lines = [f"Task: {task}"]
    if operator:
        lines.append(f"Operator: {operator}")
    for i, parent in enumerate(parents, 1):
        name = "Parent" if len(parents) == 1 else f"Parent {i}"
        lines += [f"{name} ({_score(parent)}):", genome_text(parent.genome)]
    lines.append("Write an improved child.")
    return "\n".join(lines)


def _evaluated(store: RunStore) -> Iterator[tuple[Candidate, list[Candidate]]]:
    """Each evaluated candidate with the recorded parents it was made from (ids ascending)."""
    known: dict[int, Candidate] = {}
    for cand in store.candidates(exclude=REJECTED):
        known[cand.id] = cand
        yield cand, [known[p] for p in cand.parents if p in known]


def jsonl_rows(store: RunStore) -> Iterator[dict[str, Any]]:
    for cand, parents in _evaluated(store):
        yield {
            "id": cand.id,
            "generation": cand.generation,
            "operator": cand.operator,
            "status": cand.status,
            "score": cand.score,
            "reason": cand.reason,
            "parents": [int(p) for p in cand.parents],
            "parent_scores": [p.score for p in parents],
            "genome": genome_text(cand.genome),
        }


def sft_rows(store: RunStore, task: str) -> Iterator[dict[str, str]]:
    for cand, parents in _evaluated(store):
        if parents and cand.ok and cand.fitness() > max(p.fitness() for p in parents):
            yield {"prompt": prompt_of(task, parents, cand.operator), "completion": genome_text(cand.genome)}


def dpo_rows(store: RunStore, task: str) -> Iterator[dict[str, str]]:
    """Per parent, its children ranked; the i-th best against the i-th worst while the first is strictly
    better and their genomes differ (each child in at most one pair)."""
    families: dict[int, tuple[Candidate, list[Candidate]]] = {}
    for cand, parents in _evaluated(store):
        if parents:
            families.setdefault(parents[0].id, (parents[0], []))[1].append(cand)
    for parent, children in families.values():
        ranked = sorted(children, key=Candidate.rank_key)
        for better, worse in zip(ranked[: len(ranked) // 2], reversed(ranked[len(ranked) // 2 :])):
            chosen, rejected = genome_text(better.genome), genome_text(worse.genome)
            if better.ok and better.fitness() > worse.fitness() and chosen != rejected:
                yield {"prompt": prompt_of(task, [parent], None), "chosen": chosen, "rejected": rejected}


def export_run(store: RunStore, fmt: str, out: str | Path) -> int:
    """Write the run's lineage as ``fmt`` to ``out`` (JSON lines); return the number of rows."""
    task = str(store.config.get("task", "?"))
    rows = {
        "jsonl": lambda: jsonl_rows(store),
        "sft": lambda: sft_rows(store, task),
        "dpo": lambda: dpo_rows(store, task),
    }
    path = Path(out)
    count = 0
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("w", encoding="utf-8") as fh:
            for row in rows[fmt]():
                fh.write(json.dumps(row, ensure_ascii=False, default=str) + "\n")
                count += 1
    except OSError as err:
        raise StoreError(f"cannot write {path}: {err.strerror or err}") from None
    return count
