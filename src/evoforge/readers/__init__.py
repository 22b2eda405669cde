"""Readers of run files (read-only, JSON only, never a pickle): ``show`` (report), ``plot``, ``compare``,
``export`` (lineage as training data) and the dashboard (``ui``)."""
