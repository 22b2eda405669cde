"""The run dashboard: ``evoforge ui`` (a local, read-only web view that follows a run as it is written)
and ``evoforge report -o run.html`` (the same views as one self-contained HTML file).

``data`` and ``lineage`` turn a run file into plain JSON (read-only, nothing unpickled), ``server`` is
a small stdlib WSGI app bound to 127.0.0.1, ``export`` inlines the page, its scripts and the data into
one file. The page (``static/``) builds its DOM with ``textContent`` only, so nothing a run file holds
can become markup or script."""
