"""Built-in tasks over bit strings (OneMax, BinVal and their dynamic variants)."""
