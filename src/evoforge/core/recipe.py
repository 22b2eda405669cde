"""The recipe surface: ``setup`` once, then ``ask`` (acquire) and ``tell`` (update), batch after batch.

The engine owns the random generator, the budgets, evaluation and the run store; a recipe owns its
population or archive. Everything a recipe holds must be picklable: the engine checkpoints the whole
recipe object after every batch, which is what makes ``resume`` exact.
"""

from __future__ import annotations

import dataclasses
import inspect
import typing
from typing import Any, ClassVar

import numpy as np

from .candidate import Candidate
from .errors import ConfigError
from .params import checked, declared, param, parse, state
from .task import Task

REGISTRY: dict[str, type[Recipe]] = {}

__all__ = ["REGISTRY", "Recipe", "coerce", "param", "register", "state"]


class Recipe:
    """Base class. Subclasses are ``@dataclass(kw_only=True)`` classes: fields declared with
    :func:`param` are the recipe's parameters (typed, ranged, with help), fields declared with
    :func:`state` its state. Values are checked on construction (:meth:`validate`)."""

    name: ClassVar[str] = ""
    summary: ClassVar[str] = ""
    genomes: ClassVar[tuple[str, ...]] = ()  # genome kinds it works on (evoforge.core.kinds); empty: any
    batch_size: int = 32  # candidates per batch unless the run overrides it
    dedupe: ClassVar[bool] = True  # reject exact-duplicate genomes before evaluation
    eval_timeout: ClassVar[float] = 60.0  # seconds per evaluation unless the run sets --timeout
    default_budget: ClassVar[int] = 1000  # evaluations when the CLI is given no --budget
    needs_model: ClassVar[bool] = False  # the engine hands such recipes a model as ``self.model``
    # the parameter that counts the model requests one batch sends together; it follows --concurrency
    # when the run does not set it (None: the recipe sends one request at a time)
    follows_concurrency: ClassVar[str | None] = None
    model: Any = None  # set by the engine (never checkpointed: see __getstate__)
    renamed_fields: ClassVar[dict[str, str]] = {}  # old field name -> new, for checkpoints written before a rename

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """Refuse, when the class is defined, a field that would shadow a hook of this surface (a state
        named ``archive`` hides ``archive()``, and readers would silently get no archive view)."""
        super().__init_subclass__(**kwargs)
        clashes = sorted(set(inspect.get_annotations(cls)) & hooks())
        if clashes:
            raise TypeError(
                f"recipe class {cls.__name__}: field {', '.join(clashes)} shadows the Recipe hook of that name; "
                "rename the field"
            )

    def __post_init__(self) -> None:
        self.validate()

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state.pop("model", None)  # live model handles are rebuilt from the run config on resume
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        """Restore a checkpoint; declared fields it lacks (saved by an older version) get their defaults,
        and fields saved under an old name (``renamed_fields``) their new one."""
        for old, new in self.renamed_fields.items():
            if old in state and new not in state:
                state[new] = state.pop(old)
        if dataclasses.is_dataclass(self):
            for f in dataclasses.fields(self):
                if f.name not in state and f.default is not dataclasses.MISSING:
                    state[f.name] = f.default
                elif f.name not in state and f.default_factory is not dataclasses.MISSING:
                    state[f.name] = f.default_factory()
        self.__dict__.update(state)

    def validate(self) -> None:
        """Check every declared parameter's current value; ConfigError (one line) naming the first bad one."""
        if dataclasses.is_dataclass(self):
            for p in declared(type(self)).values():
                setattr(self, p.name, checked(self.name or type(self).__name__, p, getattr(self, p.name)))

    def check_task(self, task: Task) -> None:
        """Refuse, in one line, a task whose genome kind this recipe does not work on."""
        from .kinds import describe_kind, genome_kind

        if not self.genomes:
            return
        kind = genome_kind(task)
        if kind not in self.genomes:
            raise ConfigError(
                f"recipe {self.name!r} needs a {' or '.join(self.genomes)} genome; "
                f"task {task.name!r} has {describe_kind(task, kind)}"
            )

    def setup(self, task: Task, rng: np.random.Generator) -> None:
        """Called once before the first ``ask`` of a new run."""

    def ask(self, n: int, rng: np.random.Generator) -> list[Candidate]:
        """Acquire: propose up to ``n`` new candidates (genome, parents, operator)."""
        raise NotImplementedError

    def tell(self, candidates: list[Candidate], rng: np.random.Generator) -> None:
        """Update: fold evaluated candidates (ok, failed or rejected) into what persists."""
        raise NotImplementedError

    # -- optional array path (vector genomes, vectorised tasks) ------------------------------------
    def ask_array(self, n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, str]:
        """Propose ``n`` vector genomes as rows of one array: (rows, parent id per row or -1, operator).
        With ``tell_array`` it lets the engine skip building a Candidate per evaluation when the task
        has ``evaluate_array`` and evaluation is in-process. Must consume ``rng`` exactly as ``ask``."""
        raise NotImplementedError

    def tell_array(
        self,
        rows: np.ndarray,
        scores: np.ndarray,
        descriptors: np.ndarray | None,
        ids: np.ndarray,
        rng: np.random.Generator,
    ) -> np.ndarray:
        """Fold an evaluated array batch in (non-finite score = failed); return the indices of the rows
        worth recording as candidates in the run store (e.g. those that entered the archive)."""
        raise NotImplementedError

    @classmethod
    def supports_arrays(cls) -> bool:
        return cls.ask_array is not Recipe.ask_array and cls.tell_array is not Recipe.tell_array

    def archive(self) -> Any:
        """The recipe's archive, for plots and summaries (``None`` when it has none)."""
        return None

    @classmethod
    def plot_extra(cls, ax: Any, store: Any) -> None:
        """Draw the recipe's own panel beside the score curves of ``evoforge plot`` (matplotlib ``ax``,
        the run's store); only recipes that override it get the panel."""
        raise NotImplementedError

    @classmethod
    def draws_plot_extra(cls) -> bool:
        return cls.plot_extra.__func__ is not Recipe.plot_extra.__func__

    def stop_reason(self) -> str | None:
        """A reason to end the run that only the recipe knows (e.g. its own metric-call budget)."""
        return None

    def report(self, store: Any) -> str | None:
        """Extra text for ``evoforge show`` and the end of ``evoforge run`` (e.g. a per-round table)."""
        return None

    def answer(self, store: Any) -> dict[str, Any] | None:
        """The recipe's own answer when it is not simply the best-scored candidate (the prompt a
        validation race chose, the final checkpoint), as JSON: ``genome``, ``what`` it is, ``score`` and
        ``score_on`` (what that score was measured on), optionally ``candidate`` (its id) and ``seed``
        (``{"score", "on"}``: the seed measured the same way). Stored at every commit (meta ``answer``)
        so that readers never unpickle the recipe; ``None``: the best candidate is the answer."""
        return None

    def discarded(self) -> dict[str, int]:
        """Proposals dropped before evaluation, counted by reason (unusable model answers, near
        duplicates ...); exact duplicates are counted by the engine. Stored with ``answer``."""
        return {}

    @classmethod
    def params(cls) -> dict[str, Any]:
        """Parameter names and their defaults."""
        return {f.name: _default(f) for f in dataclasses.fields(cls) if f.init}  # type: ignore[arg-type]

    @classmethod
    def from_params(cls, params: dict[str, Any]) -> Recipe:
        """The recipe with ``params`` (``--set`` strings or config values) parsed and checked."""
        known = cls.params()
        unknown = sorted(set(params) - set(known))
        if unknown:
            raise ConfigError(
                f"recipe {cls.name!r} has no parameter {', '.join(unknown)} (it has: {', '.join(known) or 'none'})"
            )
        specs = declared(cls)
        undeclared = [k for k in params if k not in specs]
        hints = typing.get_type_hints(cls) if undeclared else {}
        values = {
            k: checked(cls.name, specs[k], v, from_text=True)
            if k in specs
            else coerce(v, hints.get(k, type(known[k])), k)
            for k, v in params.items()
        }
        return cls(**values)  # type: ignore[call-arg]


def hooks() -> set[str]:
    """The names of the Recipe surface a subclass may override (``ask``, ``archive``, ``report`` ...)."""
    return {name for name, value in vars(Recipe).items() if not name.startswith("_") and _is_method(value)}


def _is_method(value: Any) -> bool:
    return callable(value) or isinstance(value, (classmethod, staticmethod))


def register(name: str):
    """Class decorator: make a recipe available by ``name`` to ``evolve`` and the CLI."""

    def wrap(cls: type[Recipe]) -> type[Recipe]:
        cls.name = name
        REGISTRY[name] = cls
        return cls

    return wrap


def _default(field: dataclasses.Field) -> Any:
    if field.default is not dataclasses.MISSING:
        return field.default
    if field.default_factory is not dataclasses.MISSING:  # type: ignore[misc]
        return field.default_factory()  # type: ignore[misc]
    return None


def coerce(value: Any, kind: Any, key: str) -> Any:
    """Turn a ``--set`` string (or a config value) into the parameter's type, or explain why not."""
    origin = typing.get_origin(kind)
    if origin is typing.Union or str(origin) == "<class 'types.UnionType'>":
        options = [a for a in typing.get_args(kind) if a is not type(None)]
        if value is None or (isinstance(value, str) and value.lower() in ("none", "null")):
            return None
        kind = options[0] if options else str
    try:
        if kind in (bool, int, float):
            return parse(value, kind)
        if kind is str:
            return str(value)
    except (TypeError, ValueError, OverflowError):
        raise ConfigError(f"{key}: expected {getattr(kind, '__name__', kind)}, got {value!r}") from None
    return value
