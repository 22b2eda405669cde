"""The commands that read finished or running runs: plot, compare, ui (the dashboard), export and
report. ``cli.py`` adds them to the ``evoforge`` group."""

from __future__ import annotations

from pathlib import Path

import click
from rich.console import Console
from rich.markup import escape

from evoforge.core.text import printable
from evoforge.store.run_file import RunStore


def _shown(value: object) -> str:
    """A path or a count inside a printed line: control characters escaped, no rich markup."""
    return escape(printable(value))


out = Console()


@click.command()
@click.argument("run_file", type=click.Path(dir_okay=False))
@click.option("--out", "-o", "png", type=click.Path(dir_okay=False), help="PNG path (default: RUN_FILE with .png).")
def plot(run_file: str, png: str | None) -> None:
    """PNG of best and median score per generation (and the archive, where there is one)."""
    write_plot(run_file, png)


def write_plot(run_file: str, png: str | None) -> None:
    from evoforge.readers.plot import plot_run

    store = RunStore.open(run_file)
    try:
        path = plot_run(store, png or str(Path(run_file).with_suffix(".png")))
    finally:
        store.close()
    out.print(f"wrote {_shown(path)}")


@click.command()
@click.argument("runs", nargs=-1, required=True, metavar="RUN...")
@click.option(
    "--out", "-o", "png", type=click.Path(dir_okay=False), help="Also plot each group's median and band (PNG)."
)
def compare(runs: tuple[str, ...], png: str | None) -> None:
    """Runs side by side (files, or folders of *.db): best, answer, seed score; runs whose configuration
    differs only in the seed pooled into groups (the keys that differ are named), median and range per
    group; -o: median best-so-far and min-max band per group, one panel per task."""
    from evoforge.readers.compare import plot_curves, print_comparison, run_files, summarize

    summaries = [summarize(path) for path in run_files(list(runs))]
    print_comparison(summaries, out)
    if png:
        out.print(f"wrote {_shown(plot_curves(summaries, png))}")


@click.command()
@click.argument("target", required=False, default="runs", type=click.Path())
@click.option(
    "--port", "-p", type=click.IntRange(0, 65535), default=8765, show_default=True, help="Port (0: any free)."
)
def ui(target: str, port: int) -> None:
    """Dashboard of TARGET (a run file, or a folder of them; default runs/) on 127.0.0.1, read-only,
    following runs while they are written. Stop it with Ctrl-C."""
    from evoforge.readers.ui.server import make

    server = make(target, port)
    host, bound = server.server_address[:2]
    out.print(f"evoforge dashboard of {_shown(target)} on http://{host}:{bound}/  (Ctrl-C to stop)", highlight=False)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


@click.command()
@click.argument("run_file", type=click.Path(dir_okay=False))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["sft", "messages", "dpo", "jsonl"]),
    required=True,
    help="What each line holds.",
)
@click.option("--out", "-o", "dest", type=click.Path(dir_okay=False), required=True, help="JSON-lines file to write.")
@click.option("--operator", help="Only children of this operator.")
@click.option("--status", type=click.Choice(["ok", "failed", "rejected"]), help="Only candidates of this status.")
@click.option("--min-gain", type=float, help="Only children whose score minus their best parent's is at least this.")
def export(
    run_file: str, fmt: str, dest: str, operator: str | None, status: str | None, min_gain: float | None
) -> None:
    """A run's lineage as training data: sft (request -> improving child's answer), messages (the same
    as chat messages), dpo (better vs worse answer for one parent) or jsonl (every evaluated candidate
    with its parents, metrics, feedback and model call); on a model run the rows hold the exact messages
    the model received. Read by datasets and TRL."""
    from evoforge.readers.export import Filters, export_run

    store = RunStore.open(run_file)
    try:
        count = export_run(store, fmt, dest, Filters(operator, status, min_gain))
    finally:
        store.close()
    out.print(f"wrote {count} {fmt} rows to {_shown(dest)}")


@click.command()
@click.argument("run_file", type=click.Path(dir_okay=False))
@click.option("--out", "-o", "html", type=click.Path(dir_okay=False), help="HTML path (default: RUN_FILE with .html).")
def report(run_file: str, html: str | None) -> None:
    """One self-contained HTML file with the dashboard's views of RUN_FILE (works offline)."""
    from evoforge.readers.ui.export import write_report

    out.print(f"wrote {_shown(write_report(run_file, html or Path(run_file).with_suffix('.html')))}")


VIEW_COMMANDS = (plot, compare, ui, export, report)
