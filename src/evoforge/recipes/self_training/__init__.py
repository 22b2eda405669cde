"""In-weight self-training: STaR, ReST-EM, ScPO, GRPO, rStar-Math, self-rewarding ... ``_base`` is the
round-based base every recipe of the family subclasses; the other private modules are mechanisms it composes."""
