"""``evoagent``: an expert agent's settings evolved into a multi-agent team, in the manner of EvoAgent
(Yuan et al., 2024). An expert is its settings: a role description, an instruction and a mechanism
switch (``reflect``: check and revise its own answer). Starting from the task's seed expert, the model
mutates an expert (shown its settings and failures: "a different expert that avoids these mistakes")
or crosses two (“combine their strengths”); every child is run alone, and the ``population`` best
experts are kept. Whenever the best experts change, the team of the ``team_size`` best is run: each
member answers, and the answers are aggregated by majority vote on the final answer (or by a judge
call). The genome of an expert and of a team is the same code (:data:`TEAM`) with different parts.

Differs from the paper: its LLM quality check of new agents (are they different enough from their
parents) is left to the duplicate check and selection by score, and the team is the top experts."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import numpy as np

from evoforge.core.candidate import REJECTED, Candidate
from evoforge.core.recipe import Recipe, param, register, state
from evoforge.core.task import Task
from evoforge.genomes.agents.baselines import FINAL
from evoforge.genomes.agents.genome import design, make_genome
from evoforge.genomes.agents.racing import raced
from evoforge.genomes.agents.task import call_limit_of

from ._agent_calls import Calls
from ._agent_prompts import crossover_prompt, mutate_prompt

TEAM = (
    FINAL
    + """
def solve(task, tools, role, instruction, reflect):
    prompt = task["question"] + "\\n\\n" + instruction + " " + task["format"]
    answer = tools.llm(prompt, system=role)
    if reflect:
        review = tools.llm(task["question"] + "\\n\\nProposed solution:\\n" + answer + "\\n\\n" + tools.parts["critic"])
        if "CORRECT" not in review.upper():
            answer = tools.llm(prompt + "\\n\\nAn earlier attempt:\\n" + answer + "\\n\\nFeedback:\\n" + review
                               + "\\n\\nWrite an improved solution. " + task["format"], system=role)
    return answer


def forward(task, tools):
    p = tools.parts
    answers = [solve(task, tools, p[f"role_{k}"], p[f"instruction_{k}"], bool(p.get(f"reflect_{k}")))
               for k in range(1, int(p["experts"]) + 1)]
    if len(answers) > 1 and p.get("aggregate") == "judge":
        joined = "\\n\\n".join(f"Expert {k + 1}:\\n{a}" for k, a in enumerate(answers))
        return tools.llm(task["question"] + "\\n\\n" + joined + "\\n\\n" + p["judge"] + " " + task["format"])
    votes = {}
    for answer in answers:  # majority vote on the final answer; ties go to the better-ranked expert
        votes.setdefault(final(answer), []).append(answer)
    return max(votes.values(), key=len)[0]
"""
)
COMMON = {
    "critic": "Check this solution. If it is right, reply CORRECT; otherwise say what is wrong.",
    "judge": "Read the experts' solutions above and give the single best final answer.",
}


def team_genome(experts: list[dict[str, Any]], aggregate: str, name: str) -> dict[str, Any]:
    parts: dict[str, Any] = {**COMMON, "experts": len(experts), "aggregate": aggregate}
    for k, e in enumerate(experts, 1):
        parts.update({f"role_{k}": e["role"], f"instruction_{k}": e["instruction"], f"reflect_{k}": e["reflect"]})
    return make_genome(TEAM.strip() + "\n", parts, name)


@register("evoagent")
@dataclass(kw_only=True)
class EvoAgent(Recipe):
    summary = "EvoAgent: expert settings evolved by model-driven mutation and crossover into a voting team"
    genomes = ("agent",)
    needs_model = True
    default_budget = 24
    eval_timeout = 600.0

    batch_size: int = param(3, low=1, help="candidates per generation (the team, when due, then children)")
    population: int = param(4, low=2, help="experts kept (the best by score)")
    team_size: int = param(3, low=2, help="experts in the team")
    crossover_rate: float = param(0.5, low=0, high=1, help="share of children made by crossover")
    aggregate: str = param("vote", choices=("vote", "judge"), help="how the team's answers become one")
    temperature: float = param(0.8, low=0, help="sampling temperature")
    race: bool = param(
        True, help="stop scoring a child that cannot join the experts kept, a team that cannot beat the best"
    )

    calls: Calls | None = state()
    pool: list[dict[str, Any]] = state(factory=list)  # {"id", "settings", "score", "feedback"}, best first
    teams: list[dict[str, Any]] = state(factory=list)  # {"id", "genome", "score", "members"}
    start: dict[str, Any] | None = state()
    last_team: list[int] = state(factory=list)
    tried: list[str] = state(factory=list)  # settings proposed so far (as JSON), to skip repeats
    dry: int = state(0)  # generations in a row that brought no new expert
    description: str = state("")
    call_limit: int = state(6)

    def setup(self, task: Task, rng: np.random.Generator) -> None:
        self.calls = Calls(max_tokens=384, temperature=self.temperature)
        self.description = task.description
        self.call_limit = call_limit_of(task)
        parts = task.seed.get("parts", {}) if isinstance(task.seed, dict) else {}
        role = str(parts.get("role") or "You are a careful problem solver.")
        self.start = {
            "role": role,
            "instruction": str(parts.get("instruction") or "Think step by step."),
            "reflect": False,
        }
        self.tried = [json.dumps(self.start, sort_keys=True)]

    def ask(self, n: int, rng: np.random.Generator) -> list[Candidate]:
        if self.start is not None:
            start, self.start = self.start, None
            return [Candidate(genome=team_genome([start], self.aggregate, "seed expert"), operator="seed")]
        out = []
        members = self._team()
        if len(members) >= 2 and [m["id"] for m in members] != self.last_team:
            self.last_team = [m["id"] for m in members]
            genome = team_genome([m["settings"] for m in members], self.aggregate, f"team of {len(members)}")
            best = self.best_agent()
            beat = best["fitness"] if self.race and best is not None else None
            out.append(Candidate(genome=raced(genome, beat), parents=self.last_team, operator="team"))
        children, attempts = 0, 0
        while len(out) < n and self.pool and attempts < 2 * n:
            attempts += 1
            if len(self.pool) >= 2 and rng.random() < self.crossover_rate:
                a, b = (self.pool[int(i)] for i in rng.choice(len(self.pool), size=2, replace=False))
                parents, reply = (
                    [a, b],
                    self.calls.json(
                        self.model,
                        crossover_prompt(self.description, a["settings"], b["settings"]),
                        rng,
                        tag="crossover",
                    ),
                )
            else:
                a = self.pool[int(rng.integers(len(self.pool)))]
                parents, reply = (
                    [a],
                    self.calls.json(
                        self.model, mutate_prompt(self.description, a["settings"], a["feedback"]), rng, tag="mutate"
                    ),
                )
            settings = self._settings(reply)
            if settings is None:
                continue
            op = "crossover" if len(parents) == 2 else "mutate"
            full = self.race and len(self.pool) >= self.population
            out.append(
                Candidate(
                    genome=raced(
                        team_genome([settings], self.aggregate, f"expert ({op})"),
                        self.pool[-1]["score"] if full else None,
                    ),
                    parents=[p["id"] for p in parents],
                    operator=op,
                )
            )
            children += 1
        self.dry = 0 if children else self.dry + 1
        return out

    def _settings(self, reply: dict[str, Any] | None) -> dict[str, Any] | None:
        if reply is None:
            return None
        role, instruction = reply.get("role"), reply.get("instruction")
        if not (isinstance(role, str) and role.strip() and isinstance(instruction, str) and instruction.strip()):
            self.calls.unusable["settings without a role and an instruction"] += 1
            return None
        settings = {
            "role": role.strip()[:600],
            "instruction": instruction.strip()[:1200],
            "reflect": reply.get("reflect") is True,
        }
        key = json.dumps(settings, sort_keys=True)
        if key in self.tried:
            self.calls.unusable["an expert proposed before"] += 1
            return None
        self.tried.append(key)
        return settings

    def _team(self) -> list[dict[str, Any]]:
        """The best experts, their reflection switched off from the last while the team would exceed the call limit."""
        members = [dict(m, settings=dict(m["settings"])) for m in self.pool[: self.team_size]]
        members = members[: max(1, self.call_limit - (self.aggregate == "judge"))]
        for m in reversed(members):
            if (
                sum(3 if x["settings"]["reflect"] else 1 for x in members) + (self.aggregate == "judge")
                <= self.call_limit
            ):
                break
            m["settings"]["reflect"] = False
        return members

    def tell(self, candidates: list[Candidate], rng: np.random.Generator) -> None:
        for cand in candidates:
            if cand.status == REJECTED or not cand.ok or cand.score is None:
                continue
            if cand.operator == "team":
                self.teams.append(
                    {"id": cand.id, "genome": self._design(cand), "score": cand.score, "members": cand.parents}
                )
            else:
                parts = cand.genome["parts"]
                settings = {
                    "role": parts["role_1"],
                    "instruction": parts["instruction_1"],
                    "reflect": parts["reflect_1"],
                }
                self.pool.append(
                    {"id": cand.id, "settings": settings, "score": cand.score, "feedback": cand.feedback or ""}
                )
        self.pool = sorted(self.pool, key=lambda e: (-e["score"], e["id"]))[: self.population]

    @staticmethod
    def _design(cand: Candidate) -> dict[str, Any]:
        return design(cand.genome)

    def stop_reason(self) -> str | None:
        if self.dry >= 5:
            return "no new expert in 5 generations in a row"
        return None

    def best_agent(self) -> dict[str, Any] | None:
        experts = [
            {"id": e["id"], "genome": team_genome([e["settings"]], self.aggregate, "expert"), "fitness": e["score"]}
            for e in self.pool
        ]
        teams = [{"id": t["id"], "genome": t["genome"], "fitness": t["score"]} for t in self.teams]
        return max(teams + experts, key=lambda e: (e["fitness"], -len(e["genome"]["parts"]), -e["id"]), default=None)

    def report(self, store: Any) -> str | None:
        lines = [f"experts kept: {len(self.pool)}; teams run: {len(self.teams)}"]
        lines += [f"  expert #{e['id']:<4} score {e['score']:.3f}  {e['settings']['role'][:60]!r}" for e in self.pool]
        lines += [f"  team   #{t['id']:<4} score {t['score']:.3f}  members {t['members']}" for t in self.teams[-3:]]
        return "\n".join(lines + ([self.calls.report("mutation and crossover calls")] if self.calls else []))
