"""Societies of agents: self-play, evolutionary agents, cultural evolution, language games. ``_base`` is
the population round they share."""
