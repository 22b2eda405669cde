"""Monitors: measures any run can record of what a system generates, judges or answers, each a small
function of plain arrays, texts or scores (numpy only; no model, no run file).

- :mod:`.manifold`: precision and recall of generated samples against real data, by k-NN manifold
  estimates (Kynkäänniemi et al., 2019); texts through embedding vectors the caller provides.
- :mod:`.dataset`: quality, diversity and complexity of a generated dataset (the three axes of Havrilla
  et al., 2024, "Surveying the Effects of Quality, Diversity, and Complexity in Synthetic Data").
- :mod:`.judges`: self-preference of a judge, its own answers against other models' on the same items
  (Panickssery et al., 2024, "LLM Evaluators Recognize and Favor Their Own Generations"), with a sign test.
- :mod:`.consistency`: consistency across samples, the share of the modal answer among k samples.
- :mod:`.graphs`: modularity of a graph, Newman's Q of a partition and the best one a greedy search finds.

Why a layer of its own (just above ``core``, beside ``isolation`` and ``store``): the measures know no
genome kind, task, recipe or model, and every layer above may record them (a genome kind's task value,
a recipe's per-round monitors, a reader, a benchmark)."""

from .consistency import consistency, modal_share
from .dataset import (
    compression_complexity,
    distinct_n,
    diversity,
    entropy_complexity,
    quality,
    text_diversity,
)
from .graphs import best_partition, modularity
from .judges import SelfPreference, self_preference, sign_test
from .manifold import knn_radii, precision_recall, text_precision_recall

__all__ = [
    "SelfPreference",
    "best_partition",
    "compression_complexity",
    "consistency",
    "distinct_n",
    "diversity",
    "entropy_complexity",
    "knn_radii",
    "modal_share",
    "modularity",
    "precision_recall",
    "quality",
    "self_preference",
    "sign_test",
    "text_diversity",
    "text_precision_recall",
]
