"""The RL side of the self-training loop: a recipe whose ``build`` returns kind ``"rl"`` and rows
``{"prompt", "label"}`` is trained by GRPO or RLOO (:mod:`evoforge.genomes.weights.rl`) with the reward "the
completion's answer equals the row's label" -- a verifier when the label is the gold answer, a
pseudo-label when it is a majority vote. The completions the trainer sampled and scored give the round's
monitors (pass@1, pass@k, maj@k, diversity over each group of ``group`` samples, as the policy sampled
them during the update), the mean reward and the share of groups that gave a gradient (not all equal)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from evoforge.core.recipe import param
from evoforge.genomes.weights.monitors import sample_monitors
from evoforge.genomes.weights.rl import ALGOS, RLConfig, rl

from ._base import SelfTraining


@dataclass(kw_only=True)
class RLRound(SelfTraining):
    """Base of the RL self-training recipes (not registered itself)."""

    from_base: ClassVar[bool] = False  # on-policy: each round continues from the current model
    reward_label: ClassVar[str] = "answer-equals-label"  # names the reward in the update's identity

    algo: str = param("grpo", choices=list(ALGOS), help="the RL update: grpo (group-relative) or rloo (leave-one-out)")
    group: int = param(4, low=2, help="completions sampled per prompt during the update (GRPO's group)")
    rl_temperature: float = param(1.0, low=0, low_open=True, help="sampling temperature of the update")
    kl: float = param(0.0, low=0, help="KL penalty to the round's starting model (0: none)")
    rl_lr: float = param(5e-4, low=0, low_open=True, help="learning rate of the RL update (when lr is 0)")
    epochs: float = param(1.0, low=0, low_open=True, help="passes over each round's prompts")
    train_batch: int = param(16, low=1, help="completions per optimizer step (a multiple of group)")

    def __getstate__(self) -> dict[str, Any]:
        state = super().__getstate__()
        state.pop("_seen", None)  # the samples of an update in progress
        return state

    def reward(self, prompts: list[str], completions: list[str], label: list[str], **columns: Any) -> list[float]:
        """1 when the completion's answer is the row's label, else 0; the seen samples feed the monitors."""
        T = self.T
        seen = getattr(self, "_seen", None)  # set during an update only (never stored with the run)
        out = []
        for p, c, lab in zip(prompts, completions, label):
            if seen is not None:
                seen.setdefault(p, (lab, []))[1].append(c)
            out.append(1.0 if T.answer(c) == lab else 0.0)
        return out

    def update(self, kind: str, start: str, rows: list[dict[str, Any]], out: Path, monitors: dict[str, Any]) -> Path:
        if kind != "rl":
            return super().update(kind, start, rows, out, monitors)
        self._seen: dict[str, tuple[str, list[str]]] | None = {}
        cfg = RLConfig(
            algo=self.algo,
            group=self.group,
            temperature=self.rl_temperature,
            max_new_tokens=self.T.MAX_NEW_TOKENS,
            kl=self.kl,
            lora=self.lora,
            lora_r=self.lora_r,
            lr=self.lr or self.rl_lr,
            epochs=self.epochs,
            batch_size=self.train_batch,
            seed=self.round,
            reward_name=f"{self.name}:{self.reward_label}",
        )
        try:
            ckpt = rl(start, rows, self.reward, out, cfg)
        finally:
            seen, self._seen = self._seen, None
        if seen:  # (absent when this very update was done before: a resumed round)
            labels = {r["prompt"]: r for r in rows}
            prompts = [p for p in seen if p in labels]
            sampled = sample_monitors([labels[p]["question"] for p in prompts], [seen[p][1] for p in prompts], self.T)
            rewarded = [sum(self.T.answer(c) == seen[p][0] for c in seen[p][1]) for p in prompts]
            for k, v in {**sampled, "gv_gap": sampled["passk"] - sampled["pass1"]}.items():  # as sampled in the update
                monitors.setdefault(k, v)
            monitors["rl_reward"] = sum(rewarded) / max(1, sum(len(seen[p][1]) for p in prompts))
            # a group whose completions all score the same gives no gradient (zero advantage)
            monitors["rl_informative"] = sum(0 < r < len(seen[p][1]) for r, p in zip(rewarded, prompts)) / max(
                1, len(prompts)
            )
        return ckpt
