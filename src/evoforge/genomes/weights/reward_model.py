"""Learned reward models: a checkpoint with a scalar head, trained by TRL's ``RewardTrainer`` on
preference pairs (Bradley-Terry: the chosen text should score above the rejected one), then used to
score texts. One kind serves every learned scorer the self-training recipes need: an outcome reward
model (a whole answer), a process reward or preference model (a partial solution: the steps so far),
a model that labels its own next training set.

:func:`train_reward_model` starts from any causal-LM checkpoint (its backbone is copied under a fresh
one-output head), trains a LoRA adapter plus the head (or everything, ``lora=False``) and writes a
finished checkpoint like the other updates (resumable: the same update is not redone).
:func:`score` returns one float per ``(prompt, completion)``; with ``samples > 1`` it is Monte-Carlo
dropout on the head's input (UPO's uncertainty): the mean and standard deviation of ``samples``
stochastic passes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import models
from .train import TrainConfig, _args, _peft_config, _train, dataset


@dataclass
class RMConfig(TrainConfig):
    """TrainConfig for a reward model; ``lr`` defaults to 1e-3 for LoRA (+ head), 2e-5 for a full update."""

    max_length: int = 192

    def learning_rate(self) -> float:
        return self.lr if self.lr is not None else (1e-3 if self.lora else 2e-5)


def train_reward_model(
    start: str | Path, pairs: Sequence[dict[str, Any]], out: str | Path, cfg: RMConfig | None = None
) -> Path:
    """Train a reward model from ``start`` on ``{"prompt", "chosen", "rejected"}`` pairs (completions
    without the prompt); ``out`` becomes a finished checkpoint for :func:`score`."""
    cfg = cfg or RMConfig()
    bad = [p for p in pairs if not {"prompt", "chosen", "rejected"} <= set(p)]
    if bad:
        raise ValueError(f"reward model: a pair needs prompt, chosen and rejected, got {sorted(bad[0])}")
    path = _train("rm", start, pairs, out, cfg, make_trainer=_make_trainer(start))
    meta = models.read_meta(path)
    if "rm_start" not in meta:  # where the backbone came from: scoring rebuilds it from there
        meta["rm_start"] = str(start)
        models.mark_done(path, meta)
    return path


def is_reward_model(path: str | Path) -> bool:
    return models.finished(path) and models.read_meta(path).get("kind") == "rm"


def _classifier(lm: Any) -> Any:
    """A one-output sequence classifier whose backbone is ``lm``'s (the head starts at zero, so every
    text starts at the same score)."""
    import torch
    from transformers import AutoModelForSequenceClassification

    cfg = lm.config
    cfg.num_labels = 1
    cfg.pad_token_id = cfg.pad_token_id if cfg.pad_token_id is not None else cfg.eos_token_id
    clf = AutoModelForSequenceClassification.from_config(cfg, dtype=torch.float32)
    prefix = lm.base_model_prefix
    getattr(clf, prefix).load_state_dict(getattr(lm, prefix).state_dict())
    torch.nn.init.zeros_(clf.score.weight)
    return clf.to(lm.device)


def _make_trainer(start: str | Path) -> Any:
    def make(lm: Any, tok: Any, rows: Sequence[dict[str, Any]], cfg: RMConfig, tmp: Path, key: str) -> Any:
        from trl import RewardConfig, RewardTrainer

        model = _classifier(lm)
        if cfg.lora:
            for p in model.parameters():
                p.requires_grad_(False)
        args = _args(RewardConfig, cfg, tmp, len(rows), center_rewards_coefficient=None, gradient_checkpointing=False)
        return RewardTrainer(
            model=model,
            args=args,
            train_dataset=dataset(rows, key),
            processing_class=tok,
            peft_config=_peft_config(cfg, "SEQ_CLS"),  # the head is trained in full beside the adapter
        )

    return make


def load_reward_model(path: str | Path) -> tuple[Any, Any]:
    """The reward model at ``path`` (frozen, reused in-process) and its tokenizer."""
    p = Path(path)
    if not is_reward_model(p):
        raise ValueError(f"{p}: not a finished reward model")
    key = f"rm|{p.resolve()}|{models.fingerprint(p)}"
    held = models.loaded(key)
    if held is not None:
        return held
    models.forget()  # one model in memory at a time
    start = models.read_meta(p)["rm_start"]
    if (p / "adapter_config.json").is_file():
        from peft import PeftModel

        lm, tok = models.load(start, trainable=True)
        model = PeftModel.from_pretrained(_classifier(lm), str(p)).merge_and_unload()
        del lm
    else:
        from transformers import AutoModelForSequenceClassification, AutoTokenizer

        model = AutoModelForSequenceClassification.from_pretrained(str(p), local_files_only=True)
        tok = AutoTokenizer.from_pretrained(str(p), local_files_only=True)
    if tok.pad_token is None:
        tok.pad_token = tok.eos_token
    model.to(models.device()).eval()
    return models.keep_loaded(key, (model, tok))


def score(
    path: str | Path,
    prompts: Sequence[str],
    completions: Sequence[str],
    *,
    batch_size: int = 32,
    samples: int = 1,
    dropout: float = 0.1,
    seed: int = 0,
) -> list[float] | tuple[list[float], list[float]]:
    """The reward of each ``prompt + completion``; with ``samples > 1``, ``(means, stds)`` over that many
    passes with dropout (rate ``dropout``) on the head's input."""
    import torch

    if len(prompts) != len(completions):
        raise ValueError("score: prompts and completions differ in length")
    model, tok = load_reward_model(path)
    texts = [p + c for p, c in zip(prompts, completions)]
    pad = model.config.pad_token_id
    gen = torch.Generator().manual_seed(seed)
    runs: list[list[float]] = [[] for _ in range(max(1, samples))]
    with torch.no_grad():
        for i in range(0, len(texts), batch_size):
            enc = tok(texts[i : i + batch_size], return_tensors="pt", padding=True, truncation=True)
            enc = {k: v.to(model.device) for k, v in enc.items()}
            hidden = getattr(model, model.base_model_prefix)(**enc).last_hidden_state
            ids = enc["input_ids"]  # the head reads the last token that is not padding (as the model does)
            last = (torch.arange(ids.shape[-1], device=ids.device) * (ids != pad)).argmax(-1)
            pooled = hidden[torch.arange(len(ids), device=ids.device), last]
            for run in runs:  # the backbone once; the head once per Monte-Carlo dropout pass
                x = pooled if samples <= 1 else pooled * _dropout_mask(pooled.shape, dropout, gen).to(pooled)
                run += model.score(x)[:, 0].float().tolist()
    if samples <= 1:
        return runs[0]
    t = torch.tensor(runs)
    return t.mean(0).tolist(), t.std(0, unbiased=False).tolist()


def _dropout_mask(shape: Any, rate: float, gen: Any) -> Any:
    """An inverted-dropout mask: each unit kept with probability ``1 - rate`` and scaled by its inverse."""
    import torch

    keep = 1.0 - rate
    return (torch.rand(shape, generator=gen) < keep).float() / max(keep, 1e-9)


def pair_accuracy(path: str | Path, pairs: Sequence[dict[str, Any]]) -> float:
    """The share of ``pairs`` whose chosen text the reward model scores above the rejected one (the
    reward model's accuracy monitor)."""
    if not pairs:
        return float("nan")
    prompts = [p["prompt"] for p in pairs]
    chosen = score(path, prompts, [p["chosen"] for p in pairs])
    rejected = score(path, prompts, [p["rejected"] for p in pairs])
    return sum(c > r for c, r in zip(chosen, rejected)) / len(pairs)  # type: ignore[operator]
