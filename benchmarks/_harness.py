"""What every benchmark script shares: result rows in a JSONL file, grouping rows with aggregates over
seeds, and tables printed with rich. A script's ``table()`` returns a :class:`Table`; its ``rows`` (one
dict of column -> shown text per line) are what tests read, ``str(table)`` is what is printed."""

from __future__ import annotations

import io
import json
import shlex
import statistics
import sys
import time
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rich import box
from rich.console import Console
from rich.table import Table as RichTable


def append_row(path: Path, row: dict[str, Any]) -> dict[str, Any]:
    """Append ``row`` as one JSON line, recording the command that made it (``command``) and the time
    (``when``) unless the row has them already. Returns the row as written."""
    row = {**row}
    row.setdefault("command", shlex.join([Path(sys.argv[0]).name, *sys.argv[1:]]))
    row.setdefault("when", time.strftime("%Y-%m-%d %H:%M:%S"))
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as fh:
        fh.write(json.dumps(row) + "\n")
    return row


def read_rows(path: Path) -> list[dict[str, Any]]:
    """The rows recorded in ``path`` (none when it does not exist)."""
    if not path.is_file():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def latest(rows: Iterable[dict], key: Callable[[dict], Hashable]) -> dict[Hashable, dict]:
    """The last row of each cell ``key`` names: a re-run of a cell replaces its earlier row."""
    out: dict[Hashable, dict] = {}
    for row in rows:
        out[key(row)] = row
    return out


def group(rows: Iterable[dict], key: Callable[[dict], Hashable]) -> dict[Hashable, list[dict]]:
    """Rows by ``key``, in the order keys first appear."""
    out: dict[Hashable, list[dict]] = {}
    for row in rows:
        out.setdefault(key(row), []).append(row)
    return out


@dataclass(frozen=True)
class Summary:
    """Aggregates of one column over a cell's rows (seeds); ``sd`` is None for a single value."""

    n: int
    mean: float
    median: float
    sd: float | None


def summarise(values: Iterable[float | None]) -> Summary | None:
    """Mean, median and sample sd of the values that are not None (None when there are none)."""
    vals = [v for v in values if v is not None]
    if not vals:
        return None
    return Summary(
        len(vals), statistics.mean(vals), statistics.median(vals), statistics.stdev(vals) if len(vals) > 1 else None
    )


@dataclass
class Table:
    """Columns (name, justify: 'left' or 'right'), rows of shown text, a title line above and notes below."""

    columns: list[tuple[str, str]]
    rows: list[dict[str, str]] = field(default_factory=list)
    title: str | None = None
    notes: list[str] = field(default_factory=list)

    def add(self, *cells: Any) -> None:
        if len(cells) != len(self.columns):
            raise ValueError(f"{len(cells)} cells for {len(self.columns)} columns")
        self.rows.append({name: str(cell) for (name, _), cell in zip(self.columns, cells)})

    def find(self, **match: str) -> dict[str, str]:
        """The one row whose cells equal ``match`` (column names with spaces as underscores)."""
        hits = [r for r in self.rows if all(r.get(k.replace("_", " ")) == v for k, v in match.items())]
        if len(hits) != 1:
            raise LookupError(f"{len(hits)} rows match {match}")
        return hits[0]

    def render(self) -> str:
        table = RichTable(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
        for name, justify in self.columns:
            table.add_column(name, justify=justify, no_wrap=True)  # type: ignore[arg-type]
        for row in self.rows:
            table.add_row(*(row[name] for name, _ in self.columns))
        out = io.StringIO()
        Console(file=out, width=400, color_system=None, highlight=False).print(table)
        lines = [line.rstrip() for line in out.getvalue().splitlines()]
        return "\n".join(([self.title] if self.title else []) + lines + self.notes)

    def __str__(self) -> str:
        return self.render()


def tables(parts: Iterable[Table | str]) -> str:
    """Several tables (or text lines) one after another, a blank line between."""
    return "\n\n".join(str(p) for p in parts)


def fmt(value: float | None, spec: str, missing: str = "-") -> str:
    """``value`` in format ``spec``, or ``missing`` when it is None."""
    return missing if value is None else format(value, spec)
