"""agent_designs."""
