"""Built-in sample tasks: real distributions that generated samples are scored against."""
