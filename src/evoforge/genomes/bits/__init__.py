"""Bit-string genomes: lists of 0/1, and the shared parts of the bit-string tasks."""
