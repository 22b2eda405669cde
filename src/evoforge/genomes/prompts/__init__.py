"""Prompt and solution genomes, Promptbreeder's operators and the prompt tasks' harness.

- :mod:`.genome`: the unit of prompt evolution (task prompt + demos + mutation prompt), and the guard
  that validates and repairs what a tiny model writes (falling back to the parent).
- :mod:`.operators`: zero/first-order direct mutation, EDA and ranked EDA, lineage-based mutation,
  zero/first-order hypermutation, Lamarckian mutation, crossover, context shuffling and reflection on
  failures with the evaluator's text feedback.
- :mod:`.pareto`: instance-level Pareto selection (a candidate is kept if it is best on some item).
- :mod:`.evaluation`: the prompt recipes' task facts, minibatches and metric-call accounting.
- :mod:`.task`: what a prompt task needs: the dataset, the prompt rendered into chat messages, the task
  model called inside ``evaluate``, exact-match scoring.
- :mod:`.solutions`: solution evolution (the genome is an answer as text): the problem statement, one
  seeded model call, Boltzmann draws.
"""

from .genome import MUTATION_PROMPTS, THINKING_STYLES, clean_prompt, make_unit, task_view
from .operators import OPERATORS, Mutator
from .pareto import InstanceFront

__all__ = [
    "MUTATION_PROMPTS",
    "OPERATORS",
    "THINKING_STYLES",
    "InstanceFront",
    "Mutator",
    "clean_prompt",
    "make_unit",
    "task_view",
]
