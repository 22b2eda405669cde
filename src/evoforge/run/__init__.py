"""Running a run: the Python API (``api``: ``evolve``, ``resume``), the engines (``engine``, ``engine_async``)
and the executors (``executors``, ``pool``)."""
