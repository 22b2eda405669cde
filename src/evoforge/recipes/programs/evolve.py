"""``evolve``: the default program-evolution recipe, OpenEvolve-class ("AlphaEvolve", Novikov et al., 2025;
OpenEvolve): islands with ring migration plus a MAP-Elites grid over program descriptors; children by a
one-line edit of the variable the function returns or decides by (tasks with a ``LINE_EXAMPLE``, which names
it), by SEARCH/REPLACE diff (a failed diff falls back to a full rewrite), by rewrite, or by crossover with
an inspiration from another island's elite; one idea per call, every idea once before any repeats; score,
feedback and errors shown to the model; failing children get one self-repair attempt ("Demystifying GPT
Self-Repair", Olausson et al., 2024) shown the error and its source line; a child whose function signature
changed is repaired or dropped before evaluation; a UCB bandit picks the operator by the improvements it
produced. Between model calls the numeric constants of good programs are tuned (no call; small models write
the right term with the wrong number). AST duplicates and embedding-near duplicates are dropped before
evaluation. With ``system_prompts`` > 0 the system prompt itself evolves (``programs/system_prompts.py``: a
bandit over a few prompts, the least successful rewritten by the model every ``hyper_every`` model
children)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from evoforge.core.archives import GridArchive, Islands
from evoforge.core.candidate import REJECTED, Candidate
from evoforge.core.model_call import NO_CALL
from evoforge.core.recipe import Recipe, param, register, state
from evoforge.core.task import Task
from evoforge.genomes.programs.bandit import Bandit
from evoforge.genomes.programs.ops import ProgramOps, call_of, child, improved
from evoforge.genomes.programs.system_prompts import SystemPrompts, clean_instruction
from evoforge.genomes.programs.task import PROGRAM_DESCRIPTOR_BOUNDS
from evoforge.genomes.programs.templates import SYSTEM, ProgramSpec


@dataclass
class _Job:
    """One planned model request: what the child is made from, and the prompt that asks for it."""

    op: str  # line, diff, rewrite, crossover or repair
    parent: Candidate
    island: int
    prompt: str
    system: str
    tag: list[int] | None  # the evolving system prompt's [slot, version] (None: one fixed prompt)


PRIORS = {"line": 1.0, "rewrite": 0.3, "crossover": 0.2, "diff": 0.1}  # pseudo-rewards (small models)


@register("evolve")
@dataclass(kw_only=True)
class Evolve(Recipe):
    summary = "program evolution with a model: islands + MAP-Elites, line/diff/rewrite/crossover, tuning, repair"
    genomes = ("program",)
    needs_model = True
    follows_concurrency = "calls_per_batch"

    batch_size: int = param(13, low=1, help="candidates per batch: calls_per_batch from the model, the rest tuned")
    calls_per_batch: int = param(1, low=1, help="model children per batch (their requests are sent together)")
    operators: str = param(
        "line,rewrite,crossover", items=tuple(PRIORS), help="model operators the bandit chooses among"
    )
    bandit_c: float = param(0.3, low=0, help="UCB exploration")
    tune: bool = param(True, help="fill the batch with constant-tuned children of good programs")
    tune_scale: float = param(0.5, low=0, help="log-normal step of a tuned constant")
    islands: int = param(2, low=1, help="island populations (ring migration)")
    island_size: int = param(12, low=1, help="programs kept per island")
    migration_interval: int = param(6, low=1, help="batches between ring migrations")
    cells: int = param(5, low=1, help="MAP-Elites cells per program descriptor")
    explore: float = param(
        0.2, low=0, high=1, help="chance the parent is a random grid elite instead of an island's best"
    )
    max_tokens: int = param(256, low=1, help="cap on every answer")
    temperature: float = param(0.8, low=0, help="sampling temperature of model calls")
    repair: bool = param(True, help="one self-repair attempt per failing model child")
    fallback: bool = param(True, help="a failed diff is followed by a rewrite call")
    near_duplicate: float = param(
        0.99, low=0, high=1, help="embedding cosine at which a model's program is rejected (0: off)"
    )
    system_prompts: int = param(
        0, low=0, help="> 0: evolve this many system prompts (Promptbreeder-style); 0: one fixed"
    )
    hyper_every: int = param(6, low=1, help="with system_prompts: model children between rewrites of the worst prompt")

    spec: ProgramSpec | None = state()
    ops: ProgramOps | None = state()
    pops: Islands | None = state()
    grid: GridArchive | None = state()
    bandit: Bandit | None = state()  # UCB over the model operators
    repairs: list[Candidate] = state(factory=list)  # failed children waiting for a repair attempt
    known: dict[int, Candidate] = state(factory=dict)  # every told candidate by id
    pool: list[Candidate] = state(factory=list)  # best valid programs, the parents of tuned children
    turn: int = state(0)  # the island whose parent is used next
    seeded: bool = state(False)  # SEED has been proposed
    systems: SystemPrompts | None = state()  # the evolving system prompts (None: one fixed prompt)
    model_children: int = state(0)

    def setup(self, task: Task, rng: np.random.Generator) -> None:
        self.spec = ProgramSpec.from_task(task)
        self.ops = ProgramOps(self.spec, self.max_tokens, self.temperature, self.near_duplicate)
        self.pops = Islands(self.islands, self.island_size, self.migration_interval)
        self.grid = GridArchive(task.descriptor_bounds or PROGRAM_DESCRIPTOR_BOUNDS, self.cells)
        arms = [a.strip() for a in self.operators.split(",") if a.strip() in PRIORS] or ["rewrite"]
        if not self.spec.line_example and "line" in arms and len(arms) > 1:
            arms.remove("line")  # the task has no one-line edit shape
        self.bandit = Bandit(arms, self.bandit_c, {a: PRIORS[a] for a in arms})
        self.repairs, self.known, self.pool = [], {}, []
        self.turn = 0
        self.seeded = False
        self.systems = SystemPrompts.starting(self.system_prompts, self.bandit_c) if self.system_prompts > 0 else None
        self.model_children = 0

    def _parent(self, island: int, rng: np.random.Generator) -> Candidate | None:
        pop = self.pops.populations[island]
        if self.grid.elites and (not pop or rng.random() < self.explore):
            return self.grid.sample(1, rng)[0]
        if pop:
            return self.pops.select(island, 1, rng, size=2)[0]
        return self.pops.best()

    def _inspiration(self, island: int, parent: Candidate, rng: np.random.Generator) -> list[Candidate]:
        pool = [c for i, pop in enumerate(self.pops.populations) if i != island for c in pop[:3]]
        pool += [c for c in self.grid.elites.values()]
        pool = [c for c in pool if c.id != parent.id and c.genome != parent.genome]
        return [pool[int(rng.integers(len(pool)))]] if pool else []

    def _system(self, rng: np.random.Generator) -> tuple[str, list[int] | None]:
        """The system prompt for this model child, and its [slot, version] (None when not evolved)."""
        if self.systems is None:
            return SYSTEM, None
        self.model_children += 1
        if self.model_children % self.hyper_every == 0:
            slot = self.systems.worst()
            answer = self.ops.ask_model(self.model, self.systems.hyper_prompt(slot), rng, "hyper")
            text = clean_instruction(answer)
            if text is None:
                self.ops.record("hyper: not a usable instruction")
            else:
                self.systems.rewrite(slot, text)
        slot, version = self.systems.choose(rng)
        return self.systems.texts[slot], [slot, version]

    def _plan(self, rng: np.random.Generator) -> _Job | None:
        """Choose what one model child will be made from and the prompt that asks for it."""
        system, tag = self._system(rng)
        if self.repair and self.repairs:
            broken = self.repairs.pop(0)
            island = int(broken.info.get("island", 0))
            return _Job("repair", broken, island, self.ops.repair_prompt(broken), system, tag)
        island = self.turn % self.islands
        self.turn += 1
        parent = self._parent(island, rng)
        if parent is None:
            if tag is not None:
                self.systems.credit(*tag, 0.0)
            return None
        op = self.bandit.choose(rng)
        prompt = self.ops.line_prompt(parent, rng) if op == "line" else None
        if op == "diff":
            prompt = self.ops.diff_prompt(parent, rng)
        elif prompt is None:
            op = "rewrite" if op == "line" else op
            insp = self._inspiration(island, parent, rng) if op == "crossover" else []
            prompt = self.ops.rewrite_prompt(parent, rng, insp)
        return _Job(op, parent, island, prompt, system, tag)

    def _finish(self, job: _Job, answer: str, how: str = "", prompt: str | None = None) -> Candidate | None:
        """The child a job's answer gives (None: unusable, and why is recorded); ``prompt``: the request
        the answer came from when it is not the job's own (a diff's rewrite fallback)."""
        if job.op == "repair":
            prop = self.ops.from_rewrite(job.parent.genome, answer)
            if prop.program is None:
                prop = self.ops.from_lines(job.parent.genome, answer)
        elif job.op == "line":
            prop = self.ops.from_lines(job.parent.genome, answer)
        elif job.op == "diff" and not how:
            prop = self.ops.from_diff(job.parent.genome, answer)
        else:
            prop = self.ops.from_rewrite(job.parent.genome, answer)
        prop.how = how or prop.how
        why = self.ops.accept(prop)
        if why:
            self.ops.record(("repair " if job.op == "repair" else "") + why)
            if job.op in self.bandit.pulls:
                self.bandit.update(job.op, 0.0)
            return None
        call = call_of(prompt or job.prompt, answer, job.system)
        return child(prop.program, [job.parent], job.op, call=call, island=job.island, how=prop.how)

    def _model_children(self, k: int, rng: np.random.Generator) -> list[Candidate]:
        """Plan ``k`` model children, send their requests together, and turn the answers into children;
        a diff that does not apply is followed by one rewrite request (sent together as well)."""
        jobs = [job for job in (self._plan(rng) for _ in range(k)) if job is not None]
        answers = self.ops.ask_many(self.model, [(j.prompt, j.op, j.system) for j in jobs], rng)
        done: list[tuple[_Job, Candidate | None]] = []
        retry: list[_Job] = []
        for job, answer in zip(jobs, answers):
            if answer is None:
                continue  # refused by the run's budget: the run ends after this batch
            if job.op == "diff" and self.fallback and self.ops.from_diff(job.parent.genome, answer).program is None:
                retry.append(job)
            else:
                done.append((job, self._finish(job, answer)))
        if retry:
            prompts = [(self.ops.rewrite_prompt(j.parent, rng), "rewrite", j.system) for j in retry]
            for job, (prompt, _, _), answer in zip(retry, prompts, self.ops.ask_many(self.model, prompts, rng)):
                if answer is not None:
                    done.append((job, self._finish(job, answer, how="diff-failed->rewrite", prompt=prompt)))
        for job, got in done:
            if job.tag is not None:
                if got is None:  # an unusable answer counts against the prompt it was asked under
                    self.systems.credit(*job.tag, 0.0)
                else:
                    got.info["system"] = job.tag
        return [got for _, got in done if got is not None]

    def ask(self, n: int, rng: np.random.Generator) -> list[Candidate]:
        if not self.seeded:
            self.seeded = True
            return [Candidate(genome=self.spec.seed, operator="seed")]
        out = self._model_children(max(1, min(self.calls_per_batch, n)), rng)
        while self.tune and len(out) < n:
            got = self.ops.tune(self.pool, rng, scale=self.tune_scale)
            if got is None:
                break
            program, parent = got
            out.append(child(program, [parent], "tune", call=NO_CALL, island=parent.info.get("island", 0)))
        return out

    def tell(self, candidates: list[Candidate], rng: np.random.Generator) -> None:
        for cand in candidates:
            if cand.status == REJECTED:
                continue
            if cand.operator == "seed":
                for i in range(self.islands):
                    self.pops.add(cand, i)
            elif cand.ok:
                self.pops.add(cand, int(cand.info.get("island", 0)) % self.islands)
            if cand.ok:
                self.grid.add(cand)
                self.pool = sorted(self.pool + [cand], key=Candidate.rank_key)[:16]
            if cand.operator in self.bandit.pulls:
                self.bandit.update(cand.operator, 1.0 if improved(cand, self.known) else 0.0)
            if self.systems is not None and "system" in cand.info:
                self.systems.credit(*cand.info["system"], 1.0 if improved(cand, self.known) else 0.0)
            if not cand.ok and self.repair and cand.operator not in ("repair", "tune") and len(self.repairs) < 2:
                self.repairs.append(cand)
            self.known[cand.id] = cand
        self.pops.tick()

    def archive(self) -> GridArchive:
        return self.grid

    def discarded(self) -> dict[str, int]:
        """Model answers dropped before evaluation (unusable, AST or near duplicates), by reason."""
        return dict(self.ops.unusable) if self.ops is not None else {}
