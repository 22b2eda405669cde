"""Artificial life: soups of programs that meet, run and change one another with no fitness function
(``bff``, the primordial soup of "Computational Life") and Boolean networks evolved under noise
(``boolean-networks``)."""
