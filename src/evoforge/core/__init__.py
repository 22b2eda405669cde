"""The kind-free vocabulary every layer shares: candidates, the recipe surface and its declared
parameters, the task contract and loader, genome kinds, archives, selection, budgets, errors."""
