"""What the model did, as ``show`` prints it: one candidate with the request it was made from and the
model's raw answer (``show --candidate ID``), and per operator how many children a model call made."""

from __future__ import annotations

import json

from rich.console import Console
from rich.table import Table
from rich.text import Text

from evoforge.core.errors import StoreError
from evoforge.core.text import printable
from evoforge.store.run_file import RunStore


def _say(console: Console, line: str, style: str = "") -> None:
    console.print(Text(printable(line), style=style), highlight=False, soft_wrap=True)


def show_candidate(store: RunStore, console: Console, cid: int) -> None:
    """Candidate ``cid``: operator, status and score, parents, whether a model made it, the messages
    it was asked with and the answer, then its genome. Every text escaped (:func:`printable`)."""
    cand = store.candidate(cid)
    if cand is None:
        raise StoreError(f"{store.path} has no candidate {cid}")
    call = store.calls([cid]).get(cid)
    score = f"score {cand.score:.6g}" if cand.score is not None else f"{cand.status}: {cand.reason or ''}"
    _say(console, f"candidate {cand.id} (batch {cand.generation}): {score}", "bold")
    _say(console, f"operator: {cand.operator}")
    _say(console, f"parents: {', '.join(map(str, cand.parents)) or 'none'}")
    if call is None:
        _say(console, "model called: not recorded (the recipe does not say, or the run file predates it)")
    elif not call.called:
        _say(console, "model called: no (made without a model call)")
    else:
        _say(console, f"model called: yes ({len(call.messages)} messages)")
        for message in call.messages:
            _say(console, f"--- {message['role']} ---", "bold")
            _say(console, message["content"])
        _say(console, "--- answer ---", "bold")
        _say(console, call.answer)
    if cand.feedback:
        _say(console, "--- feedback ---", "bold")
        _say(console, cand.feedback)
    _say(console, "--- genome ---", "bold")
    _say(console, cand.genome if isinstance(cand.genome, str) else json.dumps(cand.genome, default=str))


def print_calls(store: RunStore, console: Console) -> None:
    """Per operator: children made by a model call and children made without one (when recorded)."""
    counts = store.calls_by_operator()
    if not counts:
        return
    table = Table(title="children by operator: made by a model call or without one", header_style="bold")
    for col in ("operator", "model call", "no model call"):
        table.add_column(col, justify="left" if col == "operator" else "right")
    for op, (made, without) in counts.items():
        table.add_row(Text(printable(op)), str(made), str(without))
    console.print(table)
