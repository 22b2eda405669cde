"""Built-in tasks over real vectors: benchmark functions, Gymnasium control policies, QD domains."""
