"""Isolation: everything that keeps untrusted code from the run and the machine.

The bubblewrap command line and its probe (``bwrap``), resource limits and the one process teardown
(``limits``), reaping escapees (``reaper``), the in-process timeout (``alarm``), the program sandbox
(``program_sandbox``), pool workers behind bubblewrap (``sandbox_pool``) and the two driver scripts that
run inside a sandbox (``program_driver``, ``agent_driver``; started by path, never imported by evoforge).
"""

from __future__ import annotations

from pathlib import Path

_HERE = Path(__file__).resolve().parent
PROGRAM_DRIVER = str(_HERE / "program_driver.py")  # runs one program; also the agent driver's guard
AGENT_DRIVER = str(_HERE / "agent_driver.py")  # runs one agent's code on a list of items

__all__ = ["AGENT_DRIVER", "PROGRAM_DRIVER"]
