"""The high-level Python API: ``evolve(task, recipe, ...)`` and ``resume(path)``."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from evoforge.core.budget import Budget
from evoforge.core.errors import ConfigError, StoreError, TaskError
from evoforge.core.recipe import Recipe
from evoforge.core.settings import out_problem, value_problem
from evoforge.core.task import Task, load_task
from evoforge.recipes.registry import get_recipe
from evoforge.store.facts import record_seed
from evoforge.store.run_file import RunStore

from .engine import Engine, RunResult
from .executors import check_sandbox, make_executor

# evaluation workers' niceness beside a local model: with 2 cores, 1 llama.cpp thread and 2 busy
# evaluations, decoding ran at 12 tok/s with the workers at niceness 0 and 22 tok/s at 10
LOCAL_MODEL_NICENESS = 10


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

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RunConfig:
        return cls(**data)


def check_config(config: RunConfig) -> None:
    """Check every setting (type, range, finite) and the model spec, loading nothing: ConfigError.
    Messages name the setting as the Python keyword (``memory_mb``); the CLI checks flags first."""
    for f in fields(config):
        value = getattr(config, f.name)
        if f.name in ("recipe_params", "task_options"):
            if not isinstance(value, dict):
                raise ConfigError(f"{f.name} must be a dict, got {type(value).__name__}")
            continue
        problem = value_problem(f.name, value)
        if problem:
            raise ConfigError(f"{f.name} {problem}")
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


def build_engine(
    config: RunConfig,
    store: RunStore | None,
    on_batch: Callable[[Engine, list], None] | None = None,
    task: Task | None = None,
    recipe: Recipe | None = None,
) -> Engine:
    task = task_of(config, task)
    recipe = recipe or get_recipe(config.recipe).from_params(config.recipe_params)
    recipe.validate()
    recipe.check_task(task)
    budget = Budget(evaluations=config.budget, generations=config.generations, seconds=config.seconds)
    engine = Engine(
        task,
        recipe,
        seed=config.seed,
        budget=budget,
        batch_size=config.batch_size,
        store=store,
        on_batch=on_batch,
        checkpoint_every=config.checkpoint_every,
        asynchronous=config.asynchronous,
        concurrency=config.concurrency or 1,
    )
    if recipe.needs_model:
        _attach_model(engine, config)
    return engine


def _attach_model(engine: Engine, config: RunConfig) -> None:
    """Give the recipe its model, record the model's usage per batch and enforce model budgets."""
    from evoforge.llm import LLMBudget, get_model
    from evoforge.llm.embedded import user_cache_dir
    from evoforge.llm.usage import fold_evaluator_usage

    cache = user_cache_dir() / "llm-cache.sqlite"  # shared: a re-run of a seeded run costs no new calls
    opts = {"max_concurrency": config.concurrency} if config.concurrency else {}
    model = get_model(config.model or "embedded", base_url=config.base_url, cache=cache, **opts)
    engine.concurrency = model.max_concurrency  # proposers in the asynchronous loop
    engine.recipe.model = model
    model.counts_for_run = True  # --max-calls across processes (_call_ledger)
    engine.usage_snapshot = model.usage.snapshot
    engine.on_evaluated = lambda batch: fold_evaluator_usage(model.usage, batch)
    limits = LLMBudget(max_calls=config.max_calls, max_tokens=config.max_tokens, max_cost=config.max_cost)
    engine.budget.checks.append(lambda: limits.exceeded(model.usage))  # between batches ...
    model.budget = limits  # ... and at every call, so a batch cannot overshoot a limit
    engine.on_restore = lambda last: model.usage.restore(last["usage"]) if last.get("usage") else None


@contextlib.contextmanager
def _call_ledger(config: RunConfig, engine: Engine) -> Iterator[None]:
    """``--max-calls`` for every model request of the run, the evaluators' in pool workers included
    (:mod:`evoforge.llm.ledger`), starting from the answers already spent (a resumed run). In the
    synchronous loop, answers that evaluations received but could not report (cut short by the limit,
    killed at the timeout) are added to the run's usage after each batch, as calls of ``evaluator``."""
    from evoforge.llm.ledger import active_run_ledger

    model = engine.recipe.model if engine.recipe.needs_model else None
    if model is None or config.max_calls is None:
        yield
        return
    with active_run_ledger(config.max_calls, used=model.usage.answers) as ledger:
        fold = engine.on_evaluated

        def on_evaluated(batch: list[Any]) -> None:
            if fold is not None:
                fold(batch)
            unreported = ledger.used - model.usage.answers
            if unreported > 0 and not engine.asynchronous:  # nothing is in flight between batches
                model.usage.record("evaluator", calls=unreported)
            ledger.at_least(model.usage.answers)  # calls of workers outside the ledger (Ray), reported

        engine.on_evaluated = on_evaluated
        try:
            yield
        finally:
            engine.on_evaluated = fold


def evolve(
    task: str | Task,
    recipe: str | Recipe = "ga",
    *,
    budget: int | None = 1000,
    seed: int = 0,
    out: str | Path | None = None,
    executor: str | None = None,
    overwrite: bool = False,
    on_batch: Callable[[Engine, list], None] | None = None,
    **settings: Any,
) -> RunResult:
    """Run ``recipe`` on ``task`` until the budget is spent; return the best candidate.

    ``task`` is a built-in name, a module or a file path (or a loaded :class:`Task`); ``recipe`` a
    recipe name or instance. ``settings`` are other :class:`RunConfig` fields (``workers``,
    ``timeout``, ``recipe_params`` ...). With ``out`` the run is stored there and can be resumed.
    """
    task_obj = task if isinstance(task, Task) else None
    recipe_obj = recipe if isinstance(recipe, Recipe) else None
    try:
        config = RunConfig(
            recipe=recipe_obj.name if recipe_obj else str(recipe),
            task=task_obj.ref if task_obj else str(task),
            seed=seed,
            budget=budget,
            executor=executor,
            **settings,
        )
    except TypeError as err:
        raise ConfigError(f"evolve(): {err}") from None
    return run_config(config, out, overwrite=overwrite, on_batch=on_batch, task=task_obj, recipe=recipe_obj)


def run_config(
    config: RunConfig,
    out: str | Path | None,
    *,
    overwrite: bool = False,
    on_batch: Callable[[Engine, list], None] | None = None,
    task: Task | None = None,
    recipe: Recipe | None = None,
) -> RunResult:
    """Start the run ``config`` describes, storing it in ``out``. The task and recipe are loaded and
    checked before the run file is created, so bad input leaves no file behind."""
    check_config(config)
    problem = out_problem(out, overwrite) if out else None
    if problem:
        raise ConfigError(problem)
    task = task_of(config, task)
    recipe = recipe or get_recipe(config.recipe).from_params(config.recipe_params)
    recipe.validate()  # a recipe built in Python may have been changed after construction
    recipe.check_task(task)
    if config.sandbox:
        check_sandbox(config.executor or "pool", task)
    check_asynchronous(config, recipe)
    store = RunStore.create(out, config.to_dict(), overwrite=overwrite) if out else None
    try:
        return _run(config, store, on_batch, task, recipe)
    except (ConfigError, TaskError):  # e.g. a recipe's setup refusing the task: bad input, not a run
        if store is not None:
            _discard_if_empty(store.path)
        raise


def _discard_if_empty(path: Path) -> None:
    """Remove a run file this call created when no batch was committed to it."""
    store = RunStore.open(path)
    try:
        empty = store.last_batch() is None
    finally:
        store.close()
    if empty:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)


def open_resumable(path: str | Path) -> RunStore:
    """Open a run file for resuming, refusing finished runs."""
    store = RunStore.open(path, write=True)
    if store.meta("status") == "finished":
        reason = store.meta("stop_reason")
        store.close()
        raise StoreError(f"{path} already finished ({reason}); nothing to resume")
    return store


def resume(path: str | Path, on_batch: Callable[[Engine, list], None] | None = None) -> RunResult:
    """Continue a stored run from its last committed batch."""
    store = open_resumable(path)
    try:
        config = RunConfig.from_dict(store.config)
        check_config(config)  # a run file from elsewhere is checked like flags
    except (TypeError, ConfigError) as err:
        store.close()
        raise StoreError(f"{path}: unreadable run configuration ({err})") from None
    return _run(config, store, on_batch, None, None, restore=True)


def _run(
    config: RunConfig, store: RunStore | None, on_batch, task: Task | None, recipe: Recipe | None, restore: bool = False
) -> RunResult:
    try:
        engine = build_engine(config, store, on_batch, task, recipe)
    except BaseException:
        if store is not None:
            store.close()
        raise
    if restore and store is not None:
        engine.restore(store)
        store.event("resumed", {"batch": engine.state.batch, "evaluations": engine.state.evaluations})
    elif store is not None:
        store.event("started", {"config": config.to_dict()})
        if engine.task.descriptor_names:  # the archive's axes, for plot and the dashboard
            store.describe(None, None, {"axes": engine.task.descriptor_names})
    timeout = config.timeout if config.timeout is not None else engine.recipe.eval_timeout
    # evaluate_array means "run me in-process": the one case chosen without being asked (not with --sandbox)
    array_path = engine.array_capable() and not config.sandbox and not config.asynchronous
    kind = config.executor or ("inprocess" if array_path else "pool")
    # a model generating on this machine gets the CPU first: evaluations fill the time it leaves
    local_model = engine.recipe.needs_model and (config.model or "embedded").split(":")[0] in ("embedded", "hf")
    runner = make_executor(
        kind,
        engine.task,
        config.workers,
        timeout,
        config.memory_mb,
        config.address,
        sandbox=config.sandbox,
        niceness=LOCAL_MODEL_NICENESS if local_model else 0,
    )
    try:
        with _call_ledger(config, engine):
            result = engine.run(runner)
        record_seed(engine, runner)  # recipes that never evaluate the SEED: once, outside the budget
        return result
    finally:
        runner.close()
        if store is not None:
            store.close()
