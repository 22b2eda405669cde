"""Errors a user can act on. The CLI prints their message as one line and exits non-zero."""


class EvoforgeError(Exception):
    """Base class for errors whose message is meant for the user."""


class TaskError(EvoforgeError):
    """A task could not be found, imported or validated."""


class ConfigError(EvoforgeError):
    """Unknown recipe, flag, config key or an invalid value."""


class StoreError(EvoforgeError):
    """A run file is missing, corrupted, foreign or finished."""
