"""Neural-network quines (kind ``quine``), after "Neural Network Quine" (Chang and Lipson, 2018): a small
network that outputs its own weights, each queried by a fixed random projection of the weight's index.
The network, its forward and backward passes, the self-replication error and the regeneration loop
(``net``); training by Adam on self-replication and an auxiliary task (``train``); the typed task value
whose genomes are records of a network's weights (``task``) and their table and plot (``report``)."""
