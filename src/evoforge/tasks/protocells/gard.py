"""A GARD chemistry for the ``gard`` recipe ("Chemical heredity as group selection at the molecular
level"; the Graded Autocatalysis Replication Domain of Segrè, Lancet et al.): 40 molecule types with a
lognormal catalysis matrix (ln beta ~ Normal(-4, 4), seed 1). A genome is the record of a population of
assemblies over a stretch of growth; ``evaluate`` splits the change of the population's mean catalytic
activity into selection between assemblies and change within them (the multilevel Price equation), and
measures the focal lineage's replication fidelity and composomes."""

from dataclasses import dataclass

from evoforge.genomes.protocells.task import ProtocellTask


@dataclass(kw_only=True)
class Gard(ProtocellTask):
    description: str = "GARD chemistry: protocells grow by catalysed joining and split; Price split (recipe gard)"


TASK = Gard()
