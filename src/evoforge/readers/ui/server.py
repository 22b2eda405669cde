"""``evoforge ui``: a small WSGI app (standard library only) serving the dashboard page and a read-only
JSON API over the run files of one folder (or one run file), bound to 127.0.0.1.

Routes: ``/`` the page, ``/static/...`` its bundled files, ``/api/runs`` the runs found, ``/api/run?run=NAME
&stamp=S`` one run's views (``{"unchanged": true}`` while its stamp is S), ``/api/candidate?run=NAME&id=N``
one candidate's genome and diff, ``/api/compare`` the runs in groups with their median curves and
bands. Runs are addressed by their name in the listing, never by a path taken from the request;
requests whose Host is not this machine's loopback name are refused (DNS rebinding)."""

from __future__ import annotations

import mimetypes
import re
import socketserver
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import orjson

from evoforge.core.errors import ConfigError, StoreError
from evoforge.store.fileaccess import check_format, check_header

from . import data, lineage
from .compare import compare_data
from .values import text

STATIC = Path(__file__).parent / "static"
RUN_SUFFIXES = (".db", ".sqlite", ".sqlite3")
LOOPBACK = ("127.0.0.1", "localhost")
# The page's own files only: no inline script, no request to anywhere but this server.
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)

StartResponse = Callable[[str, list[tuple[str, str]]], Any]
WHOLE_NUMBER = re.compile(r"[0-9]{1,18}")  # ASCII digits only: str.isdigit() accepts '²', which int() refuses


class BadRequest(Exception):
    """A query parameter that does not parse: answered 400 with one line."""


def whole_number(query: dict[str, str], key: str) -> int:
    """Query parameter ``key`` as a whole number (at most 18 ASCII digits), or BadRequest."""
    raw = query.get(key, "")
    if not WHOLE_NUMBER.fullmatch(raw):
        raise BadRequest(f"{key} must be a whole number (up to 18 digits 0-9)")
    return int(raw)


def find_runs(target: Path) -> dict[str, Path]:
    """Run files by name: ``target`` itself, or the evoforge run files in folder ``target`` and its
    subfolders (one level), newest first. Other files (not SQLite, not evoforge's) are left out."""
    if target.is_file():
        return {target.name: target}
    candidates = [p for p in [*target.glob("*"), *target.glob("*/*")] if p.suffix in RUN_SUFFIXES and p.is_file()]
    found = {}
    for path in sorted(candidates, key=lambda p: -p.stat().st_mtime):
        try:
            check_header(path)
            check_format(path, "evoforge-run")
        except StoreError:
            continue
        found[path.relative_to(target).as_posix()] = path
    return found


def run_row(name: str, path: Path) -> dict[str, Any]:
    """One line of the runs table."""
    try:
        store = data.open_run(path)
    except StoreError as err:
        return {"name": name, "error": text(str(err), 300)}
    try:
        s = data.summary(store)
        best = s["best"]["score"] if s["best"] else None
        return {"name": name, "recipe": s["recipe"], "task": s["task"], "status": s["status"],
                "evaluations": s["evaluations"], "best": best}  # fmt: skip
    finally:
        store.close()


class Dashboard:
    """The WSGI application over the runs in ``target`` (a folder or one run file)."""

    def __init__(self, target: str | Path):
        self.target = Path(target)
        if not self.target.exists():
            raise ConfigError(f"no such run file or folder: {self.target}")
        if self.target.is_file():
            check_header(self.target)
            check_format(self.target, "evoforge-run")

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        host = environ.get("HTTP_HOST", "").rsplit(":", 1)[0].strip("[]")
        if host not in LOOPBACK:
            return self._json(start_response, {"error": "this dashboard answers on 127.0.0.1 only"}, "403 Forbidden")
        if environ.get("REQUEST_METHOD") not in ("GET", "HEAD"):
            return self._json(start_response, {"error": "read-only"}, "405 Method Not Allowed")
        path = environ.get("PATH_INFO", "/")
        query = {k: v[0] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()}
        try:
            if path in ("/", "/index.html"):
                return self._file(start_response, STATIC / "index.html")
            if path.startswith("/static/"):
                return self._static(start_response, path[len("/static/") :])
            if path == "/api/runs":
                rows = [run_row(name, p) for name, p in find_runs(self.target).items()]
                return self._json(start_response, rows)
            if path == "/api/run":
                return self._run(start_response, query)
            if path == "/api/candidate":
                return self._candidate(start_response, query)
            if path == "/api/compare":
                return self._json(start_response, compare_data(find_runs(self.target)))
        except BadRequest as err:
            return self._json(start_response, {"error": str(err)}, "400 Bad Request")
        except StoreError as err:  # a run file that cannot be read (corrupted, not ours, gone)
            return self._json(start_response, {"error": str(err)}, "422 Unprocessable Entity")
        return self._json(start_response, {"error": "not found"}, "404 Not Found")

    def _store(self, query: dict[str, str]) -> tuple[str, Any]:
        name = query.get("run", "")
        path = find_runs(self.target).get(name)
        if path is None:
            raise StoreError(f"no run named {name!r} here")
        return name, data.open_run(path)

    def _run(self, start_response: StartResponse, query: dict[str, str]) -> Iterable[bytes]:
        name, store = self._store(query)
        try:
            stamp = data.stamp(store)
            body = {"stamp": stamp, "unchanged": True} if query.get("stamp") == stamp else data.run_data(store, name)
        finally:
            store.close()
        return self._json(start_response, body)

    def _candidate(self, start_response: StartResponse, query: dict[str, str]) -> Iterable[bytes]:
        ident = whole_number(query, "id")
        _, store = self._store(query)
        try:
            body = lineage.candidate(store, ident)
        finally:
            store.close()
        if body is None:
            return self._json(start_response, {"error": f"no candidate {ident}"}, "404 Not Found")
        return self._json(start_response, body)

    def _static(self, start_response: StartResponse, name: str) -> Iterable[bytes]:
        files = {p.relative_to(STATIC).as_posix(): p for p in STATIC.rglob("*") if p.is_file()}
        if name not in files:  # only the package's own files, whatever the request's path says
            return self._json(start_response, {"error": "not found"}, "404 Not Found")
        return self._file(start_response, files[name])

    @staticmethod
    def _file(start_response: StartResponse, path: Path) -> Iterable[bytes]:
        kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        body = path.read_bytes()
        if kind.startswith("text/") or kind.endswith("javascript"):
            kind += "; charset=utf-8"
        start_response("200 OK", _headers(kind, body))
        return [body]

    @staticmethod
    def _json(start_response: StartResponse, value: Any, status: str = "200 OK") -> Iterable[bytes]:
        body = orjson.dumps(value)  # NaN and infinities become null: the page's JSON.parse accepts the result
        start_response(status, _headers("application/json", body))
        return [body]


def _headers(kind: str, body: bytes) -> list[tuple[str, str]]:
    return [
        ("Content-Type", kind),
        ("Content-Length", str(len(body))),
        ("Cache-Control", "no-store"),
        ("Content-Security-Policy", CSP),
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "no-referrer"),
    ]


class _Server(socketserver.ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # one line per request would drown the terminal
        pass


def make(target: str | Path, port: int = 8765) -> WSGIServer:
    """The dashboard's server on 127.0.0.1:``port`` (0: any free port), not yet serving."""
    app = Dashboard(target)
    try:
        return make_server("127.0.0.1", port, app, server_class=_Server, handler_class=_QuietHandler)
    except OSError as err:
        raise ConfigError(f"cannot listen on 127.0.0.1:{port} ({err.strerror}); choose another --port") from None
