"""Process-based Self-Rewarding Language Models (Zhang et al., 2025): the model solves step by step,
sampling ``samples`` candidate next steps at each step; the model itself, as LLM-as-a-judge, compares
the candidates pairwise (each pair in both orders); the most- and least-preferred steps form a
*step-wise* preference pair (prompt: the problem and the steps so far), the search goes on from the
preferred step, and each round trains the latest model by step-wise DPO on those pairs. No labels.

A step is the text up to the next ``", "`` of a worked solution (``" 2*3=6, 7+6=13, 13-4=9. Answer:
9"`` has three); a step that gives the answer ends the solution. Not reproduced: the paper's initial
fine-tuning on judging data (the judge here is the warm-started policy as it is) and its larger
models. Monitors (labels and execution for reporting only): ``step_acc`` (sampled steps whose
arithmetic, computed from its parsed syntax tree, holds), ``judge_acc`` (pairs where one step holds and the
other does not: how often the judge preferred the one that holds), ``search_acc`` (the judge-guided
path ends right), ``gv_gap`` = ``search_acc`` - pass@1 of full samples, ``pairs``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path
from typing import ClassVar

from evoforge.core.recipe import param, register
from evoforge.genomes.weights.generate import generate
from evoforge.genomes.weights.monitors import sample_monitors

from . import _dpo_round, _steps
from ._base import SelfTraining
from ._dpo_round import dpo_overrides

JUDGE = "{prompt}{prefix}\nWhich next step is better?\nStep 1:{a}\nStep 2:{b}\nThe better step is Step"
_CHOICE = re.compile(r"[12]")


def judge_prompt(prompt: str, prefix: str, a: str, b: str) -> str:
    return JUDGE.format(prompt=prompt, prefix=prefix, a=a, b=b)


def parse_choice(text: str) -> int | None:
    """0 for "Step 1", 1 for "Step 2", None when the judge named neither."""
    m = _CHOICE.search(text)
    return int(m.group(0)) - 1 if m else None


@register("process-self-rewarding")
@dataclass(kw_only=True)
class ProcessSelfRewarding(SelfTraining):
    summary = "the model judges its own candidate steps pairwise; step-wise DPO on best vs worst step"
    uses_labels: ClassVar[bool] = False
    from_base: ClassVar[bool] = False  # DPO: each round continues from (and is anchored to) the latest model

    beta: float = _dpo_round.beta()
    nll: float = _dpo_round.nll(0.0, help="weight of an NLL term on the preferred step (0: plain step DPO)")
    dpo_lr: float = _dpo_round.dpo_lr()
    mix_seed: bool = _dpo_round.mix_seed()
    problems: int = param(16, low=1, help="training problems per round")
    samples: int = param(3, low=2, help="candidate next steps per step (and full samples for pass@k)")
    max_steps: int = param(4, low=1, help="steps searched per problem")
    step_tokens: int = param(16, low=1, help="new tokens per step")
    judge_temperature: float = param(0.0, low=0, help="sampling temperature of the judge")

    def train_overrides(self, kind):
        return {**dpo_overrides(beta=self.beta, nll=self.nll, lr=self.lr, dpo_lr=self.dpo_lr), "epochs": 1.0}

    def next_steps(self, prompts: list[str], seed: int) -> list[list[str]]:
        settings = dict(temperature=self.temperature, top_p=self.top_p, max_new_tokens=self.step_tokens, seed=seed)
        cache = Path(self.run_dir) / "gen-cache"
        outs = generate(
            self.current, prompts, n=self.samples, stop=",", batch_size=self.gen_batch, cache=cache, **settings
        )
        return [[s.split("\n", 1)[0] for s in ss] for ss in outs]

    def prefer(self, prompts: list[str], prefixes: list[str], cands: list[list[str]], seed: int) -> list[list[int]]:
        """Pairwise wins of each candidate, judged by the current model in both orders."""
        jobs = [
            (i, a, b)
            for i, cs in enumerate(cands)
            for x, y in combinations(range(len(cs)), 2)
            for a, b in ((x, y), (y, x))
        ]
        asks = [judge_prompt(prompts[i], prefixes[i], cands[i][a], cands[i][b]) for i, a, b in jobs]
        said = self.sample(self.current, asks, 1, seed, self.judge_temperature, 3)
        wins = [[0] * len(cs) for cs in cands]
        for (i, a, b), s in zip(jobs, said):
            c = parse_choice(s[0])
            if c is not None:
                wins[i][(a, b)[c]] += 1
        return wins

    def build(self, questions, seed, rng):
        task = self.task_value
        prompts = [task.prompt(q) for q in questions]
        full = self.sample(self.current, prompts, self.samples, seed)
        mon = sample_monitors(questions, full, task)
        prefixes, active, rows = [""] * len(questions), list(range(len(questions))), []
        checked = holding = judged = judged_right = steps = 0
        for step in range(self.max_steps):
            if not active:
                break
            cands = [
                list(dict.fromkeys(ss))
                for ss in self.next_steps([prompts[i] + prefixes[i] for i in active], seed + 1 + 2 * step)
            ]
            wins = self.prefer([prompts[i] for i in active], [prefixes[i] for i in active], cands, seed + 2 + 2 * step)
            steps += sum(len(cs) for cs in cands)
            holds = iter(_steps.holds(c) for c in _steps.check([c for cs in cands for c in cs]))
            still = []
            for i, cs, ws in zip(active, cands, wins):
                ok = [next(holds) for _ in cs]
                checked, holding = checked + sum(o is not None for o in ok), holding + sum(o is True for o in ok)
                best, worst = max(range(len(cs)), key=ws.__getitem__), min(range(len(cs)), key=ws.__getitem__)
                ends = [task.answer(c) is not None or not c.strip() for c in cs]
                text = [c if e else c + "," for c, e in zip(cs, ends)]
                if ws[best] > ws[worst]:
                    rows.append({"prompt": prompts[i] + prefixes[i], "chosen": text[best], "rejected": text[worst]})
                    if None not in (ok[best], ok[worst]) and ok[best] != ok[worst]:
                        judged, judged_right = judged + 1, judged_right + bool(ok[best])
                prefixes[i] += text[best]
                if not ends[best]:
                    still.append(i)
            active = still
        search = sum(task.correct(q, p) for q, p in zip(questions, prefixes)) / max(1, len(questions))
        mon.update(
            accepted=len(rows),
            pairs=len(rows),
            step_acc=holding / checked if checked else None,
            judge_acc=judged_right / judged if judged else None,
            search_acc=search,
            gv_gap=search - mon["pass1"],
            generated=mon["generated"] + steps,
        )
        return "dpo", rows, mon
