"""Prompt and solution evolution: Promptbreeder, Mind Evolution, co-scientist, iterative deepening,
auto-evolve."""
