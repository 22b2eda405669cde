"""The dashboard's view of how one candidate was made: whether a model was called, the messages it
received and its raw answer (store/calls.py), each text cut to a length."""

from __future__ import annotations

import sqlite3
from typing import Any

from evoforge.store.run_file import RunStore

from .values import text

MAX_MESSAGE = 20_000  # characters of one message or answer passed on


def call_json(store: RunStore, cid: int) -> dict[str, Any] | None:
    """``{"model_called", "messages", "answer"}`` of candidate ``cid``; None when nothing is recorded
    (or the file's calls do not read)."""
    try:
        call = store.calls([cid]).get(cid)
    except (sqlite3.Error, ValueError, TypeError, KeyError):
        return None
    if call is None:
        return None
    return {
        "model_called": call.called,
        "messages": [{"role": text(m["role"], 40), "content": text(m["content"], MAX_MESSAGE)} for m in call.messages],
        "answer": text(call.answer, MAX_MESSAGE),
    }
