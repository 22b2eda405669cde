"""Agent designs searched by a meta agent: ADAS, DGM, Gödel Agent, EvoAgent, ALAMA, refine loop,
SWE-Search, autotelic goals. Private helpers: ``_agent_calls``, ``_agent_prompts``, ``_swe_tree``,
``_goal_rewards``."""
