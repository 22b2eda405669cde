"""Vector genomes: real-valued arrays and their variation operators."""
