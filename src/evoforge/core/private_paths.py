"""Where this user's private files are, in one place: the store signs checkpoints with the run key
(:mod:`evoforge.store.runkey`), and the sandboxes (:mod:`evoforge.isolation.bwrap`) keep the key, its
folder and the home folder out of everything they mount.

The run key is ``$EVOFORGE_KEY_FILE``, else ``$XDG_CONFIG_HOME/evoforge/run-key``, else
``~/.config/evoforge/run-key``.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def run_key_path() -> Path:
    """Where this user's run key lives (it may not exist yet)."""
    explicit = os.environ.get("EVOFORGE_KEY_FILE")
    if explicit:
        return Path(explicit).expanduser()
    config = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(config) / "evoforge" / "run-key"


def private_paths() -> list[str]:
    """Host paths no sandbox may expose, resolved: the home folder, the run key and its folder.
    A mount exposes one when it is that path or a folder above it (:func:`exposes`)."""
    key = run_key_path()
    paths = {os.path.expanduser("~"), str(key.parent), str(key)}
    return sorted({os.path.realpath(p) for p in paths if p})


def shared_paths() -> list[str]:
    """Host folders other processes share (the temporary folder, resolved): never mounted whole."""
    return sorted({os.path.realpath(p) for p in ("/tmp", tempfile.gettempdir())})


def exposes(path: str, protected: list[str]) -> bool:
    """Whether mounting ``path`` (resolved) would show one of ``protected``: it is one, or a folder above one."""
    real = os.path.realpath(path)
    above = real.rstrip("/") + "/"
    return any(p == real or p.startswith(above) for p in protected)
