"""genomes."""
