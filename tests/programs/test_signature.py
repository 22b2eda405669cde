"""Signature-preserving generation: a child whose evolved function cannot be called the way the task's
harness calls the seed's is repaired (renamed parameters) or rejected with a counted reason, and never
reaches evaluation or the tuner."""

import sys
from pathlib import Path

import pytest

from evoforge.core.budget import Budget
from evoforge.core.task import load_task
from evoforge.genomes.programs.answers import Proposal
from evoforge.genomes.programs.blocks import signature_of
from evoforge.genomes.programs.ops import ProgramOps
from evoforge.genomes.programs.signature import keep_signature, signature_problem
from evoforge.genomes.programs.templates import ProgramSpec
from evoforge.recipes.registry import get_recipe
from evoforge.run.engine import Engine
from evoforge.run.executors import InProcessExecutor

SEED = load_task("binpack", {}).seed
HEAD = "def priority(item: float, bins: np.ndarray) -> np.ndarray:"


def with_function(text: str) -> str:
    """The binpack seed with its ``priority`` replaced by ``text``."""
    start, end = SEED.index("def priority"), SEED.index("# EVOLVE-BLOCK-END")
    return SEED[:start] + text.strip("\n") + "\n" + SEED[end:]


@pytest.mark.parametrize(
    "text",
    [
        "def priority(item, bins):\n    return -(bins - item)\n",  # annotations dropped
        "def priority(item: int, bins: list) -> float:\n    return -(bins - item)\n",  # other annotations
        "def priority(item, bins, weight=2.0):\n    return -(bins - item) * weight\n",  # extra with default
        "def priority(item, bins, *, scale=1.0):\n    return -(bins - item) * scale\n",
    ],
)
def test_callable_the_seeds_way_is_kept_unchanged(text):
    program = with_function(text)
    assert signature_problem(program, SEED, "priority") is None
    assert keep_signature(program, SEED, "priority") == (program, None)


@pytest.mark.parametrize("params", ["x, capacities", "bins, item"])
def test_renamed_or_swapped_parameters_get_the_seeds_def_line_back(params):
    """The body names the seed's parameters: with the seed's def line they mean what the harness passes."""
    program = with_function(f"def priority({params}) -> np.ndarray:\n    return -(bins - item)\n")
    fixed, why = keep_signature(program, SEED, "priority")
    assert why is None and signature_of(fixed, "priority") == HEAD
    assert "return -(bins - item)" in fixed


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("def priority(bins):\n    return -bins\n", "changed the required `(item, bins)`"),
        ("def priority(x, caps):\n    return -(caps - x)\n", "changed the required"),  # body uses new names
        ("def priority(item, bins, k):\n    return -(bins - item) * k\n", "without defaults (k)"),
        ("def priority(item, bins, *, k):\n    return -(bins - item) * k\n", "without defaults (k)"),
        ("def score(item, bins):\n    return -(bins - item)\n", "`priority` is missing"),
    ],
)
def test_calls_that_would_fail_are_rejected_with_the_reason(text, words):
    program = with_function(text)
    fixed, why = keep_signature(program, SEED, "priority")
    assert fixed is None and why.startswith("signature: ") and words in why


def test_ops_count_the_reason_and_pass_the_repaired_program_on():
    ops = ProgramOps(ProgramSpec.from_task(load_task("binpack", {})), 256, 0.8)
    bad = Proposal(with_function("def priority(bins):\n    return -bins\n"), "rewrite")
    assert ops.accept(bad, near=False).startswith("signature")
    renamed = Proposal(with_function("def priority(a, b):\n    return -(bins - item) * 1.5\n"), "rewrite")
    assert ops.accept(renamed, near=False) is None
    assert signature_of(renamed.program, "priority") == HEAD


def test_evolve_never_evaluates_or_tunes_a_changed_signature():
    sys.path.insert(0, str(Path(__file__).parent))
    from test_recipes import ScriptedModel

    task = load_task("binpack", {"instances": 1, "items": 200})
    recipe = get_recipe("evolve").from_params(
        {"near_duplicate": 0, "batch_size": 4, "operators": "rewrite", "repair": False}
    )
    answer = "```python\ndef priority(bins):\n    return -bins + 0.5\n```"
    recipe.model = ScriptedModel([answer])
    seen = []
    engine = Engine(task, recipe, seed=0, budget=Budget(evaluations=12), on_batch=lambda e, b: seen.extend(b))
    engine.run(InProcessExecutor(task, timeout=60))
    assert recipe.discarded().get("signature", 0) >= 1
    assert all("def priority(bins)" not in c.genome for c in seen)
    assert all(c.ok for c in seen)  # no broken program was evaluated, so none was tuned


def test_seeds_with_star_args_or_keyword_parameters():
    star = "def f(*args):\n    return args\n"
    assert signature_problem("def f(x):\n    return x\n", star, "f") is None  # calls unknown: not judged
    kw = "def f(x, *, scale=1.0):\n    return x * scale\n"
    assert signature_problem("def f(x, scale=2.0):\n    return x * scale\n", kw, "f") is None
    assert signature_problem("def f(x, **options):\n    return x\n", kw, "f") is None
    assert "lost keyword parameters (scale)" in signature_problem("def f(x):\n    return x\n", kw, "f")
