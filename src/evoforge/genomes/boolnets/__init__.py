"""Boolean networks evolved under noise (kind ``boolnet``), after "Noisy dynamical systems evolve error
correcting codes and modularity" (McCourt, Fiete and Chuang, 2023): the networks and their noisy
dynamics (``network``), what they are scored on, a target cycle on their output nodes (``fitness``),
what is measured of one network: robustness, error correction, redundancy and modularity (``measure``),
a genetic algorithm's generation (``evolve``), the typed task value whose genomes are records of a
generation (``task``) and their table and plot (``report``)."""
