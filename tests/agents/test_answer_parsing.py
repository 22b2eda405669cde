"""A meta agent's answer as a genome: the formats small models actually write."""
# ruff: noqa: E501  (model answers read better on one line)

import pytest

from evoforge.genomes.agents import AgentGenomeError, parse_answer

BODY = '    return tools.llm(task["question"] + "\\n" + task["format"])\n'


def test_a_json_object_with_code_parts_and_name():
    text = 'Here:\n{"name": "Plain", "thought": "t", "code": "def forward(task, tools):\\n    return 1\\n", "parts": {"k": 2}}'
    genome = parse_answer(text, base={"parts": {"k": 1, "j": 0}})
    assert genome["name"] == "Plain" and genome["parts"] == {"k": 2, "j": 0} and "return 1" in genome["code"]


def test_json_whose_code_is_a_python_triple_quoted_string_is_salvaged():
    text = '```json\n{\n  "name": "Voter",\n  "code": """\ndef forward(task, tools):\n' + BODY + '  }\n  """\n}\n```'
    genome = parse_answer(text)
    assert genome["name"] == "Voter" and genome["code"] == "def forward(task, tools):\n" + BODY
    compile(genome["code"], "agent", "exec")


def test_a_code_string_inside_broken_json_and_a_reply_cut_at_the_token_limit():
    broken = '{"name": "A", "code": "def forward(task, tools):\\n    return 7\\n", "parts": {oops}'
    assert parse_answer(broken)["code"] == "def forward(task, tools):\n    return 7\n"
    cut = "```python\ndef helper(x):\n    return x\n\ndef forward(task, tools):\n    a = 1\n    return a\n    b = tools.llm(('unfinished"
    assert (
        parse_answer(cut)["code"]
        == "def helper(x):\n    return x\n\ndef forward(task, tools):\n    a = 1\n    return a\n"
    )


@pytest.mark.parametrize(
    "text, why",
    [
        ("", "empty answer"),
        ("I am ready. I am ready.", "no code defining forward"),
        ("def forward(task, tools:\n  x", "parse"),
    ],
)
def test_answers_without_usable_code_say_why(text, why):
    with pytest.raises(AgentGenomeError, match=why):
        parse_answer(text)


def test_a_new_agent_without_parts_gets_the_parts_the_archive_shows():
    from evoforge.genomes.agents.baselines import baselines, standard_parts

    parts = standard_parts()
    assert all(set(b["parts"]) <= set(parts) for b in baselines())  # every part a shown agent reads
    answer = '{"code": "def forward(task, tools):\\n    return tools.parts[\\"critic\\"]\\n"}'
    assert parse_answer(answer, base={"parts": parts})["parts"]["critic"].startswith("Check this solution")


@pytest.mark.parametrize(
    ("signature", "ok"),
    [
        ("task, tools", True),
        ("task, tools, extra=1", True),
        ("*args", True),
        ("task", False),
        ("self, task, tools", False),  # a method pasted as a function: every call would fail
        ("task, tools, *, mode", False),
    ],
)
def test_forward_must_be_callable_with_task_and_tools(signature, ok):
    from evoforge.genomes.agents.genome import check_code

    code = f"def forward({signature}):\n    return '1'\n"
    if ok:
        check_code(code)
    else:
        with pytest.raises(AgentGenomeError, match="two arguments"):
            check_code(code)
