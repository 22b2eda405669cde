"""Multi-agent games as genomes (records of play scored again by the task): negotiation, referential
language games, social norms, transmission chains."""
