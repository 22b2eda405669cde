"""``evoforge report RUN_FILE -o run.html``: the dashboard's views of one run as a single self-contained
HTML file (page, scripts, styles and data inlined) to open anywhere, offline, or send to a colleague.

The data travels as JSON in a ``<script type="application/json">`` block with ``<``, ``>`` and ``&``
escaped, so no string in it can close the block; a Content-Security-Policy allows only the page's own
inline scripts and styles (by hash) and no request to anywhere."""

from __future__ import annotations

import base64
import hashlib
import re
import time
from pathlib import Path
from typing import Any

import orjson

from evoforge.core.errors import ConfigError

from . import data, lineage
from .server import STATIC, run_row

SCRIPTS = ("vendor/uPlot.iife.min.js", "views.js", "graphs.js", "compare.js", "tables.js", "app.js")
STYLES = ("vendor/uPlot.min.css", "style.css")


def report_data(path: str | Path) -> dict[str, Any]:
    """The run's views and every candidate the page can open (the lineage's nodes and the examples of
    failures and rejections), as the page's inline data."""
    path = Path(path)
    store = data.open_run(path)
    try:
        run = data.run_data(store, path.name)
        ids = [n["id"] for n in run["tree"]["nodes"]]
        ids += [i for g in run["failures"] + run["rejected"] for i in g["ids"][:8]]
        ids += [r["id"] for r in run["improvements"]]
        candidates = {str(i): lineage.candidate(store, i) for i in dict.fromkeys(ids)}
    finally:
        store.close()
    return {
        "runs": [run_row(path.name, path)],
        "run": run,
        "candidates": {k: v for k, v in candidates.items() if v is not None},
        "written": time.strftime("%Y-%m-%d %H:%M"),
    }


def _json_block(value: Any) -> str:
    raw = orjson.dumps(value).decode()
    return raw.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")


def _sha(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


def report_html(path: str | Path) -> str:
    """The report page of run file ``path``."""
    page = (STATIC / "index.html").read_text(encoding="utf-8")
    scripts = [(STATIC / name).read_text(encoding="utf-8") for name in SCRIPTS]
    styles = [(STATIC / name).read_text(encoding="utf-8") for name in STYLES]
    if any(re.search(r"</script", s, re.I) for s in scripts) or any(re.search(r"</style", s, re.I) for s in styles):
        raise RuntimeError("a bundled file contains a closing tag and cannot be inlined")  # caught by tests
    page = re.sub(r'\s*<link rel="stylesheet"[^>]*>', "", page)
    page = re.sub(r"\s*<script src=[^>]*></script>", "", page)
    csp = (
        f"default-src 'none'; script-src {' '.join(map(_sha, scripts))}; style-src {' '.join(map(_sha, styles))}; "
        "img-src data:; base-uri 'none'; form-action 'none'"
    )
    head = f'<meta http-equiv="Content-Security-Policy" content="{csp}">\n' + "".join(
        f"<style>{s}</style>\n" for s in styles
    )
    tail = f'<script type="application/json" id="evoforge-data">{_json_block(report_data(path))}</script>\n' + "".join(
        f"<script>{s}</script>\n" for s in scripts
    )
    page = page.replace('<meta charset="utf-8">', '<meta charset="utf-8">\n' + head, 1)
    return page.replace("</body>", tail + "</body>", 1)


def write_report(path: str | Path, out: str | Path) -> Path:
    """Write the report of run file ``path`` to ``out`` (refusing to write over the run file itself)."""
    out = Path(out)
    if out.resolve() == Path(path).resolve():
        raise ConfigError("-o names the run file itself; choose an .html path")
    html = report_html(path)
    try:
        out.write_text(html, encoding="utf-8")
    except OSError as err:
        raise ConfigError(f"cannot write {out} ({err.strerror})") from None
    return out
