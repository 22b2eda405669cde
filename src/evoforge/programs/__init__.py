"""Program genomes: source text with ``# EVOLVE-BLOCK-START`` / ``# EVOLVE-BLOCK-END`` markers.

- :mod:`.blocks`: find and replace the evolvable blocks of a program (several allowed);
- :mod:`.extract`: pull code (or just one function) out of messy model output;
- :mod:`.diff`: parse and apply SEARCH/REPLACE edits, tolerant of whitespace, with a reason per failure;
- :mod:`.normalize`: AST normalisation (comments, docstrings, formatting gone) for duplicate rejection
  before evaluation, and default program descriptors (length, complexity).
"""
from .blocks import Block, blocks, evolve_text, replace_block, replace_function, function_names, signature_of
from .diff import DiffResult, apply_diff, parse_diff
from .extract import Extracted, extract_code, extract_function
from .normalize import ast_key, complexity, descriptors, normalize, same_program

__all__ = ["Block", "blocks", "evolve_text", "replace_block", "replace_function", "function_names",
           "signature_of",
           "DiffResult", "apply_diff", "parse_diff", "Extracted", "extract_code", "extract_function",
           "ast_key", "complexity", "descriptors", "normalize", "same_program"]
