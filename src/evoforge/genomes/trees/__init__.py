"""Tree genomes: expressions as JSON nested lists, and their variation operators."""
