"""Built-in quine tasks: auxiliary tasks a self-replicating network also learns, and the held-out data
that scores it."""
