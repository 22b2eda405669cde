"""The dynamics of self-evolution: loops whose output becomes their own input (``self-consuming``, a
generative model trained generation after generation on its own samples)."""
