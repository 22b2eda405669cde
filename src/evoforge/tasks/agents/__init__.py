"""Built-in agent-design tasks: items an agent's ``forward(task, tools)`` answers, scored per item."""
