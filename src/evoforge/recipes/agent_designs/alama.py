"""``alama``: adaptive mechanism activation in the manner of ALAMA (Huang et al., 2024). One agent
(:data:`UNIACT`) has the mechanisms reason, plan, reflect and act (act: try a draft in the task's
environment action and revise, or, with no action, run a Python program written for the problem),
switched per item. Exploration: on each round's chunk of search items, the agent is run once per
mechanism combination; for every item solved, the successful trace (its question and the cheapest
combination that solved it) is kept. The adaptive agent carries these traces in its parts and, per
item, activates the combination that solved the most similar items (word overlap, ``neighbours``
nearest); it is run on a fixed check set of search items the exploration never uses.

Differs from the paper: ALAMA fine-tunes the model on the self-explored traces (imitation, then
preference optimisation); here the model's weights stay as they are and what is learned is the
choice of mechanism, held as experience in the genome (so it runs on held-out items unchanged)."""

# ruff: noqa: E501  (the agent's code is a template that reads better on long lines)

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

import numpy as np

from evoforge.core.candidate import REJECTED, Candidate
from evoforge.core.recipe import Recipe, param, register, state
from evoforge.core.task import Task
from evoforge.genomes.agents.genome import MAX_PART, design, make_genome
from evoforge.genomes.agents.task import search_items

UNIACT = '''
import json, re

def words(text):
    return set(re.findall(r"[a-z]+", str(text).lower()))

def choose(task, tools):
    """The mechanism that solved the most similar items (weighted by similarity), else the default."""
    q, votes = words(task["question"]), {}
    near = sorted(((len(q & set(keys.split())) / (len(q | set(keys.split())) or 1), mech)
                   for keys, mech in json.loads(tools.parts.get("experience") or "[]")), reverse=True)
    for sim, mech in near[: int(tools.parts.get("neighbours", 3))]:
        votes[mech] = votes.get(mech, 0.0) + sim
    return max(votes, key=votes.get) if votes else tools.parts["mechanism"]

def forward(task, tools):
    p, mech = tools.parts, choose(task, tools)
    context = ""
    if "plan" in mech:
        context += "Plan:\\n" + tools.llm(task["question"] + "\\n\\n" + p["plan"]) + "\\n\\n"
    prompt = task["question"] + "\\n\\n" + context + p["reason"] + " " + task["format"]
    if "act" in mech and not tools.actions:
        reply = tools.llm(task["question"] + "\\n\\n" + p["act"])
        found = re.findall(r"```(?:python)?\\n(.*?)```", reply, re.S)
        output = tools.python(found[0] if found else reply)
        prompt = task["question"] + "\\n\\n" + context + "Output of a Python program written for this problem:\\n" + output + "\\n\\n" + p["reason"] + " " + task["format"]
    answer = tools.llm(prompt, system=p["role"])
    if "act" in mech and tools.actions:
        result = tools.act(tools.actions[0], answer)
        answer = tools.llm(prompt + "\\n\\nA draft:\\n" + answer + "\\n\\nWhat the environment said about it:\\n" + str(result)[:1500]
                           + "\\n\\nWrite the final solution. " + task["format"], system=p["role"])
    if "reflect" in mech:
        review = tools.llm(task["question"] + "\\n\\nProposed solution:\\n" + answer + "\\n\\n" + p["critic"])
        if "CORRECT" not in review.upper():
            answer = tools.llm(prompt + "\\n\\nAn earlier attempt:\\n" + answer + "\\n\\nFeedback:\\n" + review
                               + "\\n\\nWrite an improved solution. " + task["format"], system=p["role"])
    return answer
'''
PARTS = {
    "role": "You are a careful problem solver.",
    "reason": "Think step by step.",
    "plan": "Before solving: write a short numbered plan of the steps needed. Do not solve it yet.",
    "act": "Write a short Python program that computes and prints the answer, in a ```python block.",
    "critic": "Check this solution. If it is right, reply CORRECT; otherwise say what is wrong.",
}


@register("alama")
@dataclass(kw_only=True)
class Alama(Recipe):
    summary = "ALAMA: mechanisms explored per item, successful traces kept, mechanism chosen per item from similar ones"
    genomes = ("agent",)
    needs_model = False  # the agents call the task's model; the recipe calls none
    default_budget = 30
    eval_timeout = 600.0

    mechanisms: str = param(
        "reason,plan,act,reflect", help="mechanism combinations to explore, cheapest first ('+' combines: plan+reflect)"
    )
    chunk: int = param(4, low=1, help="search items explored per round")
    check_items: int = param(4, low=1, help="search items the adaptive agent is run on (never explored)")
    neighbours: int = param(3, low=1, help="similar solved items that vote on an item's mechanism")
    batch_size: int = param(4, low=1, help="evaluations per batch")

    questions: list[str] = state(factory=list)
    check: list[int] = state(factory=list)
    explore: list[int] = state(factory=list)  # search items not explored yet
    queue: list[Candidate] = state(factory=list)
    waiting: int = state(0)  # exploration runs of this round not told yet
    solved: dict[int, list[str]] = state(factory=dict)  # item -> combinations that solved it
    rounds: list[dict[str, Any]] = state(factory=list)  # per round: items explored, adaptive score
    best: dict[str, Any] | None = state()  # the best adaptive agent: {"id", "genome", "fitness"}

    def setup(self, task: Task, rng: np.random.Generator) -> None:
        search = search_items(task)
        if not search:
            from evoforge.core.errors import ConfigError

            raise ConfigError(
                f"recipe 'alama' needs an agent task with search items (an AgentTask); {task.name!r} has none"
            )
        self.questions = [str(x.get("question", x)) for x in search]
        n = len(search)
        k = min(self.check_items, max(1, n // 2))
        self.check, self.explore = list(range(n - k, n)), list(range(n - k))

    def combos(self) -> list[str]:
        return [m.strip() for m in self.mechanisms.split(",") if m.strip()]

    def genome(self, mechanism: str, experience: list[list[str]], items: list[int], name: str) -> dict[str, Any]:
        parts = {**PARTS, "mechanism": mechanism, "neighbours": self.neighbours, "experience": json.dumps(experience)}
        return {**make_genome(UNIACT.strip() + "\n", parts, name), "items": items}

    def experience(self) -> list[list[str]]:
        """The successful traces as [question words, cheapest solving combination], the newest that fit a part."""
        order, out = self.combos(), []
        for i, combos in sorted(self.solved.items(), reverse=True):
            best = min(combos, key=lambda c: order.index(c) if c in order else len(order))
            entry = [" ".join(sorted(set(re.findall(r"[a-z]+", self.questions[i].lower()))))[:300], best]
            if len(json.dumps(out + [entry])) > MAX_PART:
                break
            out.append(entry)
        return out

    def ask(self, n: int, rng: np.random.Generator) -> list[Candidate]:
        if not self.queue and not self.waiting:
            if self.rounds and self.rounds[-1]["adaptive"] is None:
                self.rounds[-1]["adaptive"] = "pending"
                mech = max(self.combos(), key=lambda c: sum(c in v for v in self.solved.values()))
                genome = self.genome(mech, self.experience(), self.check, f"adaptive (round {len(self.rounds)})")
                return [Candidate(genome=genome, operator="adaptive")]
            if self.explore:
                items, self.explore = self.explore[: self.chunk], self.explore[self.chunk :]
                self.rounds.append({"explored": items, "adaptive": None})
                self.queue = [
                    Candidate(genome=self.genome(m, [], items, f"explore {m}"), operator="explore")
                    for m in self.combos()
                ]
                self.waiting = len(self.queue)
        out, self.queue = self.queue[:n], self.queue[n:]
        return out

    def tell(self, candidates: list[Candidate], rng: np.random.Generator) -> None:
        for cand in candidates:
            if cand.operator == "explore":
                self.waiting -= 1
                if cand.ok and cand.status != REJECTED:
                    for i, c in zip(cand.metrics.get("items", []), cand.metrics.get("correct", [])):
                        if c >= 1.0:
                            self.solved.setdefault(int(i), []).append(cand.genome["parts"]["mechanism"])
            elif cand.operator == "adaptive":
                self.rounds[-1]["adaptive"] = cand.score if cand.ok else f"failed: {(cand.reason or '')[:100]}"
                if cand.ok and cand.score is not None and (self.best is None or cand.score >= self.best["fitness"]):
                    self.best = {"id": cand.id, "genome": design(cand.genome), "fitness": float(cand.score)}

    def stop_reason(self) -> str | None:
        if (
            self.rounds
            and not self.explore
            and not self.queue
            and not self.waiting
            and self.rounds[-1]["adaptive"] not in (None, "pending")
        ):
            return "every search item outside the check set has been explored"
        return None

    def best_agent(self) -> dict[str, Any] | None:
        return self.best

    def report(self, store: Any) -> str | None:
        lines = [f"solved while exploring: {len(self.solved)} items; by combination: "
                 + ", ".join(f"{c} {sum(c in v for v in self.solved.values())}" for c in self.combos())]  # fmt: skip
        for k, r in enumerate(self.rounds, 1):
            shown = f"{r['adaptive']:.3f}" if isinstance(r["adaptive"], float) else str(r["adaptive"])
            lines.append(f"  round {k}: explored items {r['explored']}; adaptive agent on the check set: {shown}")
        return "\n".join(lines)
