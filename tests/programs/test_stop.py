"""The STOP recipe: a sandboxed improver program, served by replay, that also improves itself."""

import numpy as np

from evoforge.core.budget import Budget
from evoforge.core.task import load_task
from evoforge.recipes.programs.stop import SEED_IMPROVER
from evoforge.recipes.registry import get_recipe
from evoforge.run.engine import Engine
from evoforge.run.executors import InProcessExecutor


class _A:
    def __init__(self, text):
        self.text, self.finish_reason, self.prompt_tokens, self.completion_tokens, self.cached = (
            text,
            "stop",
            5,
            5,
            False,
        )


class PromptModel:
    """Scripted (unit tests only): improvers get an improver back, programs get a better priority."""

    def __init__(self):
        self.prompts, self.k = [], 0

    def chat(self, messages, n=1, temperature=0.8, max_tokens=512, stop=None, seed=None, tag=""):
        prompt = messages[-1]["content"]
        self.prompts.append((tag, prompt))
        self.k += 1
        if "def improve" in prompt:
            better = SEED_IMPROVER.replace("Change one thing.", "Change one constant.")
            return [_A("```python\n" + better + "\n```")]
        if self.k % 3 == 0:
            return [_A("```python\nimport os\nos.system('echo hi')\n```")]  # hostile: refused in the sandbox
        return [
            _A(
                f"```python\ndef priority(item, bins):\n    gap = bins - item\n"
                f"    return -gap - {self.k % 7 + 1}.0 * (gap > 0) * (gap < {self.k % 11 + 8})\n```"
            )
        ]


def test_stop_improves_and_self_improves():
    task = load_task("binpack", {"instances": 2, "items": 200})
    recipe = get_recipe("stop").from_params({"meta_every": 2, "budget": 2})
    model = PromptModel()
    recipe.model = model
    seen = []
    engine = Engine(task, recipe, seed=3, budget=Budget(evaluations=5), on_batch=lambda e, b: seen.extend(b))
    result = engine.run(InProcessExecutor(task, timeout=60))
    assert result.evaluations == 5
    children = [c for c in seen if c.operator.startswith("improve")]
    assert children and all(c.ok for c in children)
    assert any(t == "self-improve" for t, _ in model.prompts) and any(t == "meta" for t, _ in model.prompts)
    assert any("self-improvement" in line for line in recipe.log)
    assert len(recipe.improvers) >= 2 and "Change one constant." in recipe.improver  # the new improver was adopted
    import pickle

    assert "_task" not in recipe.__getstate__() and pickle.loads(pickle.dumps(recipe))._task is None  # reloaded on use


def test_hostile_improver_fails_without_ending_the_run():
    task = load_task("binpack", {"instances": 1, "items": 100})
    recipe = get_recipe("stop").from_params({"meta_every": 0, "improver_timeout": 3})
    recipe.setup(task, np.random.default_rng(0))
    recipe.model = PromptModel()
    loop = "def improve(solution, ask, utility, budget, rng):\n    while True:\n        pass\n"
    out, how = recipe.run_improver(loop, task.seed, lambda t: 0.0, 1, np.random.default_rng(0), "t")
    assert out is None and "improver failed" in how
    net = (
        "import socket\ndef improve(solution, ask, utility, budget, rng):\n"
        "    socket.create_connection(('127.0.0.1', 80))\n"
    )
    out, how = recipe.run_improver(net, task.seed, lambda t: 0.0, 1, np.random.default_rng(0), "t")
    assert out is None and "improver failed" in how
    greedy = (
        "def improve(solution, ask, utility, budget, rng):\n    for _ in range(10):\n        ask('x')\n"
        "    return solution\n"
    )
    out, how = recipe.run_improver(greedy, task.seed, lambda t: 0.0, 2, np.random.default_rng(0), "t")
    assert out is None and "BudgetSpent" in how
