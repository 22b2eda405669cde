"""Built-in program tasks: a program with EVOLVE blocks, run in the sandbox and scored."""
