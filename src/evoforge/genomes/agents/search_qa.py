"""A small generated world for a ReAct agent with a search tool: a corpus of short documents about
fictional people, cities and countries, and questions with known answers (one hop: where was X born,
what does X do; two hops: in which country was X born). Everything comes from a seed, offline.

:func:`react_agent` is the agent (sandboxed code, like every agent genome): per step one model call
that answers with one JSON object ``{"thought", "action": "search" | "finish", "arg"}``; ``search``
returns the best two documents (BM25, :mod:`.tools`) as the observation; ``finish`` gives the answer.
"""

from __future__ import annotations

import random
from typing import Any

from .genome import make_genome
from .task import AgentTask

_SYL = ["al", "ber", "cor", "dan", "el", "fen", "gar", "hol", "is", "jor", "kal", "lun", "mir", "nor", "ost",
        "pel", "quin", "ros", "sal", "tor", "ul", "ven", "wes", "yor", "zan"]  # fmt: skip
_JOBS = ["potter", "pilot", "baker", "surgeon", "weaver", "astronomer", "carpenter", "violinist"]


def _name(rng: random.Random, parts: int) -> str:
    return "".join(rng.choice(_SYL) for _ in range(parts)).capitalize()


def world(seed: int, people: int = 24) -> tuple[list[str], list[dict[str, Any]]]:
    """(corpus, questions): documents and ``{"question", "answer", "hops"}`` from ``seed``."""
    rng = random.Random(seed)
    countries = list(dict.fromkeys(_name(rng, 2) + "ia" for _ in range(6)))
    cities = {_name(rng, 2): rng.choice(countries) for _ in range(10)}
    docs = [f"{city} is a city in {country}." for city, country in cities.items()]
    questions = []
    for _ in range(people):
        who = f"{_name(rng, 2)} {_name(rng, 3)}"
        city, job = rng.choice(list(cities)), rng.choice(_JOBS)
        docs.append(f"{who} was born in {city} and works as a {job}.")
        questions += [
            {"question": f"In which city was {who} born?", "answer": city, "hops": 1},
            {"question": f"What does {who} work as?", "answer": job, "hops": 1},
            {"question": f"In which country was {who} born?", "answer": cities[city], "hops": 2},
        ]
    rng.shuffle(docs)
    rng.shuffle(questions)
    return docs, questions


def score(item: dict[str, Any], answer: Any) -> float:
    """1 when the answer is the known one (case and spaces aside), else 0."""
    got = " ".join(str(answer or "").lower().replace(".", " ").split())
    gold = str(item["answer"]).lower()
    return float(got == gold or got in (f"a {gold}", f"an {gold}"))


CODE = r"""
import json


def parse(reply):
    start = reply.find("{")
    while start >= 0:
        try:
            value, _ = json.JSONDecoder().raw_decode(reply, start)
            if isinstance(value, dict) and value.get("action"):
                return str(value["action"]), str(value.get("arg", ""))
        except ValueError:
            pass
        start = reply.find("{", start + 1)
    return "", ""


def forward(task, tools):
    parts = tools.parts
    lines = []
    for _ in range(int(parts.get("max_steps", 4))):
        history = "\n".join(lines)
        prompt = f"{parts['instruction']}\n\nQuestion: {task['question']}\n\n{history}\n{parts['answer']}"
        reply = tools.llm(prompt, max_tokens=int(parts.get("max_tokens", 64)))
        action, arg = parse(reply)
        if action == "finish":
            return arg
        if action == "search":
            seen = " ".join(tools.search(arg, 2)) or "nothing found"
        else:
            seen = "unreadable action; reply with one JSON object"
        lines.append(f"Action: {action}[{arg}]\nObservation: {seen}")
    return ""
"""

INSTRUCTION = "Answer the question using the search tool over a small encyclopedia. Search as often as needed."
ANSWER = ('Reply with one JSON object: {"thought": "...", "action": "search", "arg": "<query>"} or '
          '{"thought": "...", "action": "finish", "arg": "<short answer>"}')  # fmt: skip


def react_agent(max_steps: int = 4) -> dict[str, Any]:
    return make_genome(CODE, {"instruction": INSTRUCTION, "answer": ANSWER, "max_steps": max_steps},
                       name="react-search")  # fmt: skip


def search_task(seed: int = 0, heldout: int = 24, call_limit: int = 4) -> AgentTask:
    """Questions of one world: held-out questions first ``heldout``, the rest to train on."""
    docs, questions = world(seed)
    return AgentTask(
        description="ReAct with search over a generated corpus", search=questions[heldout:],
        heldout=questions[:heldout], score=score, seed=react_agent(call_limit), corpus=docs, items_per_eval=1,
        call_limit=call_limit, item_seconds=30.0, max_tokens=64, name="agent-search",
    )  # fmt: skip
