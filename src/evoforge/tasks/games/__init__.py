"""Built-in multi-agent games whose genomes are records of play."""
