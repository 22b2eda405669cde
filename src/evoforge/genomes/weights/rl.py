"""Reinforcement-learning updates through TRL: GRPO (``GRPOTrainer``: group-relative advantages) or
RLOO (``RLOOTrainer``: leave-one-out baseline), beside :func:`.train.sft` and :func:`.train.dpo`.

:func:`rl` starts from a checkpoint, samples ``group`` completions per prompt *during* training (the
policy's own, on-line), scores them with a reward function and writes a new checkpoint (a LoRA adapter
stacked on ``start``, or a full model), resumable like the other updates. The reward is any callable
``reward(prompts=[...], completions=[...], **columns) -> [float, ...]``: a verifier (the task's checker
on a ``question`` column), a pseudo-label (agreement with a majority vote in a ``label`` column), or a
learned reward model wrapped the same way. Every extra column of the rows reaches the reward, one value
per completion. Completions end at ``stop`` (a newline, as in generation): it is an end-of-sequence
token for sampling and for the loss, and the reward sees the text before it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .train import TrainConfig, _peft_config, _train, dataset, trainer_defaults

Reward = Callable[..., Sequence[float]]
ALGOS = ("grpo", "rloo")


@dataclass
class RLConfig(TrainConfig):
    """TrainConfig plus the on-line RL settings. ``batch_size`` counts completions per optimizer step
    (rounded to a multiple of ``group``); ``lr`` defaults to 5e-4 for LoRA, 1e-5 for a full update."""

    algo: str = "grpo"  # grpo | rloo
    group: int = 4  # completions per prompt (GRPO's group, RLOO's k)
    temperature: float = 1.0
    max_new_tokens: int = 32
    kl: float = 0.0  # weight of the KL penalty to the starting model (0: no reference model is kept)
    stop: str | None = "\n"
    reward_name: str = ""  # part of the update's identity (the reward function's name when empty)

    def learning_rate(self) -> float:
        return self.lr if self.lr is not None else (5e-4 if self.lora else 1e-5)


def rl(
    start: str | Path,
    rows: Sequence[dict[str, Any]],
    reward: Reward,
    out: str | Path,
    cfg: RLConfig | None = None,
) -> Path:
    """Train ``start`` by GRPO or RLOO on ``{"prompt", ...columns}`` rows with ``reward``."""
    cfg = cfg or RLConfig()
    if cfg.algo not in ALGOS:
        raise ValueError(f"rl: algo must be one of {', '.join(ALGOS)}, got {cfg.algo!r}")
    if cfg.group < 2:
        raise ValueError("rl: group must be >= 2 (advantages compare completions of one prompt)")
    if not cfg.reward_name:
        cfg.reward_name = getattr(reward, "__qualname__", type(reward).__name__)

    def make(model: Any, tok: Any, rows: Sequence[dict[str, Any]], cfg: RLConfig, tmp: Path, key: str) -> Any:
        return _rl_trainer(model, tok, rows, reward, cfg, tmp, key)

    return _train(cfg.algo, start, rows, out, cfg, make_trainer=make)


def cut(text: str, stop: str | None) -> str:
    """The completion up to ``stop`` (what generation returns and what the reward judges)."""
    return text.split(stop, 1)[0] if stop else text


def _reward_fn(reward: Reward, stop: str | None, name: str) -> Callable[..., list[float]]:
    def scored(prompts: list[Any], completions: list[Any], **columns: Any) -> list[float]:
        texts = [cut(c if isinstance(c, str) else str(c), stop) for c in completions]
        extra = {
            k: v for k, v in columns.items() if k not in ("completion_ids", "trainer_state", "log_extra", "log_metric")
        }
        values = [float(v) for v in reward(prompts=list(prompts), completions=texts, **extra)]
        if len(values) != len(texts):
            raise ValueError(f"reward {name!r} returned {len(values)} values for {len(texts)} completions")
        return values

    scored.__name__ = name.replace(".", "_").replace("<", "").replace(">", "") or "reward"
    return scored


def _rl_trainer(
    model: Any, tok: Any, rows: Sequence[dict[str, Any]], reward: Reward, cfg: RLConfig, tmp: Path, key: str
) -> Any:

    if cfg.stop:  # the stop text ends a completion: sampling stops there and the loss ignores what follows
        ids = tok(cfg.stop, add_special_tokens=False)["input_ids"]
        eos = model.generation_config.eos_token_id
        eos = [] if eos is None else [eos] if isinstance(eos, int) else list(eos)
        if tok.eos_token_id is not None and tok.eos_token_id not in eos:
            eos.insert(0, tok.eos_token_id)
        if len(ids) == 1 and ids[0] not in eos:
            model.generation_config.eos_token_id = [*eos, ids[0]]
    if cfg.algo == "grpo":
        from trl import GRPOConfig as Config
        from trl import GRPOTrainer as Trainer
    else:
        from trl import RLOOConfig as Config  # type: ignore[assignment]
        from trl import RLOOTrainer as Trainer  # type: ignore[assignment]
    batch = max(cfg.group, cfg.batch_size // cfg.group * cfg.group)
    steps = max(1, -(-len(rows) * cfg.group // batch))
    args = Config(
        **trainer_defaults(cfg, tmp, steps),
        per_device_train_batch_size=batch,
        num_generations=cfg.group,
        max_completion_length=cfg.max_new_tokens,
        temperature=cfg.temperature,
        top_k=0,
        beta=cfg.kl,
    )
    return Trainer(
        model=model,
        reward_funcs=[_reward_fn(reward, cfg.stop, cfg.reward_name)],
        args=args,
        train_dataset=dataset(rows, key),
        processing_class=tok,
        peft_config=_peft_config(cfg),
    )
