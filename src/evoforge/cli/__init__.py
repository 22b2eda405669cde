"""The ``evoforge`` command line: ``app`` (run, resume, show, list), ``views`` (plot, compare, ui, export,
report), ``config`` (flags, config file and ``--set`` merged), ``doctor``, ``progress`` (the progress bar)
and ``recipe_help`` (``evoforge list RECIPE``)."""

from .app import main

__all__ = ["main"]
