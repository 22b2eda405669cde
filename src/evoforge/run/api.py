"""The high-level Python API: ``evolve(task, recipe, ...)`` and ``resume(path)``; both, and ``evoforge
run``, check and load a run once (:func:`~evoforge.run.prepare.prepare`) and build its engine from that."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from evoforge.core.drawing import record
from evoforge.core.errors import ConfigError, StoreError, TaskError
from evoforge.core.recipe import Recipe
from evoforge.core.task import Task
from evoforge.store.facts import record_seed
from evoforge.store.run_file import RunStore

from .engine import Engine, RunResult
from .executors import make_executor
from .extend import extend
from .prepare import Prepared, RunConfig, prepare

# evaluation workers' niceness beside a local model: with 2 cores, 1 llama.cpp thread and 2 busy
# evaluations, decoding ran at 12 tok/s with the workers at niceness 0 and 22 tok/s at 10
LOCAL_MODEL_NICENESS = 10


def build_engine(
    config: RunConfig,
    store: RunStore | None,
    on_batch: Callable[[Engine, list], None] | None = None,
    task: Task | None = None,
    recipe: Recipe | None = None,
) -> Engine:
    """An engine for ``config`` to drive by hand (``ask``/``tell``), checked as :func:`prepare` checks."""
    return prepare(config, task=task, recipe=recipe).engine(store, on_batch)


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
    """Start the run ``config`` describes, storing it in ``out``: checked and loaded once
    (:func:`prepare`) before the run file is created, so bad input leaves no file behind."""
    prepared = prepare(config, out, overwrite=overwrite, task=task, recipe=recipe)
    return run_prepared(prepared, out, overwrite=overwrite, on_batch=on_batch)


def run_prepared(
    prepared: Prepared,
    out: str | Path | None,
    *,
    overwrite: bool = False,
    on_batch: Callable[[Engine, list], None] | None = None,
) -> RunResult:
    """Run a prepared run, storing it in ``out`` (None: not stored)."""
    store = RunStore.create(out, prepared.config.to_dict(), overwrite=overwrite) if out else None
    try:
        return _run(prepared, store, on_batch)
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


def open_resumable(path: str | Path, limits: dict[str, Any] | None = None) -> RunStore:
    """Open a run file for resuming, refusing run files this user's evoforge did not write (their
    signature is checked here, before anything the file names is loaded or imported) and finished runs,
    unless ``limits`` give them more (new totals: ``budget``, ``max_calls`` ...; see ``extend.py``)."""
    store = RunStore.open(path, write=True)
    try:
        more = {k: v for k, v in (limits or {}).items() if v is not None}
        if store.meta("status") == "finished" and not more:
            raise StoreError(
                f"{path} already finished ({store.meta('stop_reason')}); nothing to resume "
                f"(give it more: evoforge resume {path} --budget N, or --max-calls N)"
            )
        store.check_signed()
        if more:
            extend(store, more)
    except BaseException:
        store.close()
        raise
    return store


def resume(path: str | Path, on_batch: Callable[[Engine, list], None] | None = None, **limits: Any) -> RunResult:
    """Continue a stored run from its last committed batch; ``limits`` (``budget=``, ``max_calls=`` ...,
    totals for the whole run) give it, finished or not, more to spend."""
    store = open_resumable(path, limits)
    try:
        try:
            config = RunConfig.from_dict(store.config)
        except TypeError as err:
            raise StoreError(f"{path}: unreadable run configuration ({err})") from None
        prepared = prepare(config, stored_in=path)  # a run file from elsewhere is checked like flags
    except BaseException:
        store.close()
        raise
    return _run(prepared, store, on_batch, restore=True)


def _store_drawing(task: Task, store: RunStore) -> None:
    """A task that draws itself and has 2-D descriptors (the hard maze): its drawing as JSON (meta
    ``drawing``), for ``plot``, which draws the end points on it without loading the task."""
    bounds = task.descriptor_bounds
    if task.draw is not None and bounds and len(bounds) == 2:
        drawing = record(task.draw)
        if drawing is not None:
            store.describe(None, None, {"drawing": drawing})


def _run(
    prepared: Prepared,
    store: RunStore | None,
    on_batch: Callable[[Engine, list], None] | None,
    restore: bool = False,
) -> RunResult:
    config = prepared.config
    try:
        engine = prepared.engine(store, on_batch)
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
    if store is not None and store.meta("drawing") is None:
        _store_drawing(engine.task, store)
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
        result = engine.run(runner)  # the run's model limits hold meanwhile (Engine.spend)
        record_seed(engine, runner)  # recipes that never evaluate the SEED: once, outside the budget
        return result
    finally:
        runner.close()
        if store is not None:
            store.close()
