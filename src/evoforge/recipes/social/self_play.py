"""``self-play``: rounds of filtered behaviour cloning in the negotiation game ("Efficacy of Language
Model Self-Play in Non-Zero-Sum Games", Abdulhai et al., 2024). Each round the policy (a trainable
checkpoint) plays ``games`` sampled games, against the fixed opponent (the run's ``--model``) or
against itself (``opponent=self``); the dialogues whose reward passes the filter (a deal, and at
least the round's mean and ``min_reward``) become SFT rows (the policy's own moves), and the policy
is fine-tuned on them through the TRL path. ``warm_start=N`` adds N scripted games that reach a deal
(:func:`~evoforge.genomes.games.negotiation.scripted_mover`, both players' moves) to the first round's
data, so that a policy that never reaches a deal has deals to clone; ``learn_from_play=false`` is the
control: the same schedule on the warm-start data alone. Before the first round and after each one the policy
plays the same greedy evaluation games in both settings; the task scores them again from the record.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from evoforge.core.candidate import Candidate
from evoforge.core.recipe import param, register, state
from evoforge.core.task import Task
from evoforge.genomes.games import negotiation as ng

from ._base import SocialRecipe
from ._checkpoint_model import CheckpointModel

EVAL_SEED = 70_000  # evaluation games are the same every round
WARM_SEED = 90_000  # scripted warm-start games


@register("self-play")
@dataclass(kw_only=True)
class SelfPlay(SocialRecipe):
    summary = "filtered behaviour cloning in a negotiation game, against a fixed opponent or in self-play"
    game = "negotiation"
    default_budget = 4
    eval_timeout = 600.0

    batch_size: int = param(1, low=1, high=1, help="one candidate per round")
    opponent: str = param("self", choices=("self", "fixed"), help="training partner: the policy itself or --model")
    variant: str = param("semi-competitive", choices=ng.VARIANTS, help="what a player is rewarded for")
    base: str = param("embedded", help="starting policy: embedded | tiny | path to a checkpoint")
    workdir: str = param("", help="checkpoint folder (empty: $EVOFORGE_WEIGHTS_DIR or the user cache)")
    games: int = param(16, low=1, help="training games per round")
    eval_games: int = param(8, low=1, help="evaluation games per setting (greedy, the same every round)")
    max_turns: int = param(6, low=2, help="moves before a game ends without a deal")
    min_reward: float = param(1.0, low=0, help="a kept dialogue's reward is at least this (and the round's mean)")
    temperature: float = param(0.8, low=0, help="sampling temperature of training games")
    epochs: float = param(2.0, low=0, low_open=True, help="passes over each round's kept moves")
    lora: bool = param(True, help="train LoRA adapters instead of every weight")
    warm_start: int = param(0, low=0, help="scripted games that reach a deal, cloned with the first round's data")
    learn_from_play: bool = param(True, help="train on kept games (false: the control, warm-start data only)")

    round: int = state(0)
    current: str = state("")
    run_dir: str = state("")

    def setup(self, task: Task, rng: np.random.Generator) -> None:
        token = hashlib.blake2b(
            json.dumps([self.params_now(), int(rng.integers(2**31))], default=str).encode(), digest_size=6
        ).hexdigest()
        from evoforge.genomes.weights.models import weights_root

        self.run_dir = str(weights_root(self.workdir) / f"self-play-{token}")
        Path(self.run_dir).mkdir(parents=True, exist_ok=True)

    def params_now(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.params()}

    def policy(self, ckpt: str) -> Any:
        """The policy checkpoint as a model metered by the run (tests replace it with a scripted one)."""
        return CheckpointModel(ckpt, metered_by=self.model, cache_dir=Path(self.run_dir) / "gen-cache")

    def ask(self, n: int, rng: np.random.Generator) -> list[Candidate]:
        info: dict[str, Any] = {"round": self.round}
        if self.round == 0:
            from evoforge.genomes.weights.models import resolve

            self.current = str(resolve(self.base))
        else:
            rows, info["kept"] = self._training_rows(int(rng.integers(2**31))) if self.learn_from_play else ([], "-")
            if self.round == 1 and self.warm_start:
                warm = self._scripted_rows(self.warm_start)
                rows, info["warm_rows"] = rows + warm, len(warm)
            info["rows"] = len(rows)
            if rows:
                from evoforge.genomes.weights.train import TrainConfig, sft

                cfg = TrainConfig(lora=self.lora, epochs=self.epochs, batch_size=8, max_length=640, seed=self.round)
                self.current = str(sft(self.current, rows, Path(self.run_dir) / f"round-{self.round:02d}", cfg))
        records = self._evaluation_games()
        genome = {"game": self.game, "round": self.round, "checkpoint": self.current, "games": records}
        return [Candidate(genome=genome, operator=f"{self.opponent}-play-round", info=info)]

    def _play(self, seed: int, first: int, policy: Any, partner: Any, temperature: float) -> ng.Outcome:
        game = ng.new_game(seed, self.variant, self.max_turns)
        models = (policy, partner) if first == 0 else (partner, policy)  # the policy is player `first`

        def mover(p: int) -> Any:
            return lambda text, turn: self.say(
                text, seed=seed * 16 + turn, tag=f"move-{'policy' if models[p] is policy else 'opponent'}",
                model=models[p], temperature=temperature, max_tokens=24,
            )  # fmt: skip

        return ng.play(game, [mover(0), mover(1)], first=0)

    def _training_rows(self, seed: int) -> tuple[list[dict[str, str]], str]:
        policy = self.policy(self.current)
        partner = policy if self.opponent == "self" else self.model
        played = [(self._play(seed + i, i % 2, policy, partner, self.temperature), i % 2) for i in range(self.games)]
        sides = [(o, p) for o, side in played for p in ((0, 1) if self.opponent == "self" else (side,))]
        mean = float(np.mean([o.reward(p) for o, p in sides]))
        kept = [(o, p) for o, p in sides if o.agreed and o.reward(p) >= max(mean, self.min_reward)]
        rows = [
            {"prompt": ng.prompt(o.game, p, o.turns[:i]), "completion": " " + t["text"] + "\n"}
            for o, p in kept
            for i, t in enumerate(o.turns)
            if t["player"] == p and t["move"] != "invalid"
        ]
        return rows, f"{len(kept)}/{len(sides)}"

    def _scripted_rows(self, games: int) -> list[dict[str, str]]:
        """Both players' moves in ``games`` scripted games that reach a deal (seeds apart from training
        and evaluation games)."""
        rows = []
        for seed in range(WARM_SEED, WARM_SEED + 4 * games):
            game = ng.new_game(seed, self.variant, self.max_turns)
            o = ng.play(game, [ng.scripted_mover(game, 0), ng.scripted_mover(game, 1)])
            if o.agreed:
                rows += [{"prompt": ng.prompt(game, t["player"], o.turns[:i]), "completion": " " + t["text"] + "\n"}
                         for i, t in enumerate(o.turns)]  # fmt: skip
                games -= 1
            if games == 0:
                break
        return rows

    def _evaluation_games(self) -> list[dict[str, Any]]:
        policy, out = self.policy(self.current), []
        for setting, partner in (("fixed", self.model), ("self", policy)):
            for i in range(self.eval_games):
                o = self._play(EVAL_SEED + i, i % 2, policy, partner, 0.0)
                out.append({"setting": setting, "seed": EVAL_SEED + i, "policy": i % 2,
                            "variant": self.variant, "max_turns": self.max_turns,
                            "texts": [t["text"] for t in o.turns]})  # fmt: skip
        return out

    def tell(self, candidates: list[Candidate], rng: np.random.Generator) -> None:
        for cand in candidates:
            row = {"round": self.round, **cand.info, "score": cand.score, "checkpoint": self.current}
            row.update({k: v for k, v in cand.metrics.items() if k.startswith(("fixed_", "self_"))})
            self.history.append(row)
        self.round += 1

    def report(self, store: Any) -> str | None:
        head = f"self-play ({self.opponent} partner, {self.variant}): evaluation games, policy's means per game"
        lines = [head, "  round  kept    rows  | vs fixed: own  other  joint  deal | self-play: joint  deal | invalid"]
        for r in self.history:
            g = lambda k, r=r: float(r.get(k, float("nan")))  # noqa: E731
            lines.append(
                f"  {r['round']:>5}  {r.get('kept', '-'):>6}  {r.get('rows', 0):>4}  |  {g('fixed_own'):11.2f}  "
                f"{g('fixed_other'):5.2f}  {g('fixed_joint'):5.2f}  {g('fixed_agreed'):4.2f} | "
                f"{g('self_joint'):16.2f}  {g('self_agreed'):4.2f} | {g('fixed_invalid'):.2f}"
            )
        return "\n".join(lines)

    def answer(self, store: Any) -> dict[str, Any] | None:
        done = [r for r in self.history if r.get("score") is not None]
        if not done:
            return None
        on = f"{self.eval_games} greedy evaluation games against the fixed opponent (policy's reward)"
        out = {"what": "final policy checkpoint", "genome": done[-1]["checkpoint"], "score": done[-1]["score"]}
        out["score_on"] = f"{on}, round {done[-1]['round']}"
        if done[0]["round"] == 0:
            out["seed"] = {"score": done[0]["score"], "on": f"{on}: the starting policy (round 0)"}
        return out
