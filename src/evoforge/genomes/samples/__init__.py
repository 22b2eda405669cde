"""Generated samples (kind ``samples``): what one generation of a generative model produced, as points
in R^d, and the real distribution that scores them. For self-consuming loops ("Self-Consuming Generative
Models Go MAD", Alemohammad et al., 2024; "Self-Correcting Self-Consuming Loops for Generative Model
Training", Gillman et al., 2024): the generative model (``mixture``: a Gaussian mixture, fitted and
sampled with a sampling bias), the loop's steps (``loop``: training sets per regime, the corrections),
the record of a generation and the task value that scores it by precision and recall against held-out
real data (``task``), and their table and plot (``report``)."""
