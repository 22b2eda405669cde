"""GARD protocells (kind ``protocell``): assemblies of molecules that grow by catalysed joining and split
when they reach a size, after the Graded Autocatalysis Replication Domain model (Segrè, Lancet et al.) as
"Chemical heredity as group selection at the molecular level" treats it: molecules are the individuals,
assemblies the groups. The chemistry: molecule types, the lognormal catalysis matrix and the rates
(``chemistry``); a population's growth, splits and lineages (``assemblies``); compositional similarity,
the carpet and composomes (``similarity``); the multilevel Price equation (``price``); the typed task
value whose genomes are records of a population (``task``) and their table and plot (``report``)."""
