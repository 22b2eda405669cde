"""Errors of the model layer.

Every failure a user can cause or meet (bad endpoint, wrong key, unknown model,
corrupt model file, missing optional package) is raised as a :class:`ModelError`
subclass whose ``str()`` is one clear line, fit to print as the whole message.
"""

from __future__ import annotations

from evoforge.core.errors import BudgetExhausted, EvoforgeError


class ModelError(EvoforgeError):
    """Base class: a model could not be loaded or did not answer."""

    def __str__(self) -> str:  # one line, always
        text = super().__str__()
        return " ".join(text.split())


class MissingPackageError(ModelError):
    """An optional package needed by this backend is not installed."""


class EndpointUnreachableError(ModelError):
    """The endpoint refused or dropped the connection (after retries)."""


class AuthenticationError(ModelError):
    """The endpoint rejected the API key (HTTP 401/403)."""


class ModelNotFoundError(ModelError):
    """The model (or its local path) does not exist (HTTP 404, missing directory)."""


class HashMismatchError(ModelError):
    """An assembled model file does not have the expected size/sha256; it is not loaded."""


class ModelTimeoutError(ModelError):
    """A request ran past its timeout (after retries)."""


class EndpointError(ModelError):
    """The endpoint answered with an error that retries did not cure (5xx, 429, bad JSON)."""


class BadRequestError(ModelError):
    """The request itself is invalid (HTTP 400, prompt longer than the context, bad spec)."""


class BudgetExceededError(ModelError, BudgetExhausted):
    """A call was refused because a limit of the run's :class:`~evoforge.core.budget.Budget` is reached."""
