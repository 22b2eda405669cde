"""``evoforge show``: a run's summary, its best candidate and the lineage of the best."""

from __future__ import annotations

import json
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from evoforge.core.candidate import REJECTED
from evoforge.core.text import printable
from evoforge.store.facts import discarded, recipe_answer, run_counts, seed_score
from evoforge.store.run_file import RunStore

from .model_calls import print_calls
from .qd import print_qd


def _genome_text(genome: Any, limit: int = 1200) -> str:
    text = genome if isinstance(genome, str) else json.dumps(genome, default=str)
    return printable(text if len(text) <= limit else text[:limit] + f" ... ({len(text)} chars)")


def cell(value: Any) -> Text:
    """A table cell of text from a run file: control characters escaped, no rich markup."""
    return Text(printable(value))


def shown(value: Any) -> str:
    """Text from a run file inside a line that has rich markup of its own."""
    return escape(printable(value))


def print_archive(store: RunStore, console: Console) -> None:
    """The recipe's ranked archive from its view (meta ``view``): its size and best entries."""
    ranked = (store.meta("view") or {}).get("ranked")
    if not ranked:
        return
    best = ", ".join(f"#{row['id']} {_score(row['score'], '.4g')}" for row in ranked["top"][:5])
    line = f"archive: {ranked['size']} entries" + (f"; best: {best}" if best else "")
    console.print(printable(line), markup=False, highlight=False)


def show_run(store: RunStore, console: Console, lineage_depth: int = 15) -> None:
    config = store.config
    last = store.last_batch() or {}
    counts = run_counts(store)
    summary = Table(title=shown(f"run {store.path}"), show_header=False)
    summary.add_column(style="bold")
    summary.add_column()
    rows = [
        ("recipe", config.get("recipe")),
        ("task", config.get("task")),
        ("seed", config.get("seed")),
        ("status", store.meta("status")),
        ("stop reason", store.meta("stop_reason", "-")),
        ("batches", store.batch_count()),
        ("evaluations", last.get("evaluations", 0)),
        ("ok / failed / rejected", f"{counts['ok']} / {counts['failed']} / {counts['rejected']}"),
        ("discarded before evaluation", counts["discarded"]),
        ("elapsed", f"{last.get('elapsed', 0.0):.1f}s"),
    ]
    recorded = counts["ok"] + counts["failed"]
    if recorded < (last.get("evaluations") or 0):  # the array path keeps only archive entrants
        rows.insert(7, ("recorded", f"{recorded} candidates (those that entered the archive, and each new best)"))
    for key, value in rows:
        summary.add_row(key, cell(value))
    console.print(summary)

    usage = last.get("usage")
    if usage and usage.get("total"):
        table = Table(title="model usage", header_style="bold")
        for col in ("operator", "calls", "prompt tokens", "completion tokens", "cache hits", "cost"):
            table.add_column(col, justify="left" if col == "operator" else "right")
        rows_ = sorted(usage.get("by_tag", {}).items()) + [("total", usage["total"])]
        for tag, u in rows_:
            table.add_row(
                cell(tag or "(untagged)"),
                str(u.get("calls", 0)),
                str(u.get("prompt_tokens", 0)),
                str(u.get("completion_tokens", 0)),
                str(u.get("cache_hits", 0)),
                f"{u.get('cost', 0.0):.4g}",
            )
        console.print(table)
    print_calls(store, console)

    failures = store.count_reasons("failed", limit=5)
    if failures:
        table = Table(title="most common failures", header_style="bold")
        table.add_column("count", justify="right")
        table.add_column("reason")
        for reason, n in failures:
            table.add_row(str(n), cell(reason or ""))
        console.print(table)

    print_discarded(store, console)
    print_seed(store, console)
    print_archive(store, console)
    print_qd(store, console)
    best = store.best()
    if best is None:
        console.print("[yellow]no successful candidate yet[/]")
        print_answer(store, console)
        return
    console.print(
        f"[bold]best[/] candidate {best.id}: score [cyan]{best.score:.6g}[/], "
        f"operator {shown(best.operator)}, batch {best.generation}"
    )
    if best.metrics:
        console.print(printable(f"metrics: {json.dumps(best.metrics, default=str)[:400]}"), markup=False)
    console.print(_genome_text(best.genome), markup=False, highlight=False)
    print_answer(store, console)

    lineage = Table(title="lineage of the best (newest first)", header_style="bold")
    for col in ("id", "batch", "operator", "score", "parents"):
        lineage.add_column(col)
    for cand in store.lineage(best.id, lineage_depth):
        score = _score(cand.score) if cand.score is not None else cand.status
        parents = ",".join(map(str, cand.parents))
        lineage.add_row(str(cand.id), str(cand.generation), cell(cand.operator), cell(score), cell(parents))
    console.print(lineage)


def _score(value: Any, spec: str = ".6g") -> str:
    return format(value, spec) if isinstance(value, (int, float)) else "-"


def print_seed(store: RunStore, console: Console) -> None:
    """The seed's score (or why there is none), measured as the recipe's answer was where it says so."""
    seed = seed_score(store)
    if seed is None:
        console.print("seed: not evaluated in this run", highlight=False)
    elif seed.get("status") == "ok":
        console.print(f"seed score [bold]{_score(seed.get('score'))}[/] ({shown(seed.get('on'))})", highlight=False)
    else:
        line = f"seed failed: {seed.get('reason')} ({seed.get('on')})"
        console.print(printable(line), markup=False, highlight=False)


def print_improvement(store: RunStore, console: Console) -> None:
    """How far the best candidate moved from the seed: the score change, and both in the task's own
    words (their feedback, e.g. "tours are 6.98% longer than the reference"); nothing without an
    evaluated seed or when the best is the seed."""
    seed = next(store.candidates(operator="seed", exclude=REJECTED), None)
    best = store.best()
    if seed is None or best is None or not seed.ok or best.id == seed.id or best.score is None:
        return
    gain = best.score - seed.score
    console.print(
        f"[bold]improvement[/] {gain:+.4g} (score {_score(seed.score)} -> {_score(best.score)})", highlight=False
    )
    for label, cand in (("seed", seed), ("best", best)):
        if cand.feedback:
            line = printable(cand.feedback.split("\n")[0].split(";")[0])[:160]
            console.print(f"  {label}: {line}", markup=False, highlight=False)


def print_answer(store: RunStore, console: Console) -> None:
    """The recipe's own answer (the validated prompt, the final checkpoint) with the score it was chosen
    by; nothing when the best candidate above is the answer."""
    answer = recipe_answer(store)
    if answer is None:
        return
    if "error" in answer:
        console.print(printable(f"recipe's answer unavailable: {answer['error']}"), markup=False, highlight=False)
        return
    ident = f", candidate {answer['candidate']}" if isinstance(answer.get("candidate"), int) else ""
    console.print(
        f"[bold]answer[/] ({shown(answer.get('what', 'the recipe'))}{ident}): "
        f"score [cyan]{_score(answer.get('score'))}[/] on {shown(answer.get('score_on', '?'))}",
        highlight=False,
    )
    console.print(_genome_text(answer.get("genome")), markup=False, highlight=False)


def print_discarded(store: RunStore, console: Console) -> None:
    """Proposals that never reached evaluation, by reason (duplicates, unusable model answers)."""
    counts = discarded(store)
    if not counts:
        return
    console.print(f"[bold]discarded before evaluation[/]: {sum(counts.values())} proposals", highlight=False)
    table = Table(header_style="bold")
    table.add_column("count", justify="right")
    table.add_column("reason")
    for reason, n in counts.items():
        table.add_row(str(n), cell(reason))
    console.print(table)
