"""Built-in prompt and solution tasks: items a task model answers under an evolved prompt."""
