"""Artificial life: soups of programs that meet, run and change one another with no fitness function
(``bff``, the primordial soup of "Computational Life"), Boolean networks evolved under noise
(``boolean-networks``), GARD protocells whose compositions are inherited (``gard``) and a neural network
that outputs its own weights (``nn-quine``)."""
