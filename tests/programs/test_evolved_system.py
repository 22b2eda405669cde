"""Evolution of the system prompt in `evolve` (Promptbreeder-style hypermutation), with a scripted model."""

from program_helpers import Answer as _Answer

from evoforge.core.budget import Budget
from evoforge.core.task import load_task
from evoforge.genomes.programs.system_prompts import STARTERS, clean_instruction
from evoforge.recipes.registry import get_recipe
from evoforge.run.engine import Engine
from evoforge.run.executors import InProcessExecutor


class SystemRecorder:
    """Records each call's system prompt and tag; rewrites instructions when asked, else answers with
    code that improves when the system prompt asks for a 'bold' idea."""

    def __init__(self):
        self.systems, self.tags, self.n = [], [], 0

    def chat(self, messages, n=1, temperature=0.8, max_tokens=512, stop=None, seed=None, tag=""):
        self.systems.append(messages[0]["content"])
        self.tags.append(tag)
        self.n += 1
        if tag == "hyper":
            text = "garbage" if self.n % 2 else f"You are a bold inventor number {self.n}. Try a new idea. Be brief."
            return [_Answer(text)]
        value = self.n if "bold" in messages[0]["content"] else -self.n  # bold prompts get better code
        return [_Answer(f"```python\ndef f():\n    return {value}.0\n```")]


NUMBER_TASK = """
SEED = "def f():\\n    return 0.0\\n"
DESCRIPTION = "make f() return a large number"
def evaluate(code):
    space = {}
    exec(code, space)
    return {"score": float(space["f"]())}
"""


def run(write_task, **params):
    task = load_task(write_task(NUMBER_TASK))
    recipe = get_recipe("evolve").from_params(
        {"near_duplicate": 0, "tune": False, "batch_size": 1, "operators": "rewrite", **params}
    )
    model = SystemRecorder()
    recipe.model = model
    Engine(task, recipe, seed=2, budget=Budget(evaluations=25)).run(InProcessExecutor(task, timeout=60))
    return recipe, model


def test_system_prompts_are_chosen_credited_and_rewritten(write_task):
    recipe, model = run(write_task, system_prompts=3, hyper_every=4)
    calls = [s for s, t in zip(model.systems, model.tags) if t != "hyper"]
    assert set(STARTERS[:3]) <= set(calls)  # every starting prompt was tried
    assert model.tags.count("hyper") >= 4
    systems = recipe.systems
    assert systems.rewrites >= 1 and any("bold inventor" in t for t in systems.texts)
    assert recipe.ops.unusable.get("hyper", 0) >= 1  # the garbage answers were refused
    assert sum(recipe.systems.bandit.wins.values()) > 0  # improvements were credited
    assert sum(1 for s in calls if "bold" in s) > len(calls) // 3  # the bandit favours the prompt that works


def test_fixed_system_prompt_by_default(write_task):
    recipe, model = run(write_task)
    assert recipe.systems is None and "hyper" not in model.tags
    assert set(model.systems) == {STARTERS[0]}


def test_clean_instruction_refuses_garbage():
    assert (
        clean_instruction('Instruction: "Make one careful change to the formula. Be brief."')
        == "Make one careful change to the formula. Be brief."
    )
    for bad in ("", "ok", "```python\ndef f(): pass\n```", "!!! ### 12345 67890 ???? ....."):
        assert clean_instruction(bad) is None
