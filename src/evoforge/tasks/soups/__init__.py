"""Built-in soups whose genomes are records of their dynamics (artificial life)."""
