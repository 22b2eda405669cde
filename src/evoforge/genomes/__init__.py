"""Genome kinds, one package each (vectors, trees, bits, programs, prompts, weights, agents, games, soups,
samples, boolnets, protocells, quines): the genome, its operators, the prompts it shows a model, its typed
task value and harness. Kinds never import each other."""
