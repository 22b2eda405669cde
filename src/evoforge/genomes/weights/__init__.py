"""Self-training of weights: trainable models, batched generation, TRL updates and round monitors.

Heavy packages (torch, transformers, trl, peft) are imported only when used.

- :mod:`.models`: ``resolve("embedded" | "tiny" | PATH)``, ``load(ckpt)``, ``device()``, checkpoints
  (full or stacked LoRA adapters), the embedded SmolLM2 de-quantized once into a float32 directory.
- :mod:`.generate`: ``generate(ckpt, prompts, n=, temperature=, seed=, cache=)`` batched and cached.
- :mod:`.train`: ``sft(start, rows, out, TrainConfig)``, ``dpo(start, pairs, out, TrainConfig)``
  (TRL SFTTrainer / DPOTrainer, LoRA via PEFT or full; DPO + NLL, per-pair weights).
- :mod:`.monitors`: pass@1 / pass@k / maj@k / diversity of a round's samples, majority votes.
- :mod:`.policy`: ``CheckpointModel(ckpt)``, a checkpoint behind the ``Model`` interface (an agent's
  policy whose weights learn), and ``Recorder``, which keeps each call's (prompt, reply) as a training row.
- :mod:`.report`: ``round_table(run_file)`` prints the per-round table; ``draw_monitors`` plots it.
- :mod:`.task`: the self-training contract a task's ``TASK`` fulfils: ``WeightsTask`` (problems with
  checkable answers) and ``EpisodeTask`` (an agent's episodes).

The round loop itself (the ``SelfTraining`` recipe base) is ``evoforge.recipes.self_training._base``.
"""

from __future__ import annotations

from .report import round_table, rounds

__all__ = ["round_table", "rounds"]
