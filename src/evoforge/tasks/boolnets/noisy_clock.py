"""A clock from noisy parts, for the ``boolean-networks`` recipe ("Noisy dynamical systems evolve error
correcting codes and modularity", McCourt, Fiete and Chuang, 2023): the first two nodes of a Boolean
network must run through the cycle 0011 and 0110 (the two bits of a 2-bit counter) from the all-zero
state, while every node's update fails (flips) with probability ``noise``. A genome is the record of one
generation; ``evaluate`` scores its fittest network at noise 0, ``noise`` (the score) and ``noise_high``,
and measures its error correction, redundancy and modularity."""

from dataclasses import dataclass

from evoforge.genomes.boolnets.task import BoolnetTask


@dataclass(kw_only=True)
class NoisyClock(BoolnetTask):
    description: str = "a clock from noisy parts: Boolean networks hold a target cycle under noise (boolean-networks)"


TASK = NoisyClock()
