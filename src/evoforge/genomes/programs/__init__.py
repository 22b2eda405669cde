"""Program genomes: source text with ``# EVOLVE-BLOCK-START`` / ``# EVOLVE-BLOCK-END`` markers.

- :mod:`.blocks`: find and replace the evolvable blocks of a program (several allowed);
- :mod:`.extract`: pull code (or just one function) out of messy model output;
- :mod:`.diff`: parse and apply SEARCH/REPLACE edits, tolerant of whitespace, with a reason per failure;
- :mod:`.normalize`: AST normalisation (comments, docstrings, formatting gone) for duplicate rejection
  before evaluation, and default program descriptors (length, complexity);
- :mod:`.constants`: numeric constants of a program, perturbed without a model call.

What the recipes use to evolve programs with a model:

- :mod:`.templates`: the prompts (system prompt, ideas, edit format, line/rewrite/diff/repair prompts);
- :mod:`.answers`: a model's answer turned into a program (merge, diff, inserted lines) or a reason;
- :mod:`.ops`: ``ProgramOps``: model calls, duplicate rejection, constant tuning, unusable-answer counts;
- :mod:`.near_duplicates`: embedding near-duplicate rejection before evaluation;
- :mod:`.bandit`: a UCB1 bandit over operators or system prompts;
- :mod:`.system_prompts`: the evolving system prompt (a bandit over a few, the worst rewritten).

What the program tasks use: :mod:`.sandbox` (run untrusted program text in a contained subprocess)
and :mod:`.task` (run the genome there, turn a failure into feedback, default descriptors).
"""

from .blocks import Block, blocks, evolve_text, function_names, replace_block, replace_function, signature_of
from .diff import DiffResult, apply_diff, parse_diff
from .extract import Extracted, extract_code, extract_function
from .normalize import ast_key, complexity, descriptors, normalize, same_program

__all__ = [
    "Block",
    "DiffResult",
    "Extracted",
    "apply_diff",
    "ast_key",
    "blocks",
    "complexity",
    "descriptors",
    "evolve_text",
    "extract_code",
    "extract_function",
    "function_names",
    "normalize",
    "parse_diff",
    "replace_block",
    "replace_function",
    "same_program",
    "signature_of",
]
