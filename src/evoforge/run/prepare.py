"""Preparing a run: every check once, before anything runs or any run file exists.

:func:`prepare` is the one way from a :class:`RunConfig` to a run (``evolve``, ``resume`` and
``evoforge run`` all go through it). It checks the settings (type, range, finite) and the model spec,
the run file's place, loads the task (with the run's task model) and builds the recipe from its
parameters, validates it, lets it refuse the task, and checks the sandbox and the asynchronous loop.
What it returns, a :class:`Prepared` run, builds the :class:`~evoforge.run.engine.Engine` with all it
needs: the run's :class:`~evoforge.core.budget.Budget`, and for recipes that call a model, the model
and its :class:`~evoforge.llm.account.ModelAccount`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from evoforge.core.budget import Budget
from evoforge.core.errors import ConfigError, StoreError
from evoforge.core.recipe import Recipe
from evoforge.core.settings import out_problem, value_problem
from evoforge.core.task import Task, load_task
from evoforge.recipes.registry import get_recipe
from evoforge.store.run_file import RunStore

from .concurrency import plan_concurrency
from .engine import Engine
from .executors import check_sandbox


@dataclass
class RunConfig:
    """Everything that defines a run; stored in the run file and used again by ``resume``."""

    recipe: str
    task: str
    recipe_params: dict[str, Any] = field(default_factory=dict)
    task_options: dict[str, Any] = field(default_factory=dict)
    seed: int = 0
    budget: int | None = 1000  # evaluations
    generations: int | None = None
    seconds: float | None = None
    batch_size: int | None = None
    executor: str | None = None  # None: inprocess where the array path applies, else pool
    workers: int = 2
    timeout: float | None = None  # seconds per evaluation (default: the recipe's eval_timeout)
    memory_mb: int | None = 4096  # extra address space per evaluation
    address: str | None = None  # Ray cluster address
    sandbox: bool = False  # run the task's evaluator inside bubblewrap (pool executor)
    model: str | None = None  # model backend for recipes that use one (default: embedded)
    base_url: str | None = None  # OpenAI-compatible endpoint for --model openai[:NAME]
    task_model: str | None = None  # the model a prompt task calls (default: embedded), recorded
    task_base_url: str | None = None  # its endpoint, for --task-model openai[:NAME]
    max_calls: int | None = None  # model budget: calls, tokens, cost
    max_tokens: int | None = None
    max_cost: float | None = None
    checkpoint_every: float | None = None  # seconds between commits inside run (None: adaptive)
    concurrency: int | None = None  # model requests in flight (None: the backend's default)
    asynchronous: bool = False  # new requests go out while earlier children are evaluated
    cache: bool = True  # answers read from and written to the user's shared response cache

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RunConfig:
        return cls(**data)

    def run_budget(self) -> Budget:
        """What the run may spend."""
        return Budget(
            evaluations=self.budget,
            generations=self.generations,
            seconds=self.seconds,
            max_calls=self.max_calls,
            max_tokens=self.max_tokens,
            max_cost=self.max_cost,
        )


def check_config(config: RunConfig, names: Mapping[str, str] | None = None) -> None:
    """Check every setting (type, range, finite) and the model spec, loading nothing: ConfigError.
    A message names the setting as ``names`` says (the CLI: ``--memory-mb``, or the config file it
    came from), else as the Python keyword (``memory_mb``)."""
    names = names or {}
    for f in fields(config):
        value = getattr(config, f.name)
        if f.name in ("recipe_params", "task_options"):
            if not isinstance(value, dict):
                raise ConfigError(f"{f.name} must be a dict, got {type(value).__name__}")
            continue
        problem = value_problem(f.name, value)
        if problem:
            raise ConfigError(f"{names.get(f.name, f.name)} {problem}")
    check_model_spec(config.model, config.base_url)


def check_model_spec(model: str | None, base_url: str | None) -> None:
    """The model spec's backend and required pieces (and --base-url), without loading the model."""
    if model is None and base_url is None:
        return
    from evoforge.llm import ModelError, check_spec

    try:
        check_spec(model or "embedded", base_url)
    except ModelError as err:
        raise ConfigError(f"--model: {err}" if model else str(err)) from None


def check_asynchronous(config: RunConfig, recipe: Recipe) -> None:
    """``asynchronous`` needs the pool executor and a recipe that calls a model (one line otherwise)."""
    if not config.asynchronous:
        return
    if (config.executor or "pool") != "pool":
        raise ConfigError(f"--async needs the pool executor (got --executor {config.executor})")
    if not recipe.needs_model:
        raise ConfigError(f"--async is for recipes that call a model; {recipe.name!r} does not")


def task_of(config: RunConfig, task: Task | None = None) -> Task:
    """The run's task: ``task`` (given the run's task model, if the run names one) or a fresh load.
    The task model a prompt task ends up with is written into ``config``, so the run records it."""
    if task is None:
        task = load_task(
            config.task, config.task_options, task_model=config.task_model, task_base_url=config.task_base_url
        )
    elif config.task_model is not None and task.uses_model:
        task.use_model(config.task_model, config.task_base_url)
    if task.uses_model and isinstance(task.task_model, str):
        config.task_model, config.task_base_url = task.task_model, task.task_base_url
    return task


def open_model(config: RunConfig) -> Any:
    """The model a run's recipe calls, with the user's shared response cache (a re-run of a seeded run
    costs no new calls), or without one when ``config.cache`` is off (every answer a fresh call: what a
    benchmark needs, since the cache also holds answers of earlier runs, builds and code)."""
    from evoforge.llm import get_model
    from evoforge.llm.model_files import user_cache_dir

    opts = {"max_concurrency": config.concurrency} if config.concurrency else {}
    cache = user_cache_dir() / "llm-cache.sqlite" if config.cache else None
    return get_model(config.model or "embedded", base_url=config.base_url, cache=cache, **opts)


@dataclass
class Prepared:
    """A run whose settings, task and recipe were checked: what :meth:`engine` builds the engine from."""

    config: RunConfig
    task: Task
    recipe: Recipe
    budget: Budget
    notes: list[str] = field(default_factory=list)  # one line each, for the user (``--concurrency``)

    def engine(self, store: RunStore | None, on_batch: Callable[[Engine, list], None] | None = None) -> Engine:
        """The run's engine; a recipe that calls a model gets the run's model, whose spend the engine
        stores with each batch and whose limits hold at every call (:class:`ModelAccount`)."""
        config, model, spend = self.config, None, None
        concurrency = config.concurrency or 1
        if self.recipe.needs_model:
            from evoforge.llm.account import ModelAccount

            model = open_model(config)
            spend = ModelAccount(model, self.budget, asynchronous=config.asynchronous)
            concurrency = model.max_concurrency  # proposers in the asynchronous loop
        return Engine(
            self.task,
            self.recipe,
            seed=config.seed,
            budget=self.budget,
            batch_size=config.batch_size,
            store=store,
            on_batch=on_batch,
            checkpoint_every=config.checkpoint_every,
            asynchronous=config.asynchronous,
            concurrency=concurrency,
            model=model,
            spend=spend,
        )


def prepare(
    config: RunConfig,
    out: str | Path | None = None,
    *,
    overwrite: bool = False,
    task: Task | None = None,
    recipe: Recipe | None = None,
    names: Mapping[str, str] | None = None,
    stored_in: str | Path | None = None,
) -> Prepared:
    """Check ``config`` once and load what it names: ConfigError or TaskError (one line) on bad input,
    before any run file exists. ``task``/``recipe``: objects given in Python instead of names;
    ``names``: how messages name the settings; ``stored_in``: the run file ``config`` was read from
    (a resumed run: a bad setting there is a StoreError)."""
    try:
        check_config(config, names)
    except ConfigError as err:
        if stored_in is None:
            raise
        raise StoreError(f"{stored_in}: unreadable run configuration ({err})") from None
    problem = out_problem(out, overwrite) if out else None
    if problem:  # before the task is loaded: nothing runs when the run file cannot be made
        raise ConfigError(problem)
    cls = type(recipe) if recipe is not None else get_recipe(config.recipe)
    notes = plan_concurrency(config, cls, built=recipe is not None)  # may set the parameter that follows it
    if recipe is None:
        recipe = cls.from_params(config.recipe_params)  # parsed and validated
    else:
        recipe.validate()  # a recipe built in Python may have been changed after construction
    task = task_of(config, task)
    recipe.check_task(task)
    if config.sandbox:
        check_sandbox(config.executor or "pool", task)
    check_asynchronous(config, recipe)
    return Prepared(config, task, recipe, config.run_budget(), notes)
