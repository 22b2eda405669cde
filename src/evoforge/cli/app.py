"""The ``evoforge`` command line: run, resume, show, list (plot, compare, ui, export, report: cli_views.py)."""

from __future__ import annotations

import os
import shlex
import sys
import time
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.markup import escape

from evoforge.core.errors import ConfigError, EvoforgeError, TaskError
from evoforge.core.text import printable
from evoforge.run import api
from evoforge.run.prepare import RunConfig, prepare
from evoforge.store.disk import disk_full
from evoforge.store.run_file import RunStore

from .config import run_settings
from .views import VIEW_COMMANDS, write_plot

console = Console(stderr=True)
out = Console()
_writing: dict[str, str] = {}  # the run file `run` writes: what a full disk's message names


def _Progress(total: int | None, quiet: bool):
    """The progress (progress.py): a bar on a terminal, plain lines otherwise, in the unit of the budget
    that will end the run."""
    from .progress_log import make_progress

    return make_progress(total, quiet, console)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="evoforge")
def cli() -> None:
    """evoforge: self-evolving AI systems on one small engine (acquire, refine, update, evaluate)."""


@cli.command()
@click.argument("recipe")
@click.option("--task", "-t", help="Built-in task name, module, or path to a task .py file.")
@click.option("--budget", "-b", type=int, help="Number of evaluations (default: the recipe's, usually 1000).")
@click.option("--seed", "-s", type=int, help="Random seed (default 0): the same seed gives the same run.")
@click.option(
    "--out",
    "-o",
    type=click.Path(),  # checked with the other settings (settings.out_problem): one line, exit 2
    help="Run file (SQLite); missing folders are created. Default: runs/<recipe>-<task>-<time>.db",
)
@click.option(
    "--executor",
    "-e",
    type=click.Choice(["pool", "inprocess", "ray"]),
    help="Where evaluations run (default pool; inprocess for array-path recipes such as map-elites and cma-es "
    "on vectorised tasks).",
)
@click.option("--workers", "-w", type=int, help="Parallel evaluations (default 2).")
@click.option(
    "--timeout", type=float, help="Seconds per evaluation before it is killed (default: the recipe's, usually 60)."
)
@click.option("--memory-mb", type=int, help="Memory an evaluation may add, in MB (default 4096; 0: no limit).")
@click.option("--address", help="Ray cluster address (with --executor ray); default: a local Ray.")
@click.option(
    "--sandbox",
    is_flag=True,
    default=None,
    help="Run the task's evaluator inside bubblewrap (pool executor; see `evoforge doctor`).",
)
@click.option("--batch-size", type=int, help="Candidates per batch (default: the recipe's).")
@click.option("--generations", type=int, help="Stop after this many batches.")
@click.option("--seconds", type=float, help="Stop after this much wall time.")
@click.option("--model", "-m", help="Model for recipes that use one: embedded, embedded:coder, openai[:NAME], hf:PATH.")
@click.option("--base-url", help="OpenAI-compatible endpoint for --model openai[:NAME].")
@click.option("--task-model", help="Model a prompt task calls (recorded in the run; default embedded).")
@click.option("--task-base-url", help="OpenAI-compatible endpoint for --task-model openai[:NAME].")
@click.option(
    "--max-calls", type=int, help="Stop after this many model answers, cached or not (task evaluators' included)."
)
@click.option(
    "--max-tokens", type=int, help="Stop after this many model tokens (prompt + completion; cached answers spend none)."
)
@click.option("--max-cost", type=float, help="Stop after this model cost (in the backend's currency).")
@click.option(
    "--concurrency",
    type=int,
    help="Model requests in flight at once (default: 1 for embedded and hf models, 8 for endpoints).",
)
@click.option(
    "--async",
    "asynchronous",
    is_flag=True,
    default=None,
    help="Send new model requests while earlier children are evaluated (pool executor; not bit-for-bit "
    "reproducible for a seed).",
)
@click.option(
    "--cache/--no-cache",
    default=None,
    help="Replay answers from the shared response cache and store new ones (default); --no-cache: every "
    "answer is a fresh model call (benchmarks; a new sample for a seed already run).",
)
@click.option(
    "--checkpoint-every",
    type=float,
    help="Seconds between commits of fast batches (default: adaptive, commits under ~5% of the time; 0: every batch).",
)
@click.option(
    "--config",
    "-c",
    "config_file",
    type=click.Path(dir_okay=False),
    help="TOML/JSON file with the same keys as these flags.",
)
@click.option(
    "--set", "sets", multiple=True, metavar="KEY=VALUE", help="Recipe parameter, or task.OPTION=VALUE; repeatable."
)
@click.option("--overwrite", is_flag=True, help="Replace --out if it exists.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
@click.option("--plot", "plot_png", is_flag=True, help="Also write the plot (RUN_FILE with .png) at the end.")
@click.pass_context
def run(
    ctx: click.Context,
    recipe: str,
    config_file: str | None,
    sets: tuple[str, ...],
    out: str | None,
    overwrite: bool,
    quiet: bool,
    plot_png: bool,
    **flags: Any,
) -> None:
    """Evolve with RECIPE on --task until the budget is spent."""
    config, file_out, names = run_settings(config_file, {**flags, "recipe": recipe}, sets)
    out = out or file_out or _default_out(config)
    prepared = prepare(config, out, overwrite=overwrite, names=names)  # every check, once, before anything runs
    _writing["run_file"] = out
    console.print(f"[dim]run file[/] {escape(printable(out))}", highlight=False)
    for note in prepared.notes:
        console.print(f"[yellow]note:[/] {escape(printable(note))}", highlight=False, soft_wrap=True)
    _warn_isolation(prepared.task, prepared.recipe)
    with _Progress(config.budget, quiet) as progress:
        result = api.run_prepared(prepared, out, overwrite=overwrite, on_batch=progress)
    _report(result)
    if plot_png:
        write_plot(out, None)


def _default_out(config: RunConfig) -> str:
    task = str(config.task)
    name = Path(task).stem if task.endswith(".py") else task
    return f"runs/{config.recipe}-{name}-s{config.seed}-{time.strftime('%Y%m%d-%H%M%S')}.db"


def _warn_isolation(task: Any, recipe: Any) -> None:
    """One line when untrusted program text (a program task) will run without bubblewrap."""
    from evoforge.core.kinds import genome_kind
    from evoforge.isolation import bwrap

    if genome_kind(task) != "program":
        return
    status = bwrap.probe()
    if not status.available:
        console.print(
            f"[yellow]warning:[/] programs run without bwrap: {escape(printable(status.describe()))}",
            highlight=False,
            soft_wrap=True,
        )


@cli.command()
@click.argument("run_file", type=click.Path(dir_okay=False))
@click.option("--budget", "-b", type=int, help="New evaluation budget, a total for the whole run.")
@click.option("--generations", type=int, help="New total of batches.")
@click.option("--seconds", type=float, help="New total wall time.")
@click.option("--max-calls", type=int, help="New total of model answers.")
@click.option("--max-tokens", type=int, help="New total of model tokens.")
@click.option("--max-cost", type=float, help="New total model cost.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
def resume(run_file: str, quiet: bool, **limits: Any) -> None:
    """Continue RUN_FILE from its last committed batch; with new limits, also a finished run."""
    store = api.open_resumable(run_file, limits)  # new limits are written here (run/extend.py)
    _writing["run_file"] = run_file
    budget = store.config.get("budget")
    store.close()
    with _Progress(budget, quiet) as progress:
        result = api.resume(run_file, progress)
    _report(result)


def _report(result: api.RunResult) -> None:
    best = result.best
    out.print(f"[bold]stopped:[/] {escape(printable(result.stop_reason))}")
    out.print(f"evaluations {result.evaluations}, batches {result.batches}")
    if best is not None:
        operator = escape(printable(best.operator))
        out.print(f"best score [bold cyan]{best.score:.6g}[/] (candidate {best.id}, {operator})")
    else:
        out.print("[yellow]no candidate evaluated successfully[/]")
    if result.path:
        _outcome(result.path)
        _recipe_report(result.path)
        path = escape(printable(result.path))
        out.print(f"[dim]evoforge show {path}  |  evoforge plot {path}[/]")


def _recipe_report(path: str) -> None:
    """Print what the run's recipe adds to reports (e.g. the per-round table of self-training)."""
    store = RunStore.open(path)
    try:
        text = store.meta("report")  # written by the run as text: nothing in a run file is unpickled here
    finally:
        store.close()
    if text:
        out.print(printable(text), markup=False, highlight=False)


def _outcome(path: str) -> None:
    """The seed's score, the recipe's own answer and the proposals discarded before evaluation."""
    from evoforge.readers.report import print_answer, print_discarded, print_improvement, print_seed

    store = RunStore.open(path)
    try:
        print_seed(store, out)
        print_improvement(store, out)
        print_answer(store, out)
        print_discarded(store, out)
    finally:
        store.close()


@cli.command()
@click.argument("run_file", type=click.Path(dir_okay=False))
@click.option("--lineage-depth", type=int, default=15, show_default=True)
@click.option(
    "--candidate", "candidate", type=int, help="Show this candidate: operator, the model's request and answer."
)
def show(run_file: str, lineage_depth: int, candidate: int | None) -> None:
    """Summary table, best candidate and its lineage (or, with --candidate, how one child was made)."""
    from evoforge.readers.report import show_run

    store = RunStore.open(run_file)
    try:
        if candidate is not None:
            from evoforge.readers.model_calls import show_candidate

            return show_candidate(store, out, candidate)
        show_run(store, out, lineage_depth)
    finally:
        store.close()
    _recipe_report(run_file)


@cli.command("list")
@click.argument("name", required=False)
def list_(name: str | None) -> None:
    """Recipes and built-in tasks with their genome kinds; with a RECIPE, its parameters; with a TASK,
    the recipes that work on it."""
    from .listing import describe, overview

    for part in describe(name) if name else overview():
        out.print(part)


def _register_optional_commands() -> None:
    """Commands of optional layers (the model layer), when their module is present."""
    try:
        from evoforge.llm.cli import models, serve
    except ImportError:
        return
    cli.add_command(models)
    cli.add_command(serve)


def _register_doctor() -> None:
    from .doctor import doctor

    cli.add_command(doctor)


for _command in VIEW_COMMANDS:
    cli.add_command(_command)


def main(argv: list[str] | None = None) -> None:
    """Entry point: user errors become one line on stderr and a non-zero exit (see :func:`exit_code`),
    never a traceback; a bug in evoforge is one "internal error" line and exit 1."""
    _register_optional_commands()
    _register_doctor()
    _writing.clear()
    try:
        cli.main(args=argv, prog_name="evoforge", standalone_mode=False)
    except click.exceptions.Exit as stop:
        sys.exit(stop.exit_code)
    except click.ClickException as err:
        _error(err.format_message())
        if isinstance(err, click.UsageError) and err.ctx is not None:
            console.print(f"[dim]see: {err.ctx.command_path} --help[/]", highlight=False)
        sys.exit(err.exit_code)
    except click.exceptions.Abort:  # click's form of KeyboardInterrupt (Ctrl-C)
        _interrupted()
        sys.exit(130)
    except EvoforgeError as err:
        _error(str(err))
        sys.exit(exit_code(err))
    except KeyboardInterrupt:
        _interrupted()
        sys.exit(130)
    except Exception as err:  # a bug in evoforge itself: still one line, with a way to see more
        full = disk_full(err, _writing.get("run_file"))
        if full is not None:  # ENOSPC, EDQUOT, EFBIG (ulimit -f) outside the run file's own writes
            where = getattr(err, "filename", None) or _writing.get("run_file")
            _error(f"disk full while writing {where}: {full}" if where else f"disk full: {full}")
            sys.exit(1)
        if os.environ.get("EVOFORGE_DEBUG"):
            raise
        console.print(
            f"[red]internal error:[/] {escape(printable(f'{type(err).__name__}: {err}'))} "
            "(set EVOFORGE_DEBUG=1 for a traceback)",
            highlight=False,
            soft_wrap=True,
        )
        sys.exit(1)


def _interrupted() -> None:
    """After Ctrl-C: the exact command that continues the run (when one was being written)."""
    path = _writing.get("run_file")
    if path is None or not Path(path).is_file():
        console.print("[red]aborted[/]")
        return
    command = f"evoforge resume {shlex.quote(path)}"
    console.print(
        f"[yellow]interrupted[/]: the last committed batch is safe; continue with: {escape(printable(command))}",
        highlight=False,
        soft_wrap=True,
    )


def _error(message: str) -> None:
    """The one ``error:`` line; the message may quote a task file, a run file or a model's answer."""
    console.print(f"[red]error:[/] {escape(printable(message))}", highlight=False, soft_wrap=True)


def exit_code(err: EvoforgeError) -> int:
    """2 for usage errors (a bad flag, config value, recipe parameter, model spec or task: the input
    is wrong and nothing was run), 1 for failures while running or reading run files (StoreError,
    a model that does not answer). click's own usage errors exit 2 as well; interrupts 130."""
    return 2 if isinstance(err, (ConfigError, TaskError)) else 1


if __name__ == "__main__":
    main()
