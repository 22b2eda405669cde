"""The agent runtime: the sandbox, the metered model proxy, per-item limits, tools."""

# ruff: noqa: E501  (tables of templates and test data read better on one line)

import pytest
from agent_helpers import ScriptedAgentModel

from evoforge.genomes.agents import run_agent
from evoforge.genomes.agents.tools import BM25, ToolError, calculate, run_python
from evoforge.isolation import bwrap

HOSTILE = """
def forward(task, tools):
    q = task["q"]
    if q == "loop":
        while True:
            pass
    if q == "storm":
        while True:
            tools.llm("What is 1 + 1? carefully")
    if q == "read":
        return open("/etc/hostname").read()
    if q == "socket":
        import socket
        socket.create_connection(("127.0.0.1", 22), timeout=1)
        return "connected"
    if q == "spawn":
        import subprocess
        return subprocess.run(["id"], capture_output=True).stdout.decode()
    if q == "empty":
        try:
            return tools.llm("EMPTY")
        except tools.ModelCallError:
            return "a guess that must not count"
    return tools.llm("What is 2 + 3? carefully")
"""


def run(items, **kw):
    model = ScriptedAgentModel()
    return run_agent(HOSTILE, [{"q": q} for q in items], model=model, call_limit=3, item_seconds=2, **kw), model


def test_hostile_items_fail_with_their_reason_and_the_rest_still_run():
    out, model = run(["ok", "loop", "storm", "socket", "spawn", "empty", "ok"])
    reasons = [r.error for r in out.items]
    assert out.items[0].answer == out.items[-1].answer == "Let me see. Answer: 5"
    assert reasons[0] is None and reasons[-1] is None
    assert "timed out after 2s" in reasons[1]
    assert "model-call limit of 3" in reasons[2] and out.items[2].calls == 3
    assert reasons[3] and (
        "Network is unreachable" in reasons[3] or "sandbox: network" in reasons[3] or "refused" in reasons[3]
    )
    assert reasons[4] and "sandbox: process creation" in reasons[4]
    assert reasons[5] == "empty model reply (finish_reason=length)" and out.items[5].answer is None
    assert model.usage.total.calls == 1 + 3 + 1 + 1  # every call went through the metered model


@pytest.mark.skipif(not bwrap.probe().available, reason="needs bubblewrap")
def test_host_files_are_not_visible():
    out, _ = run(["read"])
    assert out.isolation == "bwrap"
    assert "No such file" in out.items[0].error


def test_code_that_does_not_load_is_one_reason():
    model = ScriptedAgentModel()
    assert "SyntaxError" in run_agent("def forward(:", [{}], model=model).load_error
    assert "no function forward" in run_agent("x = 1", [{}], model=model).load_error
    slow = run_agent("while True: pass", [{}, {}], model=model, item_seconds=1)
    assert "timed out" in slow.load_error and all("did not load" in r.error for r in slow.items)


def test_tools():
    assert calculate("2 * (3 + 4) - 10 / 4") == 11.5 and calculate("3^2") == 9
    for bad in ("__import__('os')", "(1).__class__", "9**9**9", "1/0"):
        with pytest.raises(ToolError):
            calculate(bad)
    assert run_python("print(sum(range(5)))").strip() == "10"
    assert "ZeroDivisionError" in run_python("1/0")
    assert "timed out" in run_python("while True: pass", timeout=0.2)
    index = BM25(["a dozen is 12 items", "a week has 7 days", "cats sleep a lot"])
    assert index.search("how many days in a week", 1) == ["a week has 7 days"]
    assert index.search("zebra", 2) == []


def test_actions_run_in_the_parent_with_the_agents_arguments():
    seen = []
    code = "def forward(task, tools):\n    return tools.act('echo', task['x'], 2) + str(tools.search('cat', 1))\n"
    out = run_agent(code, [{"x": 5}], model=ScriptedAgentModel(), actions={"echo": lambda i, a, b: seen.append((i, a, b)) or "e"},
                    corpus=["the cat", "a dog"])  # fmt: skip
    assert out.items[0].answer == "e['the cat']" and seen == [(0, 5, 2)]
    bad = run_agent("def forward(task, tools):\n    return tools.act('nope')\n", [{}], model=ScriptedAgentModel())
    assert "ActionError: no action 'nope'" in bad.items[0].error


def test_agents_may_call_the_final_helper_and_their_own_definition_wins():
    model = ScriptedAgentModel()
    shared = run_agent("def forward(task, tools):\n    return final('work\\nAnswer: 42.')\n", [{}], model=model)
    assert shared.items[0].answer == "42"
    own = "def final(text):\n    return 'mine'\n\ndef forward(task, tools):\n    return final('Answer: 1')\n"
    assert run_agent(own, [{}], model=model).items[0].answer == "mine"


def test_python_tool_runs_the_code_block_of_a_model_reply():
    reply = "Here is the program:\n```python\nx = 6 * 7\nprint(x)\n```\nIt prints 42."
    assert run_python(reply) == "42\n"
    assert run_python("```\nprint('no closing fence')") == "no closing fence\n"
    assert run_python("print(1 + 1)") == "2\n"
    assert run_python("the reply has no code").startswith("Error: SyntaxError")
