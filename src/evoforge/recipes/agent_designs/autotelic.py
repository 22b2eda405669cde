"""``autotelic``: the agent sets its own curriculum on the text phone, as LMA3 ("Augmenting Autotelic
Agents with Large Language Models", Colas et al., 2023). Each episode: the run's model proposes a goal
with a reward function (Python over the phone's state before and after; refused when it already holds
at the start or does not run), or an unmastered goal is revisited; the agent pursues it; the model
relabels the trajectory with the goals it actually achieved (each with its reward function), and every
reward function is checked in the sandbox against the state the trajectory left
(:mod:`evoforge.genomes.agents.goals`). Goals are *discovered* when some trajectory achieved them and *mastered*
after ``master`` successes as the target; trajectories that achieved a goal are shown to the agent as
examples when it pursues a similar one. The report lists goals discovered and mastered."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from evoforge.core.candidate import Candidate
from evoforge.core.errors import BudgetExhausted, ConfigError
from evoforge.core.recipe import Recipe, param, register, state
from evoforge.core.task import Task
from evoforge.genomes.agents.goals import REWARD_API, describe_state, end_state, parse_goals
from evoforge.genomes.agents.memory.base import render_trajectory
from evoforge.genomes.agents.task import search_items
from evoforge.genomes.agents.tools import BM25
from evoforge.llm.errors import ModelError

from ._goal_rewards import rewards


@register("autotelic")
@dataclass(kw_only=True)
class Autotelic(Recipe):
    summary = "the model proposes goals with reward functions, relabels trajectories, and masters its curriculum"
    genomes = ("agent",)
    needs_model = True
    dedupe = False
    default_budget = 16
    eval_timeout = 600.0

    batch_size: int = param(1, low=1, high=1, help="one episode at a time (each sees the goals of the last)")
    master: int = param(2, low=1, help="successes as the target after which a goal is mastered")
    revisit: float = param(0.5, low=0, high=1, help="chance to retry an unmastered goal instead of proposing one")
    max_attempts: int = param(4, low=1, help="attempts at a goal before the curriculum gives up on it")
    tries: int = param(3, low=1, help="proposals per episode before falling back to practice (or stopping)")
    reward_seconds: float = param(2.0, low=0.1, help="time limit of the sandbox running the reward functions")
    tokens: int = param(400, low=64, help="cap on a proposal or relabelling reply")

    agent: dict[str, Any] = state(factory=dict)
    phone: dict[str, Any] = state(factory=dict)
    goals: list[dict[str, Any]] = state(factory=list)  # goal, reward, source, attempts, successes, achieved
    episodes: list[dict[str, Any]] = state(factory=list)
    counts: dict[str, int] = state(factory=lambda: {"proposed": 0, "unusable": 0, "already true": 0})
    refused: list[str] = state(factory=list)  # proposals refused (shown to the proposer, so it moves on)
    halted: str = state("")

    def setup(self, task: Task, rng: np.random.Generator) -> None:
        items = search_items(task)
        if not items or "initial" not in items[0]:
            raise ConfigError(f"recipe {self.name!r} needs the text phone task (agent-apps)")
        self.phone = items[0]["initial"]
        self.agent = {k: v for k, v in dict(task.seed).items() if k not in ("items", "split")}

    # -- choosing a goal ------------------------------------------------------------------------
    def ask(self, n: int, rng: np.random.Generator) -> list[Candidate]:
        if self.halted:
            return []
        open_goals = [i for i, g in enumerate(self.goals) if not self.mastered(g) and g["attempts"] < self.max_attempts]
        target = min(open_goals, key=lambda i: self.goals[i]["attempts"]) if open_goals else None
        try:
            if target is None or rng.random() >= self.revisit:
                target = next((t for _ in range(self.tries) if (t := self.propose(rng)) is not None), None)
        except BudgetExhausted as err:
            self.halted = str(err)
            return []
        if target is None:
            target = min(open_goals, key=lambda i: self.goals[i]["attempts"]) if open_goals else None
        if target is None:
            self.halted = "the model proposed no usable goal and none is left to practise"
            return []
        goal = self.goals[target]["goal"]
        parts = {**self.agent.get("parts", {}), "goal": goal, "memory": self.examples(goal), "shortcuts": "[]"}
        return [Candidate(genome={**self.agent, "parts": parts, "items": [0]}, operator="pursue",
                          info={"target": target, "goal": goal})]  # fmt: skip

    def propose(self, rng: np.random.Generator) -> int | None:
        refused = "\n".join(f"- {g}" for g in self.refused[-10:])
        listed = "\n".join(f"- {g['goal']} ({'mastered' if self.mastered(g) else 'not mastered'})" for g in self.goals)
        prompt = (
            "You set goals for a phone agent that practises on its own (apps: Notes, Contacts, Calendar). "
            f"Propose one new goal, a little harder than those mastered.\n\nThe phone:\n{describe_state(self.phone)}"
            f"\n\nGoals so far:\n{listed or '(none)'}\n"
            + (f"Refused proposals (their reward did not run, or already held):\n{refused}\n" if refused else "")
            + f"\n{REWARD_API}\nReply with one JSON object: "
            '{"goal": "<the goal in one sentence>", "reward": "def reward(before, after):\\n    return ..."}'
        )
        self.counts["proposed"] += 1
        found = [g for g in parse_goals(self._ask(prompt, rng), 1) if g["goal"] not in {x["goal"] for x in self.goals}]
        if not found:
            self.counts["unusable"] += 1
            return None
        row = rewards([found[0]["reward"]], [(self.phone, self.phone)], self.reward_seconds)[0]
        if row is None or row[0]:
            self.counts["unusable" if row is None else "already true"] += 1
            self.refused.append(found[0]["goal"])
            return None
        self.goals.append({**found[0], "source": "proposed", "attempts": 0, "successes": 0, "achieved": 0})
        return len(self.goals) - 1

    def examples(self, goal: str) -> str:
        done = [g for g in self.goals if g.get("example")]
        if not done:
            return ""
        scores = BM25([g["goal"] for g in done]).scores(goal)
        best = [done[i] for i in sorted(range(len(done)), key=lambda i: -scores[i])[:2] if scores[i] > 0]
        return "\n\n".join(f"A goal achieved earlier: {g['goal']}\nIts actions: {g['example']}" for g in best)

    # -- relabelling ----------------------------------------------------------------------------
    def tell(self, candidates: list[Candidate], rng: np.random.Generator) -> None:
        for cand in candidates:
            target = int(cand.info.get("target", -1))
            trajectory = (cand.metrics.get("trajectories") or [[]])[0] if cand.ok else []
            after = end_state(self.phone, trajectory)
            shown = render_trajectory(trajectory)
            new: list[dict[str, str]] = []
            if trajectory and not self.halted:
                prompt = (
                    "A phone agent acted as follows. Relabel its trajectory: which goals did it actually achieve "
                    f"(whatever it was aiming at)?\n\nActions taken:\n{shown}\n\n{REWARD_API}\nReply with a JSON "
                    'list of at most 3 objects {"goal": "<goal>", "reward": "def reward(before, after): ..."}.'
                )
                try:
                    known = {g["goal"] for g in self.goals}
                    new = [g for g in parse_goals(self._ask(prompt, rng)) if g["goal"] not in known]
                except BudgetExhausted as err:
                    self.halted = str(err)
            table = rewards(
                [g["reward"] for g in self.goals + new],
                [(self.phone, after), (self.phone, self.phone)],
                self.reward_seconds,
            )
            for g, row in zip(new, table[len(self.goals) :]):
                if row and row[0] and not row[1]:  # verified against the state the trajectory left
                    self.goals.append({**g, "source": "relabelled", "attempts": 0, "successes": 0, "achieved": 0})
            achieved = [i for i, row in enumerate(table[: len(self.goals)]) if row and row[0] and not row[1]]
            for i in achieved:
                self.goals[i]["achieved"] += 1
                self.goals[i].setdefault("example", "; ".join(
                    f"{s.get('action')}({', '.join(repr(str(a)) for a in s.get('args') or [])})"
                    for s in trajectory if not s.get("error"))[:600])  # fmt: skip
            if 0 <= target < len(self.goals):
                self.goals[target]["attempts"] += 1
                self.goals[target]["successes"] += target in achieved
            self.episodes.append({"episode": len(self.episodes), "target": target, "success": target in achieved,
                                  "achieved": achieved, "calls": int(cand.metrics.get("calls") or 0)})  # fmt: skip
            cand.info["achieved"] = [self.goals[i]["goal"] for i in achieved]

    def _ask(self, prompt: str, rng: np.random.Generator) -> str | None:
        try:
            out = self.model.chat([{"role": "user", "content": prompt}], temperature=0.0, max_tokens=self.tokens,
                                  seed=int(rng.integers(0, 2**31 - 1)), tag="goals")  # fmt: skip
        except BudgetExhausted:
            raise
        except ModelError:
            return None
        return out[0].text if out else None

    def mastered(self, goal: dict[str, Any]) -> bool:
        return goal["successes"] >= self.master

    def stop_reason(self) -> str | None:
        return self.halted or None

    # -- what readers see -----------------------------------------------------------------------
    def discovered(self) -> list[dict[str, Any]]:
        return [g for g in self.goals if g["achieved"] > 0]

    def report(self, store: Any) -> str | None:
        c = self.counts
        lines = [
            f"autotelic: {len(self.episodes)} episodes, {len(self.goals)} goals ({len(self.discovered())} discovered, "
            f"{sum(map(self.mastered, self.goals))} mastered); proposals {c['proposed']}, unusable {c['unusable']}, "
            f"already true {c['already true']}",
            "  tries  wins  achieved  source      goal",
        ]
        lines += [f"  {g['attempts']:>5}  {g['successes']:>4}  {g['achieved']:>8}  {g['source']:<10}  "
                  f"{'* ' if self.mastered(g) else ''}{g['goal'][:80]}" for g in self.goals]  # fmt: skip
        return "\n".join(lines + ["  (* mastered)"])

    def answer(self, store: Any) -> dict[str, Any] | None:
        if not self.goals:
            return None
        mastered = [g["goal"] for g in self.goals if self.mastered(g)]
        return {"what": "the goals it set itself", "score": len(mastered) / len(self.goals),
                "score_on": f"share of its {len(self.goals)} goals mastered",
                "genome": {"mastered": mastered, "discovered": [g["goal"] for g in self.discovered()]}}  # fmt: skip
