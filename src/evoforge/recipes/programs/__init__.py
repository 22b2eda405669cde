"""Program evolution with a model: FunSearch, EoH, the evolve recipe (AlphaEvolve-style), LLM-guided
evolution, STOP."""
