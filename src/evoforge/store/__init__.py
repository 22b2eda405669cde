"""The run file: one SQLite file per run (``run_file``: :class:`RunStore`), its rows (``rows``), safe
opening (``fileaccess``), the per-user key that signs checkpoints (``runkey``) and the JSON facts readers
show (``facts``). SQL lives in this package only."""

from .run_file import BatchRecord, RunStore

__all__ = ["BatchRecord", "RunStore"]
