"""Promptbreeder's mutation operators (Fernando et al., 2023, "Promptbreeder: Self-Referential
Self-Improvement via Prompt Evolution") plus GEPA-style reflection on failures.

Every operator maps a parent unit (instruction, demos, mutation prompt) to a child unit. Operators that
call the model derive the call's seed from ``rng`` (a resumed run repeats the call and hits the cache)
and pass what the model wrote through :func:`clean_prompt`; when that rejects it twice the child falls
back to a model-free operator (context shuffling) so a tiny model's garbage never reaches evaluation.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from evoforge.core.model_call import NO_CALL, ModelCall

from .genome import MUTATION_PROMPTS, THINKING_STYLES, clean_prompt

MODEL_OPERATORS = [
    "zero_order",
    "first_order",
    "eda",
    "ranked_eda",
    "lineage",
    "zero_order_hyper",
    "first_order_hyper",
    "lamarckian",
    "reflection",
]
OPERATORS = MODEL_OPERATORS + ["crossover", "context_shuffle"]

Member = tuple[dict[str, Any], float]  # (unit, fitness)


def _seed(rng: np.random.Generator) -> int:
    return int(rng.integers(0, 2**31 - 1))


class Mutator:
    """Applies operators with one model. ``description`` says what the task is (one line);
    ``train`` is the list of (input, answer) pairs demos are drawn from."""

    def __init__(
        self,
        model: Any,
        description: str,
        train: Sequence[tuple[str, str]] = (),
        *,
        max_demos: int = 4,
        max_tokens: int = 60,
        temperature: float = 0.9,
        forbidden: tuple[str, ...] = (),
    ):
        self.model, self.description, self.train = model, description, list(train)
        self.max_demos, self.max_tokens, self.temperature = max_demos, max_tokens, temperature
        self.forbidden = forbidden
        self.calls = 0
        self.rejected = 0
        self.last_call: ModelCall = NO_CALL  # how the child of the last ``apply`` was made
        self._asked: ModelCall = NO_CALL  # the last request and its raw answer

    # -- plumbing -----------------------------------------------------------------------------
    def ask_model(self, prompt: str, rng: np.random.Generator, tag: str) -> str:
        self.calls += 1
        messages = [{"role": "user", "content": prompt}]
        out = self.model.chat(
            messages, temperature=self.temperature, max_tokens=self.max_tokens, seed=_seed(rng), tag=tag
        )
        answer = out[0].text if out else ""
        self._asked = ModelCall.of(messages, answer)
        return answer

    def rewrite(self, prompt: str, parent_text: str, rng: np.random.Generator, tag: str, tries: int = 2) -> str | None:
        """Ask for a new prompt text; None after ``tries`` garbage answers."""
        forbidden = self.forbidden + ("INSTRUCTION MUTANT", "New instruction:")
        for _ in range(tries):
            text = clean_prompt(self.ask_model(prompt, rng, tag), parent_text, forbidden=forbidden)
            if text is not None:
                self.last_call = self._asked
                return text
            self.rejected += 1
        return None

    # -- the operators ------------------------------------------------------------------------
    def apply(
        self,
        op: str,
        parent: dict[str, Any],
        population: Sequence[Member],
        rng: np.random.Generator,
        *,
        lineage: Sequence[str] = (),
        feedback: str | None = None,
        working: tuple[str, str] | None = None,
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        """The child of ``parent`` under operator ``op``, and notes about how it was made; the model
        request and answer the child's instruction came from is then :attr:`last_call` (``NO_CALL``
        for a model-free operator or a fallback)."""
        self.last_call = NO_CALL
        child = {
            "instruction": parent["instruction"],
            "demos": [list(d) for d in parent.get("demos", [])],
            "mutation_prompt": parent.get("mutation_prompt") or MUTATION_PROMPTS[0],
        }
        info: dict[str, Any] = {"op": op}
        fn: Callable[..., str | None] = getattr(self, f"_{op}")
        if op in ("crossover", "context_shuffle"):
            fn(child, population, rng)
            return child, info
        new = fn(child, population, rng, lineage=lineage, feedback=feedback, working=working)
        if new is None:  # garbage twice: fall back to a model-free change of the parent
            info["fallback"] = "context_shuffle"
            self.last_call = NO_CALL
            self._context_shuffle(child, population, rng)
        else:
            child["instruction"] = new
        return child, info

    def _apply_mutation_prompt(self, child: dict[str, Any], rng: np.random.Generator, tag: str) -> str | None:
        prompt = (
            f"{child['mutation_prompt']}\n\nTask: {self.description}\n"
            f"Instruction: {child['instruction']}\n\nWrite only the new instruction, one or two sentences."
        )
        return self.rewrite(prompt, child["instruction"], rng, tag)

    def _zero_order(self, child, population, rng, **_):
        prompt = (
            f"Task: {self.description}\nWrite one short instruction that tells a student exactly how to "
            f"solve this task and how to write the answer. Write only the instruction."
        )
        return self.rewrite(prompt, child["instruction"], rng, "zero_order")

    def _first_order(self, child, population, rng, **_):
        return self._apply_mutation_prompt(child, rng, "first_order")

    def _eda(self, child, population, rng, ranked: bool = False, **_):
        members = list(population)
        if ranked:
            members.sort(key=lambda m: m[1])  # ascending fitness: the best comes last
        else:
            members = [members[i] for i in rng.permutation(len(members))]
        seen, lines = set(), []
        for unit, _fit in members:
            text = unit["instruction"]
            if text not in seen:
                seen.add(text)
                lines.append(text)
        lines = lines[-6:]
        head = "Instructions for this task, from worst to best" if ranked else "Different instructions for this task"
        body = "\n".join(f"{i + 1}. {t}" for i, t in enumerate(lines))
        prompt = (
            f"Task: {self.description}\n{head}:\n{body}\n\nWrite one new instruction that is better than "
            f"all of these and different from them. Write only the instruction."
        )
        return self.rewrite(prompt, child["instruction"], rng, "ranked_eda" if ranked else "eda")

    def _ranked_eda(self, child, population, rng, **kw):
        return self._eda(child, population, rng, ranked=True)

    def _lineage(self, child, population, rng, lineage=(), **_):
        history = list(dict.fromkeys(lineage))[-5:] or [child["instruction"]]
        body = "\n".join(f"{i + 1}. {t}" for i, t in enumerate(history))
        prompt = (
            f"Task: {self.description}\nEach instruction below worked better than the one before:\n{body}\n\n"
            f"Write the next, even better instruction. Write only the instruction."
        )
        return self.rewrite(prompt, child["instruction"], rng, "lineage")

    def _zero_order_hyper(self, child, population, rng, **_):
        style = THINKING_STYLES[int(rng.integers(len(THINKING_STYLES)))]
        prompt = (
            f"{style}\nTask: {self.description}\nWrite one sentence of advice on how to improve an "
            f"instruction for this task."
        )
        new_mp = self.rewrite(prompt, child["mutation_prompt"], rng, "zero_order_hyper")
        if new_mp is not None:
            child["mutation_prompt"] = new_mp
        return self._apply_mutation_prompt(child, rng, "zero_order_hyper")

    def _first_order_hyper(self, child, population, rng, **_):
        prompt = (
            f"Improve this advice about rewriting instructions so it leads to better instructions:\n"
            f"{child['mutation_prompt']}\nWrite only the improved advice."
        )
        new_mp = self.rewrite(prompt, child["mutation_prompt"], rng, "first_order_hyper")
        if new_mp is not None:
            child["mutation_prompt"] = new_mp
        return self._apply_mutation_prompt(child, rng, "first_order_hyper")

    def _lamarckian(self, child, population, rng, working=None, **_):
        if working is None:
            return self._apply_mutation_prompt(child, rng, "lamarckian")
        x, out = working
        prompt = (
            f"A student was given an instruction and answered correctly.\nQuestion: {x}\nStudent's answer: "
            f"{out.strip()[:160]}\n\nWrite the instruction the student was most likely given. "
            f"Write only the instruction."
        )
        return self.rewrite(prompt, child["instruction"], rng, "lamarckian")

    def _reflection(self, child, population, rng, feedback=None, **_):
        if not feedback:
            return self._apply_mutation_prompt(child, rng, "reflection")
        prompt = (
            f"Task: {self.description}\nInstruction: {child['instruction']}\n\nWith this instruction the "
            f"model made these mistakes:\n{feedback[:700]}\n\nWrite a better instruction that avoids these "
            f"mistakes. Write only the instruction."
        )
        return self.rewrite(prompt, child["instruction"], rng, "reflection")

    def _crossover(self, child, population, rng, **_):
        """Prompt crossover: take the instruction of another member, chosen fitness-proportionally."""
        others = [m for m in population if m[0]["instruction"] != child["instruction"]]
        if not others:
            return self._context_shuffle(child, population, rng)
        w = np.array([max(f, 0.0) + 1e-3 for _, f in others])
        pick = others[int(rng.choice(len(others), p=w / w.sum()))][0]
        child["instruction"] = pick["instruction"]
        return None

    def _context_shuffle(self, child, population, rng, **_):
        """Replace, add or drop one few-shot demonstration (drawn from the train split, preferring an
        answer the other demonstrations do not show: see :func:`draw_demo`)."""
        demos = child["demos"]
        if not self.train:
            return
        r = rng.random()
        if demos and (len(demos) >= self.max_demos or r < 0.5):
            i = int(rng.integers(len(demos)))
            demos[i] = draw_demo(self.train, demos[:i] + demos[i + 1 :], rng)
        elif demos and r > 0.9:
            demos.pop(int(rng.integers(len(demos))))
        else:
            demos.append(draw_demo(self.train, demos, rng))
        return


def draw_demo(train: Sequence[tuple[str, str]], demos: Sequence[Sequence[str]], rng: np.random.Generator) -> list[str]:
    """A random train item as a demonstration, drawn among those whose answer no demo in ``demos``
    shows (any item when every answer is shown). Few-shot examples that all share one label teach a
    small model that label: DSPy MIPROv2 picked two ``food`` demos on ``topic`` and held out at 0.305.
    With free-form answers (all distinct) this is a plain random draw."""
    shown = {str(d[1]) for d in demos}
    fresh = [item for item in train if str(item[1]) not in shown] or list(train)
    x, y = fresh[int(rng.integers(len(fresh)))]
    return [x, y]
