"""The outer loop shared by every self-training recipe: one engine batch = one round.

Round 0 proposes the starting checkpoint (the base model after a short supervised warm start on a few
gold examples, since SmolLM2-135M is near zero on sums). Each later round ``ask`` draws training
problems, samples the current model (batched, seeded, cached on disk), lets the recipe filter, vote or
judge (:meth:`SelfTraining.build`), trains a new checkpoint through TRL and returns it as the one
candidate; the engine's evaluation measures its held-out accuracy and ``tell`` makes it current.
Checkpoints live in ``<workdir>/<recipe>-<token>/round-NN`` (``workdir``: the recipe parameter, else
``$EVOFORGE_WEIGHTS_DIR``, else ``~/.cache/evoforge/weights``); the recipe object keeps only paths.
A run killed mid-round resumes at that round: generations come back from the cache and a finished
update is not redone.

Monitors recorded in each candidate's metrics: held-out accuracy (the score), ``pass1`` / ``passk`` /
``majk`` on the round's training problems, ``diversity`` (distinct answers per problem / k),
``gv_gap`` (the generation-verification gap: accuracy after the recipe's own verification minus
pass@1), accepted samples and dataset size.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from evoforge.core.candidate import Candidate
from evoforge.core.errors import ConfigError
from evoforge.core.recipe import Recipe, param, state
from evoforge.core.task import Task
from evoforge.genomes.weights import models
from evoforge.genomes.weights.generate import generate
from evoforge.genomes.weights.models import weights_root
from evoforge.genomes.weights.own_verification import own_verification
from evoforge.genomes.weights.task import CheckpointTask, EpisodeTask, WeightsTask
from evoforge.genomes.weights.train import TrainConfig, dpo, sft

from ._rl_round import RLRound, rl_config

WARM_SEED = 999_983  # the seed data (warm-start problems) are the same for every run


def seed_rows(task: WeightsTask, n: int, hints: int) -> list[dict[str, str]]:
    """``n`` gold examples of ``task`` (the same for every run), plus ``hints`` of them again with the
    answer shown as a hint (so the model can rationalize: explain a given answer)."""
    if not n:
        return []
    qs = task.train_problems(n, WARM_SEED)
    rows = [{"prompt": task.prompt(q), "completion": task.solution(q)} for q in qs]
    return rows + [{"prompt": task.prompt(q, hint=task.gold(q)), "completion": task.solution(q)} for q in qs[:hints]]


def warm_config(
    *, lora: bool = True, lora_r: int = 16, lr: float = 0.0, epochs: float = 2.0, batch_size: int = 8
) -> TrainConfig:
    """The warm start's training settings (seed 0, fixed batch: recipes share one warm checkpoint)."""
    return TrainConfig(lora=lora, lora_r=lora_r, lr=lr or None, epochs=epochs, batch_size=batch_size, seed=0)


def warm_checkpoint(base: str | Path, rows: list[dict[str, str]], cfg: TrainConfig, workdir: str = "") -> Path:
    """The supervised warm start of ``base`` on ``rows``, trained once per (base, rows, settings) and
    shared by every run under the weights folder."""
    from evoforge.genomes.weights.train import data_key

    return sft(base, rows, weights_root(workdir) / f"warm-{data_key('sft', base, rows, cfg)}", cfg)


@dataclass(kw_only=True)
class SelfTraining(Recipe):
    """Base of the self-training recipes (not registered itself). A recipe defines :meth:`build` and
    composes the mechanisms it uses (a DPO or RL update, a reward model, a tree search ...) from the
    family's helper modules; it reaches its task through :attr:`task_value` (or :attr:`episode_task`)."""

    genomes = ("weights",)
    task_type: ClassVar[type[CheckpointTask]] = WeightsTask  # the contract the task's TASK must fulfil
    dedupe = False
    eval_timeout: ClassVar[float] = 3600.0
    from_base: ClassVar[bool] = True  # each round trains from the starting checkpoint (else from current)
    uses_labels: ClassVar[bool] = True
    default_budget: ClassVar[int] = 4  # rounds (one evaluation each) when no --budget is given

    batch_size: int = param(1, low=1, help="candidates per batch (a round proposes one checkpoint)")
    base: str = param("embedded", help="starting model: embedded | embedded:coder | tiny[:seed:LxW] | a checkpoint")
    workdir: str = param("", help="checkpoint folder (empty: $EVOFORGE_WEIGHTS_DIR or the user cache)")
    problems: int = param(64, low=0, help="training problems per round (0: none; with mix_seed the control arm)")
    samples: int = param(4, low=1, help="k samples per problem")
    temperature: float = param(0.8, low=0, help="sampling temperature")
    top_p: float = param(1.0, low=0, low_open=True, high=1, help="nucleus sampling mass")
    warm_start: int = param(48, low=0, help="gold examples for the supervised warm start (0: none)")
    warm_epochs: float = param(2.0, low=0, help="passes over the warm-start examples")
    warm_hints: int = param(16, low=0, help="seed examples repeated with the answer as a hint (rationalization)")
    warm_batch: int = param(8, low=1, help="the warm start's batch (fixed, so recipes share one warm checkpoint)")
    # kept on: the benchmark's control arm (the same rounds on these rows alone) loses 4.5 points, so the
    # recipes' gains come from their new data, not from re-training on the warm-start rows
    mix_seed: bool = param(True, help="add the warm-start examples to every round's data")
    lora: bool = param(True, help="train LoRA adapters instead of every weight")
    lora_r: int = param(16, low=1, help="LoRA rank")
    lr: float = param(0.0, low=0, help="learning rate (0: 1e-3 for LoRA, 5e-5 for a full fine-tune)")
    epochs: float = param(2.0, low=0, low_open=True, help="passes over each round's data")
    train_batch: int = param(8, low=1, help="training batch size")
    gen_batch: int = param(64, low=1, help="prompts per generation batch")
    own_verify: bool = param(False, help="the model verifies its own samples each round: sv_* monitors")

    round: int = state(0)
    current: str = state("")  # the current checkpoint
    start: str = state("")  # the starting checkpoint (after the warm start)
    current_id: int = state(-1)  # the current checkpoint's candidate id
    run_dir: str = state("")
    history: list = state(factory=list)  # one row of monitors per round
    task_ref: str = state("")
    task_options: dict[str, Any] = state(factory=dict)
    _task_value: CheckpointTask | None = state()  # the task's TASK; not pickled: reloaded from task_ref

    # -- set-up ---------------------------------------------------------------------------------
    def report(self, store: Any) -> str | None:
        """The per-round table (held-out accuracy, pass@k, diversity, ...) for ``evoforge show``."""
        import io

        from evoforge.genomes.weights.report import round_table

        return round_table(store.path, file=io.StringIO())

    @classmethod
    def plot_extra(cls, ax: Any, store: Any) -> None:
        """The per-round monitors (quality, diversity, the gaps, self-preference) for ``evoforge plot``."""
        from evoforge.genomes.weights.report import draw_monitors

        draw_monitors(ax, store)

    def check_task(self, task: Task) -> None:
        """Refuse a task that is not a weights task of the contract this recipe reads (``task_type``)."""
        super().check_task(task)
        if not isinstance(task.value, self.task_type):
            raise ConfigError(
                f"recipe {self.name!r} needs a task whose TASK is a {self.task_type.__name__} "
                f"(evoforge.genomes.weights.task); task {task.name!r} has {type(task.value).__name__}"
            )

    def setup(self, task: Task, rng: np.random.Generator) -> None:
        self.task_ref, self.task_options = task.ref, dict(task.options)
        params = {k: getattr(self, k) for k in self.params()}
        token = hashlib.blake2b(
            json.dumps(
                [self.name, params, task.ref, task.options, int(rng.integers(2**31))], sort_keys=True, default=str
            ).encode(),
            digest_size=6,
        ).hexdigest()
        self.run_dir = str(weights_root(self.workdir) / f"{self.name}-{token}")
        Path(self.run_dir).mkdir(parents=True, exist_ok=True)

    def _loaded(self) -> CheckpointTask:
        from evoforge.core.task import load_task

        if self._task_value is None:
            self._task_value = load_task(self.task_ref, self.task_options).value
        return self._task_value

    @property
    def task_value(self) -> WeightsTask:
        """The task's problems, prompt, checker ... (:class:`WeightsTask`), loaded again after unpickling."""
        value = self._loaded()
        if not isinstance(value, WeightsTask):
            raise ConfigError(f"recipe {self.name!r}: task {self.task_ref!r} is not a WeightsTask")
        return value

    @property
    def episode_task(self) -> EpisodeTask:
        """The task's training items and episodes (:class:`EpisodeTask`), for the agent recipes."""
        value = self._loaded()
        if not isinstance(value, EpisodeTask):
            raise ConfigError(f"recipe {self.name!r}: task {self.task_ref!r} is not an EpisodeTask")
        return value

    def __getstate__(self) -> dict[str, Any]:
        state = super().__getstate__()
        state.pop("_task_value", None)
        return state

    def config(self, **over: Any) -> TrainConfig:
        cfg = TrainConfig(
            lora=self.lora,
            lora_r=self.lora_r,
            lr=self.lr or None,
            epochs=self.epochs,
            batch_size=self.train_batch,
            seed=self.round,
        )
        for k, v in over.items():
            setattr(cfg, k, v)
        return cfg

    def seed_rows(self) -> list[dict[str, str]]:
        """The seed data: ``warm_start`` gold examples, plus ``warm_hints`` of them again with the answer
        shown as a hint (so the model can rationalize: explain a given answer)."""
        return seed_rows(self.task_value, self.warm_start, self.warm_hints)

    def sample(
        self,
        ckpt: str,
        prompts: list[str],
        n: int,
        seed: int,
        temperature: float | None = None,
        max_new_tokens: int | None = None,
    ) -> list[list[str]]:
        return generate(
            ckpt,
            prompts,
            n=n,
            temperature=self.temperature if temperature is None else temperature,
            top_p=self.top_p,
            max_new_tokens=max_new_tokens or self.task_value.max_new_tokens,
            seed=seed,
            batch_size=self.gen_batch,
            cache=Path(self.run_dir) / "gen-cache",
        )

    def own_verification_monitors(self, questions: list[str], samples: list[list[str]]) -> dict[str, Any]:
        """With ``own_verify``: the generation-verification gap of this round's samples as the current
        model itself verifies them (:mod:`evoforge.genomes.weights.own_verification`); else nothing."""
        return own_verification(self.current, self.task_value, questions, samples) if self.own_verify else {}

    def save_rows(self, name: str, rows: list[dict[str, Any]]) -> str:
        path = Path(self.run_dir) / f"{name}.json"
        path.write_text(json.dumps(rows))
        return str(path)

    def round_rows(self, rounds: range) -> list[dict[str, Any]]:
        """The rows saved as ``data-NN`` (:meth:`save_rows`) by the given rounds, in order."""
        return [r for i in rounds for r in json.loads((Path(self.run_dir) / f"data-{i:02d}.json").read_text())]

    # -- the round ------------------------------------------------------------------------------
    def ask(self, n: int, rng: np.random.Generator) -> list[Candidate]:
        if self.round == 0:
            return [self._round_zero()]
        seed = int(rng.integers(2**31))
        kind, rows, monitors = self.build(self.questions(seed), seed, rng)
        if self.mix_seed and kind == "sft":
            rows = rows + self.seed_rows()
        monitors.update(dataset=len(rows), round=self.round)
        start = self.start if self.from_base else self.current
        out = Path(self.run_dir) / f"round-{self.round:02d}"
        if not rows:
            monitors["skipped"] = "no training data this round"
            ckpt = Path(self.current)
        else:
            ckpt = self.update(kind, start, rows, out, monitors)
        return [
            Candidate(
                genome=str(ckpt),
                parents=[self.current_id] if self.current_id >= 0 else [],
                operator=f"{self.name}-round",
                info={"round": self.round, "monitors": monitors},
            )
        ]

    def questions(self, seed: int) -> list[str]:
        """This round's training problems (disjoint from the held-out set)."""
        return self.task_value.train_problems(self.problems, seed)

    def train_overrides(self, kind: str) -> dict[str, Any]:
        """Settings of the round's update beside the recipe's own (a DPO recipe's beta, nll, lr ...)."""
        return {}

    def rl_settings(self) -> dict[str, Any]:
        """RL settings of this round's update over the recipe's parameters (a recipe with stages)."""
        return {}

    def update(self, kind: str, start: str, rows: list[dict[str, Any]], out: Path, monitors: dict[str, Any]) -> Path:
        """Train the round's checkpoint: SFT, DPO, or ``rl``: an on-line RL round rewarded by the recipe's
        ``reward(prompts, completions, label, ...)`` (recipes may add kinds and monitors)."""
        if kind == "rl":
            cfg = dataclasses.replace(rl_config(self), **self.rl_settings())
            return RLRound(self.task_value, cfg).update(start, rows, out, monitors, self.reward)
        return (sft if kind == "sft" else dpo)(start, rows, out, self.config(**self.train_overrides(kind)))

    def _round_zero(self) -> Candidate:
        base = models.resolve(self.base)
        rows = self.seed_rows()
        if rows:
            cfg = warm_config(
                lora=self.lora, lora_r=self.lora_r, lr=self.lr, epochs=self.warm_epochs, batch_size=self.warm_batch
            )
            ckpt = warm_checkpoint(base, rows, cfg, self.workdir)
            op = "warm-start"
        else:
            ckpt, op = base, "base"
        return Candidate(
            genome=str(ckpt), operator=op, info={"round": 0, "monitors": {"round": 0, "dataset": len(rows)}}
        )

    def build(self, questions: list[str], seed: int, rng: np.random.Generator) -> tuple[str, list[dict], dict]:
        """Sample, filter/vote/judge: return ("sft" | "dpo" | an RL kind, rows, monitors)."""
        raise NotImplementedError

    def tell(self, candidates: list[Candidate], rng: np.random.Generator) -> None:
        for cand in candidates:
            monitors = dict(cand.info.get("monitors", {}))
            if cand.ok:
                cand.metrics.update({k: v for k, v in monitors.items() if k not in cand.metrics})
                self.current, self.current_id = str(cand.genome), cand.id
                if self.round == 0:
                    self.start = self.current
            elif self.round == 0:
                self.current = self.start = str(cand.genome)
            self.history.append(
                {
                    "round": self.round,
                    "score": cand.score,
                    "status": cand.status,
                    "checkpoint": str(cand.genome),
                    **monitors,
                }
            )
        self.round += 1

    def archive(self) -> list[dict[str, Any]]:
        return list(self.history)

    def answer(self, store: Any) -> dict[str, Any] | None:
        """The final checkpoint (the last round that evaluated) with its held-out accuracy, and the
        starting checkpoint (round 0) measured the same way as the seed."""
        done = [h for h in self.history if h.get("status") == "ok"]
        if not self.current or not done:
            return None
        on = "the task's held-out problems"
        out = {"what": "final checkpoint", "genome": self.current, "candidate": self.current_id}
        out.update(score=done[-1]["score"], score_on=f"{on} (round {done[-1]['round']})")
        if done[0].get("round") == 0:
            out["seed"] = {"score": done[0]["score"], "on": f"{on}: the starting checkpoint (round 0)"}
        return out
