"""Weight updates through TRL: supervised fine-tuning (``SFTTrainer``) and preference optimisation
(``DPOTrainer``, optionally with an NLL term and per-pair weights), as a LoRA adapter (PEFT) or a full
fine-tune. Every call starts from a checkpoint, writes a new checkpoint directory and marks it
finished last, so a killed update leaves no half-written checkpoint that looks complete.

LoRA checkpoints stack: a new adapter is trained on the merged ``start`` model and records the chain
of adapters under it, so iterative recipes (DPO from the previous round) stay a few MB per round.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from . import models


@dataclass
class TrainConfig:
    """Hyper-parameters shared by SFT and DPO."""

    lora: bool = True
    lora_r: int = 16
    lora_alpha: int = 32
    lr: float | None = None  # default: 1e-3 for LoRA, 5e-5 for a full fine-tune
    epochs: float = 1.0
    batch_size: int = 8
    max_length: int = 128
    seed: int = 0
    beta: float = 0.1  # DPO temperature
    nll: float = 1.0  # weight of the NLL (chosen) term added to DPO; 0 for plain DPO
    target_modules: list[str] = field(
        default_factory=lambda: ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]
    )

    def learning_rate(self) -> float:
        return self.lr if self.lr is not None else (1e-3 if self.lora else 5e-5)


def data_key(kind: str, start: str | Path, rows: Sequence[dict[str, Any]], cfg: TrainConfig) -> str:
    """Identity of an update: what it starts from, its data and its settings."""
    h = hashlib.blake2b(digest_size=12)
    h.update(
        json.dumps([kind, models.fingerprint(start), list(rows), asdict(cfg)], sort_keys=True, default=str).encode()
    )
    return h.hexdigest()


def sft(start: str | Path, examples: Sequence[dict[str, Any]], out: str | Path, cfg: TrainConfig | None = None) -> Path:
    """Fine-tune ``start`` on ``{"prompt", "completion"}`` examples (loss on the completion only)."""
    cfg = cfg or TrainConfig()
    return _train("sft", start, examples, out, cfg)


def dpo(start: str | Path, pairs: Sequence[dict[str, Any]], out: str | Path, cfg: TrainConfig | None = None) -> Path:
    """Preference-optimise ``start`` on ``{"prompt", "chosen", "rejected"[, "weight"]}`` pairs against
    ``start`` itself as the reference: DPO (sigmoid) plus ``cfg.nll`` times the chosen NLL. With a
    ``weight`` column each pair's loss is scaled by its weight (ScPO's vote margin); pairs then go one
    per micro-batch, so the weighting is exact."""
    cfg = cfg or TrainConfig()
    return _train("dpo", start, pairs, out, cfg)


def _train(
    kind: str,
    start: str | Path,
    rows: Sequence[dict[str, Any]],
    out: str | Path,
    cfg: TrainConfig,
    make_trainer: Any = None,
) -> Path:
    """Train ``start`` into the checkpoint ``out`` (skipped when ``out`` holds this very update).
    ``make_trainer(model, tok, rows, cfg, tmp, key)``: the TRL trainer (default: SFT or DPO by ``kind``)."""
    out, start = Path(out), Path(start)
    key = data_key(kind, start, rows, cfg)
    if models.finished(out) and models.read_meta(out).get("key") == key:
        return out  # this very update was done before (a resumed or repeated run)
    if not rows:
        raise ValueError(f"{kind}: no training data")
    shutil.rmtree(out, ignore_errors=True)
    models.forget()
    model, tok = models.load(start, trainable=True)
    if not cfg.lora:
        for p in model.parameters():
            p.requires_grad_(True)
    tmp = Path(tempfile.mkdtemp(prefix="evoforge-trl-"))
    try:
        trainer = (make_trainer or partial(_trainer, kind))(model, tok, rows, cfg, tmp, key)
        from transformers.trainer_callback import PrinterCallback, ProgressCallback

        trainer.remove_callback(PrinterCallback)
        trainer.remove_callback(ProgressCallback)
        trainer.train()
        trained = trainer.model
        out.mkdir(parents=True, exist_ok=True)
        trained.save_pretrained(str(out))
        if not cfg.lora:
            tok.save_pretrained(str(out))
        loss = [h["loss"] for h in trainer.state.log_history if "loss" in h]
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    meta: dict[str, Any] = {
        "kind": kind,
        "key": key,
        "fingerprint": key,
        "start": str(start),
        "rows": len(rows),
        "config": asdict(cfg),
        "loss": loss[-1] if loss else None,
    }
    if cfg.lora:
        meta.update(base=str(models.base_of(start)), chain=models.chain_of(start))
    models.mark_done(out, meta)
    del trainer, trained, model
    return out


def _args(cls: Any, cfg: TrainConfig, tmp: Path, n_rows: int, **extra: Any) -> Any:
    steps_per_epoch = max(1, -(-n_rows // cfg.batch_size))
    return cls(
        **trainer_defaults(cfg, tmp, steps_per_epoch),
        per_device_train_batch_size=cfg.batch_size,
        max_length=cfg.max_length,
        dataset_num_proc=None,
        **extra,
    )


def trainer_defaults(cfg: Any, tmp: Path, steps_per_epoch: int) -> dict[str, Any]:
    """The TRL config fields every update shares (SFT, DPO, RL): schedule, seeds, device, quiet, no saving."""
    import torch

    return {
        "output_dir": str(tmp),
        "num_train_epochs": cfg.epochs,
        "learning_rate": cfg.learning_rate(),
        "lr_scheduler_type": "linear",
        "warmup_steps": 0,
        "log_level": "error",
        "logging_steps": max(1, steps_per_epoch // 4),
        "save_strategy": "no",
        "report_to": [],
        "seed": cfg.seed,
        "data_seed": cfg.seed,
        "use_cpu": not torch.cuda.is_available() or models.device() == "cpu",
        "dataloader_num_workers": 0,
        "disable_tqdm": True,
        "bf16": False,
        "fp16": False,
    }


def _peft_config(cfg: TrainConfig, task_type: str = "CAUSAL_LM") -> Any:
    """The LoRA adapter's settings (None for a full update); ``SEQ_CLS`` also trains a classifier's head."""
    if not cfg.lora:
        return None
    from peft import LoraConfig

    return LoraConfig(
        r=cfg.lora_r,
        lora_alpha=cfg.lora_alpha,
        lora_dropout=0.0,
        bias="none",
        task_type=task_type,
        target_modules=cfg.target_modules,
    )


def dataset(rows: Sequence[dict[str, Any]], key: str) -> Any:
    """``rows`` as a datasets ``Dataset`` whose fingerprint is the update's key: datasets would otherwise
    hash the table with dill, which fails on Python 3.12 with pyarrow 26 (it cannot pickle pyarrow's
    MonthDayNano type)."""
    from datasets import Dataset
    from datasets.table import InMemoryTable

    return Dataset(InMemoryTable.from_pylist([dict(r) for r in rows]), fingerprint=key)


def _trainer(
    kind: str, model: Any, tok: Any, rows: Sequence[dict[str, Any]], cfg: TrainConfig, tmp: Path, key: str
) -> Any:
    os.environ.setdefault("ACCELERATE_USE_CPU", "false")
    data = dataset(rows, key)
    if kind == "sft":
        from trl import SFTConfig, SFTTrainer

        args = _args(SFTConfig, cfg, tmp, len(rows), completion_only_loss=True, packing=False)
        return SFTTrainer(
            model=model, args=args, train_dataset=data, processing_class=tok, peft_config=_peft_config(cfg)
        )
    from trl import DPOConfig

    weighted = "weight" in data.column_names
    losses = ["sigmoid", "sft"] if cfg.nll > 0 else ["sigmoid"]
    weights = [1.0, cfg.nll] if cfg.nll > 0 else [1.0]
    extra: dict[str, Any] = dict(beta=cfg.beta, loss_type=losses, loss_weights=weights)
    if weighted:  # one pair per micro-batch, accumulated to the requested batch
        batch = cfg.batch_size
        args = _args(
            DPOConfig,
            TrainConfig(**{**asdict(cfg), "batch_size": 1}),
            tmp,
            len(rows),
            gradient_accumulation_steps=batch,
            **extra,
        )
        args.logging_steps = max(1, len(rows) // batch // 4)
    else:
        args = _args(DPOConfig, cfg, tmp, len(rows), **extra)
    cls = _weighted_dpo_class() if weighted else None
    if cls is None:
        from trl import DPOTrainer as cls  # type: ignore[no-redef]
    return cls(
        model=model, ref_model=None, args=args, train_dataset=data, processing_class=tok, peft_config=_peft_config(cfg)
    )


_WEIGHTED: Any = None


def _weighted_dpo_class() -> Any:
    """DPOTrainer whose per-batch loss is scaled by the batch's ``weight`` column (exact with one pair
    per micro-batch)."""
    global _WEIGHTED
    if _WEIGHTED is not None:
        return _WEIGHTED
    import torch
    from trl import DPOTrainer
    from trl.trainer.dpo_trainer import DataCollatorForPreference

    class _Collator(DataCollatorForPreference):
        def torch_call(self, examples: list[dict[str, Any]]) -> dict[str, Any]:
            out = super().torch_call(examples)
            out["weight"] = torch.tensor([float(e.get("weight", 1.0)) for e in examples])
            return out

    class WeightedDPOTrainer(DPOTrainer):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            tok = kwargs["processing_class"]
            pad = tok.pad_token_id if tok.pad_token_id is not None else tok.eos_token_id
            kwargs["data_collator"] = _Collator(pad_token_id=pad, max_length=kwargs["args"].max_length)
            super().__init__(*args, **kwargs)

        def _set_signature_columns_if_needed(self) -> None:
            super()._set_signature_columns_if_needed()
            if self._signature_columns is not None and "weight" not in self._signature_columns:
                self._signature_columns = [*self._signature_columns, "weight"]

        def compute_loss(
            self, model: Any, inputs: dict[str, Any], return_outputs: bool = False, num_items_in_batch: Any = None
        ) -> Any:
            weight = inputs.pop("weight")
            result = super().compute_loss(model, inputs, return_outputs, num_items_in_batch)
            if return_outputs:
                loss, outputs = result
                return loss * weight.mean().to(loss.device), outputs
            return result * weight.mean().to(result.device)

    _WEIGHTED = WeightedDPOTrainer
    return _WEIGHTED
