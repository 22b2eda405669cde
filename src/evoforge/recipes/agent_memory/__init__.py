"""Agents that carry memory from task to task: Mobile-Agent-E, Mobile-Steward, long-term memory, ExpeL,
SelfGoal. ``_base`` runs a task sequence with and without the memory."""
