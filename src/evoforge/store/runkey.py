"""The per-user run key: checkpoints are signed with it so that ``resume`` only unpickles state that
evoforge wrote for this user.

The key is 32 random bytes in ``$EVOFORGE_KEY_FILE``, else ``$XDG_CONFIG_HOME/evoforge/run-key``
(``~/.config/evoforge/run-key``), created on the first signed commit with mode 0600. It never goes
into a run file, so a run file from elsewhere cannot carry a valid signature.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import tempfile
from pathlib import Path

from evoforge.core.errors import StoreError
from evoforge.core.private_paths import run_key_path

KEY_BYTES = 32
_DOMAIN = b"evoforge-checkpoint-v2\0"
_RUN_DOMAIN = b"evoforge-run-v1\0"  # the run file's own signature, written when it is created


def key_path() -> Path:
    """Where this user's run key lives (:func:`evoforge.core.private_paths.run_key_path`: the sandboxes
    keep it out of their mounts)."""
    return run_key_path()


def load_key(create: bool) -> bytes | None:
    """This user's run key; with ``create`` a new one is made when there is none, else None."""
    path = key_path()
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        if not create:
            return None
        return _create(path)
    except OSError as err:
        raise StoreError(f"cannot read the run key {path} ({err.strerror})") from None
    if len(data) != KEY_BYTES:
        raise StoreError(
            f"the run key {path} is damaged ({len(data)} bytes, expected {KEY_BYTES}); "
            "delete it to make a new one (runs signed with it can then no longer be resumed)"
        )
    return data


def _create(path: Path) -> bytes:
    """Write a new key atomically (a temporary 0600 file linked into place), so a concurrent reader
    sees either no key or a whole one; if another process won the race, use its key."""
    key = secrets.token_bytes(KEY_BYTES)
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".run-key-")  # mode 0600
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(key)
            os.link(tmp, path)
        finally:
            os.unlink(tmp)
    except FileExistsError:
        return load_key(create=False) or key
    except OSError as err:
        raise StoreError(f"cannot create the run key {path} ({err.strerror})") from None
    return key


def _message(run_id: str, batch: int, blob: bytes) -> bytes:
    return b"".join((_DOMAIN, run_id.encode(), b"\0", str(batch).encode(), b"\0", blob))


def sign(key: bytes, run_id: str, batch: int, blob: bytes) -> str:
    """HMAC-SHA256 of a checkpoint blob, bound to its run and batch."""
    return hmac.new(key, _message(run_id, batch, blob), hashlib.sha256).hexdigest()


def verify(run_id: str, batch: int, blob: bytes, signature: str | None) -> bool:
    """Whether ``signature`` is this user's signature of the checkpoint (constant-time comparison)."""
    key = load_key(create=False)
    if key is None or not isinstance(signature, str) or not signature:
        return False
    return hmac.compare_digest(sign(key, run_id, batch, blob), signature)


def sign_run(key: bytes, run_id: str) -> str:
    """HMAC-SHA256 of a run id: this user's evoforge created the run file (checked by ``resume`` when
    no checkpoint was committed yet, before anything the file names is loaded)."""
    return hmac.new(key, _RUN_DOMAIN + run_id.encode(), hashlib.sha256).hexdigest()


def verify_run(run_id: str, signature: object) -> bool:
    """Whether ``signature`` is this user's :func:`sign_run` of ``run_id`` (constant-time comparison)."""
    key = load_key(create=False)
    if key is None or not isinstance(signature, str) or not signature:
        return False
    return hmac.compare_digest(sign_run(key, run_id), signature)
