"""The generation-verification gap measured with the model's *own* verification ("Mind the Gap: Examining
the Self-Improvement Capabilities of Large Language Models", Song et al., 2024): a model can improve on
its own samples only as far as it can tell its right answers from its wrong ones.

Each sample is shown back to the same checkpoint with a question ("Is that answer right?"); its verdict
is the sign of ``logit(" yes") - logit(" no")`` at the next token (one forward pass, no sampling, so a
model that never learned to say yes or no still gives a verdict). From the verdicts and the gold answers
(which the verdicts never see):

- ``sv_acc``: verdicts that match the truth; ``sv_accept``: the share judged right;
- ``sv_precision``: the accuracy of the samples judged right (None when none is);
- ``sv_gap``: ``sv_precision - pass1``, what keeping only the samples the model judges right adds over
  keeping them all (> 0: its own verification is a signal to learn from; about 0: it is chance);
- ``sv_pick_acc``: per problem, the accuracy of the sample with the highest verdict score (best-of-k;
  with one sample per problem it is pass@1).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from . import models

if TYPE_CHECKING:
    from .task import WeightsTask

ASK = "\nIs that answer right? Reply yes or no.\nReply:"


def verify_prompt(prompt: str, sample: str) -> str:
    """The task prompt, the model's answer, and the question about it."""
    return f"{prompt}{sample}{ASK}"


def verdict_scores(ckpt: str | Path, prompts: Sequence[str], *, batch_size: int = 32) -> list[float]:
    """``logit(" yes") - logit(" no")`` at the token after each prompt (> 0: the model says yes)."""
    import torch

    model, tok = models.load(ckpt)
    tok.padding_side = "left"
    yes, no = _answer_tokens(tok)
    dev = next(model.parameters()).device
    out: list[float] = []
    with torch.inference_mode():
        for start in range(0, len(prompts), batch_size):
            chunk = list(prompts[start : start + batch_size])
            enc = tok(chunk, return_tensors="pt", padding=True, add_special_tokens=False).to(dev)
            last = model(**enc).logits[:, -1, :]  # left padding: the last position is each prompt's end
            out += (last[:, yes] - last[:, no]).float().tolist()
    return out


def _answer_tokens(tok) -> tuple[int, int]:
    """The first token of " yes" and of " no" (without the space where a tokenizer starts both alike)."""
    for yes, no in ((" yes", " no"), ("yes", "no")):
        a, b = (tok(w, add_special_tokens=False)["input_ids"][0] for w in (yes, no))
        if a != b:
            return a, b
    raise ValueError("the tokenizer starts 'yes' and 'no' with the same token")


def own_verification(
    ckpt: str | Path, task: WeightsTask, questions: Sequence[str], samples: Sequence[Sequence[str]]
) -> dict[str, float | None]:
    """The monitors above for ``samples`` (k per question) of ``ckpt``, verified by ``ckpt`` itself."""
    flat = [(q, s) for q, ss in zip(questions, samples) for s in ss]
    if not flat:
        return {}
    scores = verdict_scores(ckpt, [verify_prompt(task.prompt(q), s) for q, s in flat])
    right = [task.correct(q, s) for q, s in flat]
    said = [v > 0 for v in scores]
    accepted = [r for r, y in zip(right, said) if y]
    picks, i = [], 0
    for ss in samples:
        if ss:
            best = int(np.argmax(scores[i : i + len(ss)]))
            picks.append(right[i + best])
        i += len(ss)
    precision = float(np.mean(accepted)) if accepted else None
    return {
        "sv_acc": float(np.mean([r == y for r, y in zip(right, said)])),
        "sv_accept": float(np.mean(said)),
        "sv_precision": precision,
        "sv_gap": precision - float(np.mean(right)) if precision is not None else None,
        "sv_pick_acc": float(np.mean(picks)) if picks else 0.0,
    }
