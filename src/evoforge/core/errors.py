"""Errors a user can act on. The CLI prints their message as one line and exits non-zero."""


class EvoforgeError(Exception):
    """Base class for errors whose message is meant for the user."""


class TaskError(EvoforgeError):
    """A task could not be found, imported or validated."""


class ConfigError(EvoforgeError):
    """Unknown recipe, flag, config key or an invalid value."""


class StoreError(EvoforgeError):
    """A run file is missing, corrupted, foreign or finished."""


class BudgetExhausted(Exception):
    """A limit was reached while a batch was being proposed (a model call refused by ``--max-calls``,
    ``--max-tokens`` or ``--max-cost``): the engine ends the run there, with the message as its reason."""
