"""``evoforge export``: a run's lineage as training data, one JSON object per line.

On a run whose children a model made (the run file keeps each one's request and answer: store/calls.py),
rows hold the exact chat messages the model received and the answer it gave, in TRL's conversational
formats; only model-made children are exported there (a tuned child's text was no model's answer):

- ``sft``: ``{"prompt": [messages], "completion": [{"role": "assistant", "content": answer}]}`` for each
  child that beat its parents;
- ``messages``: the same children as ``{"messages": [messages..., assistant answer]}``;
- ``dpo``: ``{"prompt": [messages], "chosen": [assistant], "rejected": [assistant]}``: answers that made
  children of the same parent by the same operator, a better child against a worse one (a failed child
  is worse than any evaluated one); the prompt is the chosen answer's request (the rejected one's may
  differ in what was drawn for it: an idea, an inspiration).

On a run without model calls (numeric recipes, run files from before the calls were kept) ``sft`` and
``dpo`` rows are text made up from the lineage: ``{"prompt", "completion"}`` and ``{"prompt", "chosen",
"rejected"}``, the prompt naming the task, the operator and the parents with their scores, the
completion the child's genome; ``messages`` has no rows there.

- ``jsonl``: every evaluated candidate with its parents (ids, scores), operator, status, score, metrics,
  feedback, genome text and, where recorded, ``model_called`` with the messages and answer.

:class:`Filters` narrow any format: by operator, by status, by gain (the child's score minus its best
parent's; with ``min_gain`` it replaces "beat its parents" in ``sft`` and ``messages``). Genomes are text
(programs and solutions as they are, other genomes as JSON). Only the run file is read; no task code runs.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from evoforge.core.candidate import REJECTED, Candidate
from evoforge.core.errors import StoreError
from evoforge.core.model_call import ModelCall
from evoforge.store.run_file import RunStore

FORMATS = ("sft", "messages", "dpo", "jsonl")
Row = dict[str, Any]
Family = tuple[Candidate, list[Candidate]]  # a candidate and its recorded parents


@dataclass(frozen=True)
class Filters:
    """Which candidates an export keeps: of ``operator``, of ``status``, with a gain of ``min_gain`` or more."""

    operator: str | None = None
    status: str | None = None
    min_gain: float | None = None

    def keep(self, cand: Candidate, parents: list[Candidate]) -> bool:
        if self.operator is not None and cand.operator != self.operator:
            return False
        if self.status is not None and cand.status != self.status:
            return False
        if self.min_gain is not None:
            got = gain(cand, parents)
            return got is not None and got >= self.min_gain
        return True

    def improves(self, cand: Candidate, parents: list[Candidate]) -> bool:
        """A child for SFT: kept, and better than its parents (a working child of failed parents, a
        repair, is), or by ``min_gain`` when set."""
        if not self.keep(cand, parents) or not parents or not cand.ok:
            return False
        got = gain(cand, parents)
        if self.min_gain is not None:
            return got is not None
        return got > 0 if got is not None else True


def gain(cand: Candidate, parents: list[Candidate]) -> float | None:
    """The child's score minus its best parent's; None for a candidate without a score, without
    recorded parents or whose parents all failed."""
    scores = [p.score for p in parents if p.ok and p.score is not None]
    if not scores or not cand.ok or cand.score is None:
        return None
    return cand.score - max(scores)


def genome_text(genome: Any) -> str:
    return genome if isinstance(genome, str) else json.dumps(genome, sort_keys=True, default=str)


def _score(c: Candidate) -> str:
    return f"score {c.score:.6g}" if c.ok and c.score is not None else f"failed: {(c.reason or '')[:200]}"


def prompt_of(task: str, parents: list[Candidate], operator: str | None) -> str:
    """The text a child of a run without model calls is said to be made from: the task, the operator
    (when given) and the parents."""
    lines = [f"Task: {task}"]
    if operator:
        lines.append(f"Operator: {operator}")
    for i, parent in enumerate(parents, 1):
        name = "Parent" if len(parents) == 1 else f"Parent {i}"
        lines += [f"{name} ({_score(parent)}):", genome_text(parent.genome)]
    lines.append("Write an improved child.")
    return "\n".join(lines)


def _families(store: RunStore, rejected: bool = False) -> Iterator[Family]:
    """Each evaluated (with ``rejected``: each) candidate with the recorded parents it was made from."""
    known: dict[int, Candidate] = {}
    for cand in store.candidates(exclude=None if rejected else REJECTED):
        known[cand.id] = cand
        yield cand, [known[p] for p in cand.parents if p in known]


def _assistant(answer: str) -> list[dict[str, str]]:
    return [{"role": "assistant", "content": answer}]


def jsonl_rows(store: RunStore, calls: dict[int, ModelCall], keep: Filters) -> Iterator[Row]:
    for cand, parents in _families(store, rejected=keep.status == REJECTED):
        if not keep.keep(cand, parents):
            continue
        row: Row = {
            "id": cand.id,
            "generation": cand.generation,
            "operator": cand.operator,
            "status": cand.status,
            "score": cand.score,
            "reason": cand.reason,
            "parents": [int(p) for p in cand.parents],
            "parent_scores": [p.score for p in parents],
            "gain": gain(cand, parents),
            "metrics": cand.metrics,
            "feedback": cand.feedback,
            "genome": genome_text(cand.genome),
        }
        call = calls.get(cand.id)
        row["model_called"] = None if call is None else call.called
        if call is not None and call.called:
            row["messages"], row["answer"] = [dict(m) for m in call.messages], call.answer
        yield row


def sft_rows(store: RunStore, task: str, calls: dict[int, ModelCall], keep: Filters) -> Iterator[Row]:
    model_run = any(c.called for c in calls.values())
    for cand, parents in _families(store):
        if not keep.improves(cand, parents):
            continue
        call = calls.get(cand.id)
        if call is not None and call.called:
            yield {"prompt": [dict(m) for m in call.messages], "completion": _assistant(call.answer)}
        elif not model_run:
            yield {"prompt": prompt_of(task, parents, cand.operator), "completion": genome_text(cand.genome)}


def messages_rows(store: RunStore, calls: dict[int, ModelCall], keep: Filters) -> Iterator[Row]:
    for cand, parents in _families(store):
        call = calls.get(cand.id)
        if call is not None and call.called and keep.improves(cand, parents):
            yield {"messages": [dict(m) for m in call.messages] + _assistant(call.answer)}


def dpo_rows(store: RunStore, task: str, calls: dict[int, ModelCall], keep: Filters) -> Iterator[Row]:
    """Per family (a parent, and on a model run the operator too), its children ranked; the i-th best
    against the i-th worst while the first is strictly better and their texts differ (each child in at
    most one pair)."""
    model_run = any(c.called for c in calls.values())
    families: dict[tuple[int, str], tuple[Candidate, list[Candidate]]] = {}
    for cand, parents in _families(store):
        call = calls.get(cand.id)
        if not parents or not keep.keep(cand, parents) or (model_run and not (call and call.called)):
            continue
        key = (parents[0].id, cand.operator if model_run else "")
        families.setdefault(key, (parents[0], []))[1].append(cand)
    for parent, children in families.values():
        ranked = sorted(children, key=Candidate.rank_key)
        for better, worse in zip(ranked[: len(ranked) // 2], reversed(ranked[len(ranked) // 2 :])):
            if not better.ok or better.fitness() <= worse.fitness():
                continue
            if model_run:
                chosen, rejected = calls[better.id], calls[worse.id]
                if chosen.answer != rejected.answer:
                    yield {
                        "prompt": [dict(m) for m in chosen.messages],
                        "chosen": _assistant(chosen.answer),
                        "rejected": _assistant(rejected.answer),
                    }
            elif genome_text(better.genome) != genome_text(worse.genome):
                text = (genome_text(better.genome), genome_text(worse.genome))
                yield {"prompt": prompt_of(task, [parent], None), "chosen": text[0], "rejected": text[1]}


def export_run(store: RunStore, fmt: str, out: str | Path, keep: Filters | None = None) -> int:
    """Write the run's lineage as ``fmt`` to ``out`` (JSON lines); return the number of rows."""
    task, keep = str(store.config.get("task", "?")), keep or Filters()
    calls = store.calls()
    rows: dict[str, Callable[[], Iterator[Row]]] = {
        "jsonl": lambda: jsonl_rows(store, calls, keep),
        "sft": lambda: sft_rows(store, task, calls, keep),
        "messages": lambda: messages_rows(store, calls, keep),
        "dpo": lambda: dpo_rows(store, task, calls, keep),
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
