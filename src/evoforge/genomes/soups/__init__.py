"""Primordial soups of byte programs (artificial life, "Computational Life", Agüera y Arcas et al., 2024):
the BFF interpreter (``bff``), a soup's epochs (``soup``), what is measured of a soup (``measure``), whether
a tape copies itself (``replication``), the typed task value whose genomes are records of a soup's
dynamics (``task``) and their table and plot (``report``)."""

INSTRUCTIONS = b"<>{}-+.,[]"  # BFF's instruction bytes; here so that readers need not load the interpreter
