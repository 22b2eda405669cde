"""Built-in Boolean-network tasks: target cycles that networks evolve to hold under noise."""
