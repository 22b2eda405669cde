"""Built-in tasks. Each module is a task: ``SEED`` plus ``evaluate(genome) -> dict``."""
