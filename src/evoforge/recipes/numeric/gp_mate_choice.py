"""Genetic programming with self-adaptive mate choice: "All You Need Is Sex for Diversity" (Simoes,
Lourenco & Machado, 2023). Sexual selection: the first parent is chosen by fitness (tournament); it then
inspects ``suitors`` random individuals and mates with the one its own *preference* rates highest.
Each individual carries its preference (here a weight vector over three traits of a suitor: fitness
rank, size rank and structural dissimilarity to the chooser; ``info['preference']``), inherited from
both parents by averaging plus Gaussian noise, so mate choice evolves with the trees (self-adaptive).
Trees are JSON nested lists (``evoforge.genomes.trees.operators``); generational replacement with elitism."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from evoforge.core.candidate import Candidate
from evoforge.core.recipe import Recipe, param, register, state
from evoforge.core.task import Task
from evoforge.genomes.trees import operators as gp
from evoforge.genomes.trees.task import variables_of


def subtrees(tree) -> set[str]:
    out = {gp.to_string(tree)}
    if isinstance(tree, list):
        for c in tree[1:]:
            out |= subtrees(c)
    return out


@register("gp-mate-choice")
@dataclass(kw_only=True)
class GPMateChoice(Recipe):
    summary = "GP with sexual selection by evolved mate preferences (expression trees)"
    genomes = ("tree",)
    dedupe = False

    population: int = param(100, low=1, help="trees per generation (one batch)")
    tournament: int = param(5, low=1, help="tournament size for the first parent (by fitness)")
    suitors: int = param(5, low=1, help="random suitors the first parent rates by its preference")
    crossover: float = param(0.9, low=0, high=1, help="probability of subtree crossover with the chosen mate")
    mutation: float = param(0.2, low=0, high=1, help="probability of subtree mutation")
    init_depth: int = param(4, low=1, help="largest depth of the initial (ramped half-and-half) trees")
    max_depth: int = param(8, low=1, help="depth limit of children")
    pref_sigma: float = param(0.2, low=0, help="Gaussian noise on an inherited preference")
    elites: int = param(1, low=0, help="best trees copied into the next generation")

    variables: list[str] = state(factory=list)  # the task's input variables
    pop: list[Candidate] = state(factory=list)

    @property
    def batch_size(self) -> int:  # type: ignore[override]
        return self.population

    def setup(self, task: Task, rng: np.random.Generator) -> None:
        self.variables = variables_of(task)

    def ask(self, n: int, rng: np.random.Generator) -> list[Candidate]:
        if not self.pop:  # ramped half-and-half
            return [
                Candidate(
                    genome=gp.random_tree(rng, self.variables, 1 + i % self.init_depth, grow=bool(i % 2)),
                    operator="init",
                    info={"preference": rng.standard_normal(3).tolist()},
                )
                for i in range(n)
            ]
        fit = np.array([c.fitness() for c in self.pop])
        frank = np.argsort(np.argsort(fit, kind="stable"), kind="stable") / max(len(fit) - 1, 1)
        srank = np.argsort(np.argsort([-gp.size(c.genome) for c in self.pop], kind="stable"), kind="stable") / max(
            len(fit) - 1, 1
        )
        sets = [subtrees(c.genome) for c in self.pop]
        elite = sorted(range(len(self.pop)), key=lambda i: (-fit[i], self.pop[i].id))[: self.elites]
        kids = [
            Candidate(
                genome=self.pop[i].genome, parents=[self.pop[i].id], operator="elite", info=dict(self.pop[i].info)
            )
            for i in elite
        ][:n]
        while len(kids) < n:
            group = rng.integers(0, len(self.pop), size=self.tournament)
            a = int(group[np.argmax(fit[group])])
            suitors = rng.integers(0, len(self.pop), size=self.suitors)
            dissim = np.array([1 - len(sets[a] & sets[j]) / len(sets[a] | sets[j]) for j in suitors])
            traits = np.stack([frank[suitors], srank[suitors], dissim], axis=1)
            b = int(suitors[np.argmax(traits @ np.asarray(self.pop[a].info["preference"]))])
            child, op = self.pop[a].genome, "copy"
            if rng.random() < self.crossover:
                child, op = gp.subtree_crossover(child, self.pop[b].genome, rng, self.max_depth), "crossover"
            if rng.random() < self.mutation:
                child, op = gp.subtree_mutation(child, rng, self.variables, self.max_depth), op + "+mutation"
            pref = np.add(
                self.pop[a].info["preference"], self.pop[b].info["preference"]
            ) / 2 + self.pref_sigma * rng.standard_normal(3)
            kids.append(
                Candidate(
                    genome=child,
                    parents=[self.pop[a].id, self.pop[b].id],
                    operator=op,
                    info={"preference": pref.tolist()},
                )
            )
        return kids

    def tell(self, candidates: list[Candidate], rng: np.random.Generator) -> None:
        ok = [c for c in candidates if c.ok]
        if ok:
            self.pop = ok
