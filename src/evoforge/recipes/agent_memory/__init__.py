"""agent_memory."""
