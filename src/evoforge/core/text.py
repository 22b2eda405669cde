"""Text from run files, task files and models, made safe to print on a terminal.

A run file from elsewhere, a task's messages or a model's answer can hold escape sequences that a
terminal obeys (``ESC ] 52`` sets the clipboard, ``ESC ] 0`` the window title, ``ESC [ 2J`` clears the
screen). :func:`printable` shows every control character as a visible escape (``\\x1b``) instead, so
the sequence is printed as text and does nothing. Every front end that prints such text passes it
through here (rich markup is a separate matter: print it as ``rich.text.Text`` or with markup off).
"""

from __future__ import annotations

import re

# C0 controls but newline and tab, DEL, C1 controls (0x80-0x9f: 0x9b is a one-byte CSI), the bidi
# overrides and isolates (text shown in another order than it is read), and lone surrogates (which
# cannot be encoded for the terminal at all)
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def _escaped(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(value: object) -> str:
    """``value`` as text with control characters shown as escapes (``"\\x1b[2J"`` prints as the seven
    characters ``\\x1b[2J``); newlines and tabs are kept."""
    text = value if isinstance(value, str) else str(value)
    return _UNSAFE.sub(_escaped, text)
