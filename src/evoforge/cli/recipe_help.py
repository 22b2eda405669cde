"""``evoforge list RECIPE``: a recipe's summary, the genome kinds it works on and its parameters."""

from __future__ import annotations

from typing import Any

from evoforge.core.params import declared
from evoforge.core.recipe import Recipe


def parameter_table(cls: type[Recipe]) -> Any:
    """A rich renderable: the summary line, the genome kinds, then name / type / default / range / help."""
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    table = Table(title=f"parameters of {cls.name} (--set NAME=VALUE)", show_header=True, header_style="bold")
    for column in ("name", "type", "default", "range", "help"):
        table.add_column(column, overflow="fold")
    for p in declared(cls).values():
        table.add_row(
            p.name,
            p.kind.__name__,
            repr(p.default) if p.kind is str else str(p.default),
            p.spec.range_text(),
            p.spec.help,
        )
    kinds = ", ".join(cls.genomes) or "any"
    head = Text.assemble((cls.name, "bold"), f": {cls.summary}\n", ("genomes: ", "bold"), kinds)
    return Group(head, table)
