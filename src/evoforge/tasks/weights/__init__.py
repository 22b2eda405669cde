"""Built-in self-training tasks: verifiable problems a model answers, for recipes that train weights."""
