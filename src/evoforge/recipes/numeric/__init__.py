"""Numeric and classic evolutionary recipes (vectors, bits, trees): GA, CMA-ES, OpenAI-ES, MAP-Elites,
novelty search, regularized evolution, (1+1)-EA, cooperative coevolution, ..."""
