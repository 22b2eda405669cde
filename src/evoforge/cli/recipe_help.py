"""``evoforge list RECIPE``: a recipe's summary, the genome kinds it works on and its parameters."""

from __future__ import annotations

from typing import Any

from evoforge.core.params import declared
from evoforge.core.recipe import Recipe
from evoforge.core.text import printable


def parameter_table(cls: type[Recipe]) -> Any:
    """A rich renderable: the summary line, the genome kinds, then name / type / default / range / help."""
    from rich.console import Group
    from rich.markup import escape
    from rich.table import Table
    from rich.text import Text

    title = escape(printable(f"parameters of {cls.name} (--set NAME=VALUE)"))
    table = Table(title=title, show_header=True, header_style="bold")
    for column in ("name", "type", "default", "range", "help"):
        table.add_column(column, overflow="fold")
    for p in declared(cls).values():
        default = repr(p.default) if p.kind is str else p.default
        follows = " (follows --concurrency when not set)" if p.name == cls.follows_concurrency else ""
        cells = (p.name, p.kind.__name__, default, p.spec.range_text(), p.spec.help + follows)
        table.add_row(*(Text(printable(c)) for c in cells))
    kinds = ", ".join(cls.genomes) or "any"
    summary = f": {printable(cls.summary)}\n"
    head = Text.assemble((printable(cls.name), "bold"), summary, ("genomes: ", "bold"), printable(kinds))
    return Group(head, table)
