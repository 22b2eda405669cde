"""Escape sequences in a run file, a task file or a model's answer never reach the terminal: ``show``,
the end of ``run``, ``compare`` and error lines print them as visible escapes (``\\x1b]52;...``), and
rich markup in such text is printed as text, not obeyed."""

import json
import os
import sqlite3

import pytest

from evoforge import evolve

CLIPBOARD = "\x1b]52;c;cHduZWQ=\x07"  # OSC 52: set the clipboard
TITLE = "\x1b]0;title\x07"  # OSC 0: set the window title
CLEAR = "\x1b[2J"  # CSI: clear the screen
EVIL = f"A{CLIPBOARD}B{TITLE}C{CLEAR}D\x9b31mE\x7fF[red]M[/red]"
ESCAPED = "A\\x1b]52;c;cHduZWQ=\\x07B\\x1b]0;title\\x07C\\x1b[2JD\\x9b31mE\\x7fF[red]M[/red]"  # as printed
RAW = ("\x1b", "\x07", "\x9b", "\x7f")
SPHERE = "SEED = [1.0, 1.0]\ndef evaluate(g):\n    return {'score': -sum(x * x for x in g)}\n"


def _wide(**extra):
    """No table cell is cut short, so every escape is in the output."""
    return {**os.environ, "COLUMNS": "1000", **extra}


def _clean(text: str) -> None:
    for char in RAW:
        assert char not in text, f"raw {char!r} in output:\n{text!r}"


def _forge(path) -> None:
    """A run file whose every printed string field carries the escape sequences."""
    conn = sqlite3.connect(path)
    with conn:
        config = json.loads(conn.execute("SELECT value FROM meta WHERE key='config'").fetchone()[0])
        config.update(task="task" + EVIL, recipe="ga" + EVIL)
        meta = {
            "config": config,
            "stop_reason": "stop" + EVIL,
            "status": "finished" + EVIL,
            "report": "report" + EVIL,
            "discarded": {"unusable" + EVIL: 3},
            "answer": {"what": "what" + EVIL, "genome": "answer" + EVIL, "score": 1.0, "score_on": "on" + EVIL},
            "seed": {"score": None, "status": "failed", "reason": "seed" + EVIL, "on": "after" + EVIL},
        }
        conn.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)", [(k, json.dumps(v)) for k, v in meta.items()])
        conn.execute(
            "UPDATE candidates SET operator=?, feedback=?, metrics=?, genome=?",
            ("operator" + EVIL, "feedback" + EVIL, json.dumps({"metric" + EVIL: 1}), json.dumps("genome" + EVIL)),
        )
        first = "SELECT id FROM candidates ORDER BY id LIMIT 3"
        failed = f"UPDATE candidates SET status='failed', reason=?, score=NULL WHERE id IN ({first})"
        conn.execute(failed, ("reason" + EVIL,))
        usage = {"total": {"calls": 1}, "by_tag": {"tag" + EVIL: {"calls": 1}}}
        conn.execute("UPDATE batches SET usage=?", (json.dumps(usage),))
    conn.close()


def test_printable_escapes_control_characters():
    from evoforge.core.text import printable

    assert printable(EVIL) == ESCAPED
    assert printable(f"a{CLIPBOARD}b") == "a\\x1b]52;c;cHduZWQ=\\x07b"
    assert printable("\x9b\x7f\x00\r\u202e") == "\\x9b\\x7f\\x00\\x0d\\u202e"
    assert printable("tab\tand\nnewline, ünïcode") == "tab\tand\nnewline, ünïcode"
    assert printable(3) == "3"


def test_show_prints_escape_sequences_as_text(write_task, tmp_path, evoforge):
    db = tmp_path / "run.db"
    evolve(write_task(SPHERE), "ga", budget=32, out=db, executor="inprocess", recipe_params={"population": 8})
    _forge(db)
    shown = evoforge("show", db, env=_wide())
    assert shown.returncode == 0, shown.stderr
    text = shown.stdout + shown.stderr
    _clean(text)
    assert "\\x1b]52;c;cHduZWQ=\\x07" in text and "\\x1b]0;title\\x07" in text and "\\x1b[2J" in text
    for field in ("task", "stop", "report", "unusable", "operator", "answer", "genome", "reason", "tag", "seed"):
        assert field + ESCAPED in text, field  # markup included: "[red]M[/red]" is printed as it is
    compared = evoforge("compare", db, env=_wide())
    assert compared.returncode == 0, compared.stderr
    _clean(compared.stdout + compared.stderr)
    assert "ga" + ESCAPED in compared.stdout


def test_task_and_evaluator_text_is_escaped_in_run_and_errors(write_task, tmp_path, evoforge):
    broken = write_task(f"raise RuntimeError({EVIL!r})\n", name="broken.py")
    proc = evoforge("run", "ga", "--task", broken, "--budget", "8", "-q", "--out", tmp_path / "a.db", env=_wide())
    assert proc.returncode == 2
    _clean(proc.stdout + proc.stderr)
    assert ESCAPED in proc.stderr

    failing = write_task(f"SEED = [1.0]\ndef evaluate(g):\n    raise RuntimeError({EVIL!r})\n", name="failing.py")
    out = tmp_path / "b.db"
    proc = evoforge("run", "ga", "--task", failing, "--budget", "8", "-q", "--out", out, env=_wide())
    assert proc.returncode == 0, proc.stderr
    _clean(proc.stdout + proc.stderr)
    assert ESCAPED in proc.stdout  # the seed's failure reason, from the evaluator


@pytest.mark.parametrize("markup", ["[red]", "[/]", "[bold]x[/bold]"])
def test_markup_in_an_error_is_printed_not_obeyed(tmp_path, evoforge, one_error_line, markup):
    missing = tmp_path / f"no{markup}such.db"
    assert f"no{markup}such.db" in one_error_line(evoforge("show", missing))
