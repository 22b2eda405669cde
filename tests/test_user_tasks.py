"""User task files written from the README's "Write a task" examples, with the public API only:
tasks are values (options never leak between loads), options are checked, and one typed task per
genome kind (vector with the array path, program with its description and signature shown to the
model, prompt with a task model chosen per run)."""

import pickle
import re
from pathlib import Path

import numpy as np
import pytest

import evoforge
from evoforge import Budget, Engine, InProcessExecutor, Recipe, RunStore, TaskError, get_recipe, load_task
from evoforge.cli.config import build_config
from evoforge.llm import Completion, Model, start_server_in_thread

README = (Path(__file__).parent.parent / "README.md").read_text()
BLOCKS = re.findall(r"```python\n(.*?)```", README, flags=re.S)


def readme_task(tmp_path: Path, name: str) -> str:
    """Write the README's ``# NAME -- ...`` example into ``tmp_path`` and return its path."""
    source = next(b for b in BLOCKS if b.startswith(f"# {name} "))
    path = tmp_path / name
    path.write_text(source)
    return str(path)


@pytest.fixture(autouse=True)
def _own_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("EVOFORGE_CACHE_DIR", str(tmp_path / "cache"))  # no answers from earlier runs
    monkeypatch.delenv("EVOFORGE_TASK_MODEL", raising=False)
    monkeypatch.delenv("EVOFORGE_TASK_BASE_URL", raising=False)


# -- tasks are values -------------------------------------------------------------------------------
def test_options_never_leak_between_loads(tmp_path):
    small, plain = load_task("sphere", {"dim": 3}), load_task("sphere")
    assert len(small.seed) == 3 and len(plain.seed) == 10
    assert small.module is not plain.module and small.evaluate is not plain.evaluate
    assert small.evaluate(small.seed)["score"] == pytest.approx(-27.0)  # still 3-D after the second load

    path = readme_task(tmp_path, "my_task.py")  # the option is a field of a copy of TASK
    scaled, default = load_task(path, {"scale": 2.0}), load_task(path)
    assert scaled.value.scale == 2.0 and default.value.scale == 1.0 and scaled.module.TASK.scale == 1.0
    assert scaled.evaluate([2.0, -4.0, 1.0, 6.0, 0.0])["score"] == 0.0
    assert default.evaluate([1.0, -2.0, 0.5, 3.0, 0.0])["score"] == 0.0
    assert scaled.kind == "vector" and scaled.bounds == (-5.0, 5.0) and scaled.description == "reach a target vector"


MODULE_TASK = """
import numpy as np

SEED = [0.0] * 5
TARGET = np.array([1.0, -2.0, 0.5, 3.0, 0.0])
DESCRIPTION = "reach a target vector"
BOUNDS = (-5.0, 5.0)
DESCRIPTOR_BOUNDS = [(-5, 5), (-5, 5)]
DESCRIPTOR_NAMES = ["x0", "x1"]
FAILURE_SCORE = -1000


def configure(scale: float = 1.0) -> None:
    global TARGET
    TARGET = TARGET * scale


def evaluate(genome) -> dict:
    error = float(np.sum((np.asarray(genome) - TARGET) ** 2))
    return {"score": -error, "descriptors": genome[:2]}


def relative_fitness(reference, rows):
    return -np.abs(np.asarray(rows)).sum(axis=1)
"""


def test_module_style_tasks_load_unchanged(tmp_path):
    """A file of plain names with ``configure()`` rewriting its globals: options reach configure, never
    leak into the next load, and the optional names become the task's typed parts."""
    path = tmp_path / "module_task.py"
    path.write_text(MODULE_TASK)
    scaled, default = load_task(str(path), {"scale": 2.0}), load_task(str(path))
    assert list(scaled.module.TARGET) == [2.0, -4.0, 1.0, 6.0, 0.0]
    assert list(default.module.TARGET) == [1.0, -2.0, 0.5, 3.0, 0.0]
    assert scaled.evaluate([2.0, -4.0, 1.0, 6.0, 0.0])["score"] == 0.0 and scaled.options == {"scale": 2.0}
    assert scaled.seed == [0.0] * 5 and scaled.kind == "vector" and scaled.bounds == (-5.0, 5.0)
    assert scaled.descriptor_bounds == [(-5.0, 5.0), (-5.0, 5.0)] and scaled.descriptor_names == ["x0", "x1"]
    assert scaled.failure_score == -1000 and scaled.description == "reach a target vector"
    assert scaled.relative_fitness(None, [[1, -2]]).tolist() == [-3]
    assert scaled.evaluate_batch is None and scaled.evaluate_array is None and scaled.draw is None
    with pytest.raises(TaskError, match="option scale='big' must be a number"):
        load_task(str(path), {"scale": "big"})
    with pytest.raises(TaskError, match="has no option 'size'"):
        load_task(str(path), {"size": 3})


def test_loaded_tasks_and_their_functions_survive_pickling():
    """Checkpoints pickle recipes, which may hold task functions (e.g. a bit-string task's
    ``relative_fitness``): they come back as the same function of a task loaded with the same options."""
    recipe = get_recipe("one-plus-one-ea")()
    recipe.setup(load_task("onemax", {"n": 5}), np.random.default_rng(0))
    again = pickle.loads(pickle.dumps(recipe))
    assert again.relative(None, np.array([[1, 0, 1, 1, 0]])).tolist() == [3.0]
    task = pickle.loads(pickle.dumps(load_task("sphere", {"dim": 3})))
    assert len(task.seed) == 3 and task.options == {"dim": 3}


@pytest.mark.parametrize(
    "options, needle",
    [
        ({"dim": "abc"}, "option dim='abc' must be an integer"),
        ({"dim": 2.5}, "option dim=2.5 must be an integer"),
        ({"dim": 0}, "option dim=0 rejected: dim must be >= 1"),
        ({"size": 3}, "has no option 'size' (its options: dim, start)"),
        ({"start": [1]}, "option start=[1] must be a number"),
    ],
)
def test_bad_options_are_one_line_task_errors(options, needle):
    with pytest.raises(TaskError) as err:
        load_task("sphere", options)
    assert needle in str(err.value) and "\n" not in str(err.value)


def test_option_values_are_converted_to_the_declared_types(tmp_path):
    assert load_task("sphere", {"dim": "4", "start": 1}).options == {"dim": 4, "start": 1.0}
    with pytest.raises(TaskError, match="option scale='big' must be a number"):
        load_task(readme_task(tmp_path, "my_task.py"), {"scale": "big"})


TYPED_TASK = """
from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from evoforge import TaskValue, option

DESCRIPTOR_NAMES = ["first", "second"]  # a module-style name of its own wins over the value's


@dataclass(kw_only=True)
class Climb(TaskValue):
    kind: ClassVar[str] = "vector"
    size: int = option(3, help="genome length")
    quick: bool = option(False, help="a flag")
    width: float = option(1.0, name="range", help="an option whose field is called otherwise")
    descriptor_bounds = ((0, 1), (0, 1))

    def __post_init__(self) -> None:
        if self.size < 1:
            raise ValueError("size must be >= 1")

    def initial(self) -> list[float]:
        return [0.0] * self.size

    def evaluate(self, genome) -> dict:
        return {"score": -sum(abs(x) for x in genome) * self.width, "descriptors": [0.5, 0.5]}


TASK = Climb()
"""


def test_typed_task_options_are_fields_of_a_copy(tmp_path):
    """Option names (an alias included) are checked, values converted (``"yes"`` is true), the copy's
    ``__post_init__`` refuses bad values, and the file's own module-style names win."""
    path = tmp_path / "climb.py"
    path.write_text(TYPED_TASK)
    task = load_task(str(path), {"size": "4", "quick": "yes", "range": 2})
    assert task.seed == [0.0] * 4 and task.value.quick is True and task.value.width == 2.0
    assert task.options == {"size": 4, "quick": True, "range": 2.0} and task.module.TASK.size == 3
    assert task.evaluate([1.0, -1.0, 0.0, 0.0])["score"] == -4.0 and task.kind == "vector"
    assert task.descriptor_names == ["first", "second"] and task.descriptor_bounds == [(0.0, 1.0), (0.0, 1.0)]
    assert task.bounds is None and task.evaluate_batch is None and task.relative_fitness is None
    with pytest.raises(TaskError, match="has no option 'width' \\(its options: size, quick, range\\)"):
        load_task(str(path), {"width": 2})
    with pytest.raises(TaskError, match="option size=0 rejected: size must be >= 1"):
        load_task(str(path), {"size": 0})
    with pytest.raises(TaskError, match="option quick='maybe' must be true or false"):
        load_task(str(path), {"quick": "maybe"})


# -- a vector task with evaluate_array ----------------------------------------------------------------
def test_vector_task_takes_the_array_path(tmp_path):
    path = readme_task(tmp_path, "vector_task.py")
    task = load_task(path)
    assert task.seed == [3.0] * 6 and task.bounds == (-5.0, 5.0) and task.kind == "vector"
    assert task.evaluate(task.seed)["score"] == pytest.approx(-54.0)

    seen = []
    result = evoforge.evolve(
        path,
        "map-elites",
        budget=1200,
        seed=0,
        out=tmp_path / "a.db",
        on_batch=lambda engine, batch: seen.append(len(batch)),
    )
    store = RunStore.open(tmp_path / "a.db")
    recorded = store.count()
    store.close()
    assert result.evaluations == 1200 and result.best.score > -54.0
    assert recorded == sum(seen) < 1200  # only the rows that entered the archive became candidates

    pool = evoforge.evolve(path, "map-elites", budget=300, seed=0, out=tmp_path / "p.db", executor="pool")
    store = RunStore.open(tmp_path / "p.db")
    assert store.count() == pool.evaluations == 300  # the candidate path records every evaluation
    store.close()


# -- a program task -----------------------------------------------------------------------------------
class Recorder:
    """A scripted model: records prompts and answers with a correct function."""

    def __init__(self, answer: str):
        self.answer, self.prompts = answer, []

    def chat(self, messages, n=1, temperature=0.8, max_tokens=512, stop=None, seed=None, tag=""):
        self.prompts.append(messages[-1]["content"])
        return [Completion(self.answer, "stop", 10, 10)]


DEDUPE = (
    "```python\ndef dedupe(items: list) -> list:\n    out = []\n    for item in items:\n"
    "        if item not in out:\n            out.append(item)\n    return out\n```"
)


def evolve_program(path: str, answer: str, evaluations: int = 3) -> tuple[Recorder, evoforge.RunResult]:
    task = load_task(path)
    recipe = get_recipe("evolve")(near_duplicate=0, tune=False, batch_size=1, operators="rewrite")
    recipe.model = model = Recorder(answer)
    result = Engine(task, recipe, seed=0, budget=Budget(evaluations=evaluations)).run(InProcessExecutor(task, 60))
    return model, result


def test_program_task_prompt_shows_description_and_signature(tmp_path):
    model, result = evolve_program(readme_task(tmp_path, "program_task.py"), DEDUPE)
    assert model.prompts
    for prompt in model.prompts:
        assert "Remove repeated items from a list, keeping the first of each, in order." in prompt
        assert "def dedupe(items: list) -> list:" in prompt
    assert result.best.score == 1.0 and result.best.feedback == "3 of 3 cases right"


def test_program_file_docstring_and_hidden_signature_reach_the_model(tmp_path):
    path = tmp_path / "coloring.py"
    path.write_text('''"""Colour a path graph with 2 colours: colour(i) for node i; neighbours must differ."""
SEED = """
def colour(node: int) -> int:
    return helper(node)


# EVOLVE-BLOCK-START
def helper(node):
    return 0
# EVOLVE-BLOCK-END
"""
FUNCTION = "colour"


def evaluate(program):
    return {"score": 0.0}
''')
    model, _ = evolve_program(str(path), "```python\ndef helper(node):\n    return node % 2\n```")
    assert model.prompts and all("Colour a path graph with 2 colours" in p for p in model.prompts)
    assert all("Required signature: `def colour(node: int) -> int:`" in p for p in model.prompts)


# -- a prompt task ------------------------------------------------------------------------------------
class ScriptedTaskModel(Model):
    """Answers a review right only when the system prompt asks for one word; anything else (an
    operator's prompt) gets an instruction that says so."""

    backend = "scripted"

    def __init__(self):
        super().__init__("scripted")
        self.queries = 0

    def _generate(self, req):
        msgs = req.input if isinstance(req.input, list) else [{"role": "user", "content": req.input}]
        last, system = msgs[-1]["content"], msgs[0]["content"] if msgs[0]["role"] == "system" else ""
        if last.endswith(".") and len(last) < 40:  # a review
            self.queries += 1
            negative = any(w in last for w in ("cold", "not", "smoke"))
            text = ("negative" if negative else "positive") if "one word" in system else "Hmm, let me think."
        else:
            text = "Answer with one word: positive or negative."
        return [Completion(text, "stop", 20, 5)] * req.n


def test_prompt_task_with_an_injected_model_evolves(tmp_path):
    task = load_task(readme_task(tmp_path, "prompt_task.py"))
    model = ScriptedTaskModel()
    task.use_model(model)
    assert task.seed == {"instruction": "Is this review positive or negative?", "demos": []}
    assert task.evaluate(task.seed)["score"] == 0.0
    held_out = task.evaluate({"instruction": "Reply in one word.", "demos": [], "split": "test"})
    assert held_out["score"] == 1.0 and held_out["metrics"]["items"] == [0, 1]

    recipe = get_recipe("promptbreeder")(population=4, minibatch=2, batch_size=2, validate_items=0)
    recipe.model = model
    result = Engine(task, recipe, seed=0, budget=Budget(evaluations=16)).run(InProcessExecutor(task, None))
    assert result.best.score == 1.0 and "one word" in result.best.genome["instruction"]


class SeedOnce(Recipe):
    """Proposes the task's seed and one instruction (no model of its own)."""

    name = "seed-once"

    def setup(self, task, rng):
        self.genomes = [task.seed, {"instruction": "Answer in one word.", "demos": []}]

    def ask(self, n, rng):
        return [evoforge.Candidate(genome=self.genomes.pop(0))] if self.genomes else []

    def tell(self, candidates, rng):
        pass


def test_task_model_is_chosen_per_run_and_recorded(tmp_path):
    config = build_config(
        {"recipe": "ga", "task": "sphere", "task-model": "openai:judge", "task-base-url": "http://127.0.0.1:1/v1"}, {}
    )
    assert (config.task_model, config.task_base_url) == ("openai:judge", "http://127.0.0.1:1/v1")

    path = readme_task(tmp_path, "prompt_task.py")
    assert load_task(path).task_model == "embedded"  # the default, when a run names none
    flagged = load_task(path, task_model="openai:judge", task_base_url="http://127.0.0.1:1/v1")
    assert flagged.context == {"task_model": "openai:judge", "task_base_url": "http://127.0.0.1:1/v1"}

    pytest.importorskip("httpx")  # the openai backend's client
    served = ScriptedTaskModel()
    with start_server_in_thread(served) as server:
        result = evoforge.evolve(
            path,
            SeedOnce(),
            budget=2,
            out=tmp_path / "m.db",
            executor="inprocess",
            task_model="openai:scripted",
            task_base_url=server.url,
        )
    store = RunStore.open(tmp_path / "m.db")
    assert store.config["task_model"] == "openai:scripted" and store.config["task_base_url"] == server.url
    store.close()
    assert served.queries == 8 and result.best.score == 1.0  # the flagged model answered, over HTTP
