"""A transmission-chain game: a story passes from agent to agent, each retelling what it heard.

In a ``chain`` each lineage is a line of agents (generation g reads generation g-1 of its own line);
in a ``network`` the agents sit on a ring and each reads the previous generation's versions of its
two neighbours and its own. What survives is measured by the key facts of the original story still
present in a retelling (:func:`retention`; a fact is a set of accepted phrasings), and by its length.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

STORIES: list[dict[str, Any]] = [
    {"title": "the lighthouse",
     "text": ("On a stormy night in March, the keeper Mara lit the lighthouse lamp with her last three matches. "
              "A fishing boat called the Heron, carrying seven sailors, saw the light and turned away from the rocks. "
              "In thanks, the sailors brought Mara a grey kitten."),
     "facts": [["mara"], ["march"], ["three matches", "3 matches"], ["heron"], ["seven", "7"], ["rocks"],
               ["kitten", "cat"], ["storm"]]},
    {"title": "the bridge",
     "text": ("The town of Ellby had no bridge, so the baker Tomas rowed bread across the river every morning. "
              "One winter the river froze, and the children of Ellby built a bridge of forty planks. "
              "Tomas paid them with twelve honey cakes."),
     "facts": [["ellby"], ["tomas"], ["baker", "bread"], ["froze", "frozen", "ice"], ["forty", "40"],
               ["planks", "plank", "wood"], ["twelve", "12"], ["honey"]]},
]  # fmt: skip
TOPOLOGIES = ("chain", "network")
MAX_TEXT = 1200  # characters of a retelling kept


def retention(text: str, story: dict[str, Any]) -> float:
    """The share of the story's key facts present in ``text`` (each fact: any accepted phrasing)."""
    low = " ".join(str(text).lower().split())
    hit = sum(any(re.search(rf"\b{re.escape(p)}", low) for p in fact) for fact in story["facts"])
    return hit / len(story["facts"])


def sources(texts: Sequence[str], i: int, topology: str) -> list[str]:
    """What agent ``i`` hears from the previous generation's ``texts``."""
    if topology == "chain" or len(texts) < 3:
        return [texts[i]]
    n = len(texts)
    return [texts[(i - 1) % n], texts[i], texts[(i + 1) % n]]


def prompt(heard: Sequence[str]) -> str:
    told = [t for t in heard if t.strip()] or ["(you heard nothing)"]
    if len(told) == 1:
        body = f"Here is a story you were told:\n{told[0]}\n"
    else:
        body = "Here are versions of a story you heard:\n" + "".join(f"{k + 1}) {t}\n" for k, t in enumerate(told))
    return body + "Retell the story to the next person in your own words, in at most 80 words.\nStory:"


def clean(text: Any) -> str:
    """A retelling as stored: one paragraph of at most MAX_TEXT characters ('' for nothing usable)."""
    return " ".join(str(text or "").split())[:MAX_TEXT]
