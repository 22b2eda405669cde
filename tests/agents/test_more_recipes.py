"""godel-agent, evoagent, alama, refine-loop and swe-search end to end with a scripted model, and
hostile agents proposed to godel-agent (each rolled back with its reason; the run goes on)."""

# ruff: noqa: E501  (scripted replies read better on one line)

import json
import pickle
import re

import pytest
from agent_helpers import GOOD, ScriptedAgentModel

from evoforge.core.budget import Budget
from evoforge.core.task import load_task
from evoforge.llm.types import Completion
from evoforge.recipes.registry import get_recipe
from evoforge.run.engine import Engine
from evoforge.run.executors import InProcessExecutor

WORSE = "def forward(task, tools):\n    return 'Answer: 0'\n"
CRASH = "def forward(task, tools):\n    return undefined_name\n"
LOOP = "def forward(task, tools):\n    while True:\n        pass\n"
STORM = "def forward(task, tools):\n    while True:\n        tools.llm('What is 1 + 1? carefully')\n"
ESCAPE = "def forward(task, tools):\n    import subprocess\n    return subprocess.run(['id'], capture_output=True).stdout.decode()\n"


def agent(code, name, **parts):
    return json.dumps({"thought": name, "name": name, "code": code, "parts": parts})


class Scripted(ScriptedAgentModel):
    """The agents' model of agent_helpers, plus scripted replies for the recipes' own prompts:
    ``script[kind]`` is the list of replies to prompts with ``MARKS[kind]`` in them (in order; the last
    repeats; a callable gets the prompt); ``seen[kind]`` the prompts."""

    def __init__(self, **script):
        super().__init__()
        self.script, self.seen = script, {}

    def _generate(self, req):
        msgs = req.input if isinstance(req.input, list) else [{"role": "user", "content": req.input}]
        text = "\n".join(m["content"] for m in msgs)
        kind = next((k for k in self.script if MARKS[k] in text), None)
        if kind is not None:
            replies = self.script[kind]
            seen = self.seen.setdefault(kind, [])
            seen.append(text)
            reply = replies[min(len(seen), len(replies)) - 1]
            reply = reply(text) if callable(reply) else reply
            return [Completion(reply, "stop", 100, 50)] * req.n
        return super()._generate(req)


MARKS = {
    "godel": "Your earlier changes:",
    "hypotheses": "hypotheses for changes",
    "modify": "Apply this change:",
    "mutate": "Create a DIFFERENT expert",
    "crossover": "combines the strengths",
    "edit": "Write the next version",
    "value": "'Value: <a number",
    "discriminator": "'Choice: <number>'",
}

FAST_TASK = """
from evoforge.genomes.agents import AgentTask

def score(item, answer):
    return float(str(answer).strip().endswith(item["answer"]))

ITEMS = [{"question": f"What is {a} + {b}?", "answer": str(a + b)} for a in range(1, 7) for b in range(1, 4)]
TASK = AgentTask(description="add two numbers", search=ITEMS[:12], heldout=ITEMS[12:], score=score,
                 items_per_eval=2, call_limit=3, item_seconds=1.5)
"""


def search(name, task_ref, model, evaluations=10, **params):
    from evoforge.genomes.agents import set_agent_model

    task = load_task(task_ref)
    recipe = get_recipe(name).from_params(params)
    recipe.model = model
    set_agent_model(model)
    try:
        result = Engine(task, recipe, seed=1, budget=Budget(evaluations=evaluations)).run(InProcessExecutor(task))
    finally:
        set_agent_model(None)
    assert pickle.loads(pickle.dumps(recipe)).report(None) == recipe.report(None)  # checkpoints restore
    return recipe, result


def test_godel_agent_keeps_what_helps_and_rolls_back_what_breaks_or_hurts(add_task):
    careful = agent(GOOD, "careful", instruction="Think carefully.", self_modify="Rewrite yourself, my own words.")
    model = Scripted(
        godel=[agent(CRASH, "crash"), careful, agent(WORSE, "worse"), "no code today", agent(GOOD + "# same\n", "same")]
    )
    recipe, result = search("godel-agent", add_task, model, evaluations=6)
    history = recipe.history
    assert history[0].startswith("rolled back crash") and "NameError" in history[0]
    assert history[1] == "kept careful: 0.00 -> 1.00"
    assert history[2].startswith("rolled back worse") and "it scored 0.00 < 1.00" in history[2]
    assert history[3] == "kept same: 1.00 -> 1.00"  # a tie is kept (accept_ties)
    assert recipe.current["genome"]["name"] == "same" and recipe.best_agent()["fitness"] == 1.0
    assert recipe.kept == 2 and recipe.rolled_back == 2 and result.best.score == 1.0
    prompts = model.seen["godel"]
    assert "rolled back crash" in prompts[1] and "Think step by step" in prompts[0]
    assert "Rewrite yourself, my own words." in prompts[2]  # it rewrote its own self-modification instruction
    assert "1 x the answer has no code" in recipe.report(None)


def test_godel_agent_rolls_back_hostile_rewrites_and_goes_on(write_task):
    task = write_task(FAST_TASK, "fast_task.py")
    hostile = [agent(LOOP, "loop"), agent(STORM, "storm"), agent(ESCAPE, "escape")]
    model = Scripted(godel=[*hostile, agent(GOOD, "careful", instruction="Think carefully.")])
    recipe, result = search("godel-agent", task, model, evaluations=5)
    loop, storm, escape, kept = recipe.history
    assert loop.startswith("rolled back loop") and "timed out" in loop
    assert storm.startswith("rolled back storm") and "model-call limit of 3" in storm
    assert escape.startswith("rolled back escape") and "sandbox: process creation" in escape
    assert kept == "kept careful: 0.00 -> 1.00" and result.evaluations == 5 and result.best.score == 1.0


def test_refine_loop_applies_hypotheses_keeps_the_best_and_stops_when_converged(add_task):
    worse = [agent(WORSE + f"# {k}\n", f"worse-{k}") for k in range(6)]
    model = Scripted(hypotheses=["1. Ask the model to think carefully.\n2. Check the sum twice."],
                     modify=[agent(CRASH, "crash"), agent(GOOD, "careful", instruction="Think carefully."), *worse])  # fmt: skip
    recipe, result = search("refine-loop", add_task, model, evaluations=30, patience=2)
    assert recipe.log[0] == "start: 0.00" and recipe.log[1].startswith("improved 0.00 -> 1.00")
    assert "'Ask the model to think carefully.' -> failed" in recipe.log[1]
    assert recipe.log[2].startswith("no improvement") and len(recipe.log) == 4
    assert result.stop_reason == "converged: no improvement in 2 iterations" and result.evaluations == 1 + 2 * 3
    assert recipe.best_agent()["genome"]["name"] == "careful"
    assert "Apply this change: Check the sum twice." in model.seen["modify"][1]
    assert "0 of 4 right" in model.seen["hypotheses"][0]  # the execution results reach the evaluation agent


def settings(role, instruction, reflect=False):
    return json.dumps({"role": role, "instruction": instruction, "reflect": reflect})


def test_evoagent_evolves_expert_settings_into_a_voting_team(add_task):
    model = Scripted(mutate=[settings("an accountant", "Add carefully."), "no settings here", settings("a teacher", "Work carefully.", True)],
                     crossover=[settings("a mix", "Add the numbers.")])  # fmt: skip
    recipe, result = search("evoagent", add_task, model, evaluations=20, batch_size=3, crossover_rate=0.5)
    scores = {e["settings"]["instruction"]: e["score"] for e in recipe.pool}
    assert scores["Think step by step."] == 0.0 and scores["Add carefully."] == 1.0
    assert recipe.pool[0]["score"] == 1.0 and len(recipe.pool) <= 4
    team = recipe.teams[-1]
    parts = team["genome"]["parts"]
    assert parts["experts"] == 3 and parts["aggregate"] == "vote"
    assert team["score"] == (1.0 if sum(scores.get(parts[f"instruction_{k}"], 0) for k in (1, 2, 3)) >= 2 else 0.0)
    assert any(t["score"] == 1.0 for t in recipe.teams)  # two careful experts outvote the seed
    assert "Its settings:" in model.seen["mutate"][0] and "0 of 4 right" in model.seen["mutate"][0]
    assert "1 x mutate: no JSON object" in recipe.report(None) and recipe.best_agent()["fitness"] == 1.0
    assert result.stop_reason == "no new expert in 5 generations in a row"  # the script repeats itself


MIXED_TASK = """
from evoforge.genomes.agents import AgentTask

def score(item, answer):
    return float(str(answer).strip().endswith(item["answer"]))

ITEMS = []
for a in range(2, 9):
    ITEMS += [{"question": f"What is {a} + {a + 1}?", "answer": str(2 * a + 1)}, {"question": f"What is {a} times {a + 1}?", "answer": str(a * (a + 1))}]
TASK = AgentTask(description="add or multiply", search=ITEMS[:12], heldout=ITEMS[12:], score=score, items_per_eval=4)
"""


def mixed_answer(text):
    """Sums come out right after a plan, products after running a program; anything else is wrong."""
    a, op, b = re.search(r"What is (\d+) (\+|times) (\d+)\?", text).groups()
    if op == "+" and "Plan:" in text:
        return f"Answer: {int(a) + int(b)}"
    if op == "times" and "Output of a Python program written for this problem:\n" in text:
        return "Answer: " + text.split("Output of a Python program written for this problem:\n")[1].split()[0]
    return "Answer: 0"


def test_alama_learns_which_mechanism_to_activate_from_its_successful_traces(write_task):
    MARKS.update(plan="numbered plan", act="computes and prints", solve="Think step by step.")

    def program(text):
        a, op, b = re.search(r"What is (\d+) (\+|times) (\d+)", text).groups()
        return f"```python\nprint({a} {op.replace('times', '*')} {b})\n```"

    model = Scripted(plan=["1. Add the two numbers."], act=[program], solve=[mixed_answer])
    recipe, result = search("alama", write_task(MIXED_TASK, "mixed.py"), model, evaluations=30)
    assert (
        result.stop_reason == "every search item outside the check set has been explored"
        and result.evaluations == 2 * 4 + 2
    )
    assert recipe.check == [8, 9, 10, 11] and all(i < 8 for i in recipe.solved)
    assert recipe.solved == {i: ["plan"] if i % 2 == 0 else ["act"] for i in range(8)}
    assert [r["adaptive"] for r in recipe.rounds] == [1.0, 1.0]
    from evoforge.genomes.agents import set_agent_model

    set_agent_model(model)
    try:
        fixed = [
            load_task(write_task(MIXED_TASK, "mixed.py")).evaluate(recipe.genome(m, [], recipe.check, m))["score"]
            for m in ("plan", "act")
        ]
    finally:
        set_agent_model(None)
    assert fixed == [0.5, 0.5]  # each mechanism alone solves half the check set
    parts = recipe.best_agent()["genome"]["parts"]
    assert sorted(m for _, m in json.loads(parts["experience"])) == ["act"] * 4 + ["plan"] * 4
    assert "by combination: reason 0, plan 4, act 4, reflect 0" in recipe.report(None)


def swe_scripted():
    from evoforge.tasks.agents.agent_code import _TEMPLATES

    edits = []

    def edit(text):  # odd edits give back the buggy code, even edits the fix
        edits.append(text)
        name = re.search(r"corrected function (\w+)", text).group(1)
        buggy = text.split("but it has a bug:\n\n")[1].split("\nTests it must pass")[0]
        fixed = next(t[2] for t in _TEMPLATES if t[0] == name)
        return f"Here it is:\n```python\n{buggy if len(edits) % 2 else fixed}```"

    def value(text):
        last = text.rsplit("Step ", 1)[-1]
        # overrates failing code, so that the value alone would submit the buggy draft
        return (
            "Looks done. Value: 90"
            if "Result:" in last and "wanted" not in last
            else "Unsure. Value: 40"
            if "Result:" not in last
            else "Nearly. Value: 95"
        )

    def discriminator(text):
        shown = re.findall(r"Candidate (\d+):.*?Test result: (.*?)(?=\n\nCandidate|\n\nWhich)", text, re.S)
        return "Choice: " + next(k for k, result in shown if "wanted" not in result and "not run" not in result)

    return Scripted(edit=[edit], value=[value], discriminator=[discriminator])


def test_swe_search_explores_edits_and_tests_and_the_discriminator_picks_the_fix():
    model = swe_scripted()
    task = load_task("agent-code", {"search": 2, "heldout": 1, "seed": 0})
    recipe = get_recipe("swe-search").from_params({"iterations": 8})
    recipe.model = model
    result = Engine(task, recipe, seed=1, budget=Budget(evaluations=10)).run(InProcessExecutor(task))
    assert result.stop_reason == "every search item has a final answer" and result.evaluations == 2
    for row in recipe.searched:
        assert row["finished"] >= 2 and row["finalists"] >= 2 and row["score"] == 1.0
        assert row["value"] == 0.9  # not the best-valued finalist (0.95): the discriminator's choice
    prompts = model.seen["discriminator"]
    assert len(prompts) == 2 and all(
        "wanted" in p and "Test result:" in p for p in prompts
    )  # a failing finalist was shown too
    assert any("Result:" in p and "ok" in p for p in model.seen["value"])  # the value agent saw test output
    assert "mean hidden-test score of the chosen answers: 1.000" in recipe.report(None)
    restored = pickle.loads(pickle.dumps(recipe))  # the task travels as a reference and is loaded again
    assert restored.env.value.search[0]["question"] == task.value.search[0]["question"]


def test_swe_search_needs_an_environment_action(add_task):
    from evoforge.core.errors import ConfigError

    recipe = get_recipe("swe-search").from_params({})
    with pytest.raises(ConfigError, match="needs an agent task with the environment action 'run_tests'"):
        recipe.setup(load_task(add_task), None)
