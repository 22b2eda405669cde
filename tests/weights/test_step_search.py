"""Step-level MCTS (weights/step_search.py) and the step checks, with a scripted sampler (no model)."""

import pytest

from evoforge.genomes.weights.step_check import check_step, split_steps, value
from evoforge.genomes.weights.step_search import best_trajectories, search, search_monitors, select, step_pairs


def test_steps_split_and_join_back():
    text = " 2*3=6, 7+6=13, 13-4=9. Answer: 9"
    assert split_steps(text) == [" 2*3=6,", " 7+6=13,", " 13-4=9.", " Answer: 9"]
    program = " x=4, y=4*3=12, y>10 so y=12-5=7. Answer: 7"
    assert "".join(split_steps(program)) == program and len(split_steps(program)) == 4


@pytest.mark.parametrize(
    ("step", "ok"),
    [
        (" 7+6=13,", True),
        (" y=4*3=12,", True),
        (" y>10 so y=12-5=7.", True),
        (" 5+8+1=14,", True),
        (" 7+6=14,", False),
        (" y=4*3=13,", False),
        (" x=4,", None),
        (" Answer: 9", None),
        (" 9**9=387420489", None),  # powers are not part of the checked grammar
        (" 99999999*99999999=1", None),  # numbers beyond 10**12 are not computed
        (" __import__('os')=1", None),  # text is parsed, never run
    ],
)
def test_check_step_computes_the_arithmetic(step, ok):
    assert check_step(step) is ok


def test_value_refuses_anything_but_integer_arithmetic():
    assert value("(2+3)*4") == 20 and value("-3+1") == -2
    assert value("2/1") is None and value("x+1") is None and value("") is None


Q = "Ann has 7 apples. Ann buys 2 packs of 3. How many apples does Ann have now?"
SCRIPT = {  # the partial solution (after the prompt) -> the continuations the "model" writes
    "": [" 2*3=6, 7+6=13. Answer: 13", " 2*3=7, 7+7=14. Answer: 14", " 2*3=7, 7+6=13. Answer: 13", " 7+2=9. Answer: 9"],
    " 2*3=6,": [" 7+6=13. Answer: 13", " 7-6=1. Answer: 1", " 7+6=13. Answer: 13", " 7+6=12. Answer: 12"],
    " 7+2=9.": [" Answer: 9"] * 4,
}


def scripted(asked):
    def sample(prompts, n, seed):
        out = []
        for p in prompts:
            partial = p.split("\nA:", 1)[1]
            asked.append(partial)
            out.append((SCRIPT.get(partial) or [" Answer: 0"] * n)[:n])
        return out

    return sample


def run(simulations, value=None, prior_weight=1.0):
    asked = []
    trees = search(
        [Q],
        prompt=lambda q: f"Q: {q}\nA:",
        correct=lambda q, t: t.rstrip().endswith("Answer: 13"),
        sample=scripted(asked),
        simulations=simulations,
        expand=4,
        seed=0,
        value=value,
        prior_weight=prior_weight,
    )
    return trees[0], asked


def test_search_verifies_steps_and_backs_up_rewards():
    tree, asked = run(1)
    assert asked == [""]
    first = {c.text: c for c in tree.root.children}
    assert set(first) == {" 2*3=6,", " 2*3=7,", " 7+2=9."}
    assert first[" 2*3=7,"].bad and not first[" 2*3=7,"].children  # a wrong step ends its path
    assert first[" 2*3=7,"].visits == 2 and first[" 2*3=7,"].q == 0.0
    assert first[" 2*3=6,"].q == 1.0 and first[" 7+2=9."].q == 0.0
    assert tree.root.visits == 4 and tree.root.q == 0.25
    assert tree.right_but_unchecked == 1  # " 2*3=7, 7+6=13. Answer: 13": the right answer after a wrong step
    assert [r for _, r in tree.rollouts] == [1.0, 0.0, 0.0, 0.0]
    mon = search_monitors([tree])
    assert mon["verified"] == 1.0 and mon["bad_steps"] == pytest.approx(2 / 7)


def test_search_descends_into_the_best_open_step():
    tree, asked = run(2)
    assert asked == ["", " 2*3=6,"]  # the right first step is expanded next; the wrong one never
    node = next(c for c in tree.root.children if c.text == " 2*3=6,")
    assert node.visits == 5 and node.q == pytest.approx(3 / 5)
    assert select(tree.root).prefix() == " 2*3=6, 7+6=13."  # the next simulation would go deeper still
    assert best_trajectories(tree, 2) == [" 2*3=6, 7+6=13. Answer: 13"]  # distinct, verified, right
    pairs = step_pairs(tree)
    root_pairs = {(p["chosen"], p["rejected"]) for p in pairs if p["prompt"].endswith("\nA:")}
    assert root_pairs == {(" 2*3=6,", " 2*3=7,"), (" 2*3=6,", " 7+2=9.")}
    under = {(p["chosen"], p["rejected"]) for p in pairs if p["prompt"].endswith(" 2*3=6,")}
    assert (" 7+6=13.", " 7-6=1.") in under and (" 7+6=13.", " 7+6=12.") in under
    assert all(p["chosen"] != p["rejected"] and p["question"] == Q for p in pairs)


def test_a_value_model_steers_the_search():
    # a value that prefers the step the rollouts say is wrong: its prior (two pseudo-visits) outweighs
    # one rollout's reward
    def value(contexts, steps):
        assert all(c.endswith(("\nA:", " 2*3=6,")) for c in contexts)  # the prompt and the partial solution
        return [1.0 if s == " 7+2=9." else 0.0 for s in steps]

    tree, asked = run(2, value=value, prior_weight=2.0)
    priors = {c.text: c.prior for c in tree.root.children}
    assert priors[" 7+2=9."] == 1.0 and priors[" 2*3=6,"] == 0.0
    assert priors[" 2*3=7,"] is None  # a wrong step is never a candidate, so it is not scored
    assert asked == ["", " 7+2=9."]
    assert run(2, value=value, prior_weight=0.5)[1] == ["", " 2*3=6,"]  # a weaker prior: the rollouts win


def test_a_round_is_guided_only_by_an_earlier_rounds_scorer(tmp_path):
    from evoforge.genomes.weights import models
    from evoforge.recipes.self_training._step_tree import StepScorers

    for i in (1, 3):
        (tmp_path / f"rm-{i:02d}").mkdir()
        (tmp_path / f"rm-{i:02d}" / "config.json").write_text("{}")
        models.mark_done(tmp_path / f"rm-{i:02d}", {"kind": "rm"})

    def latest(round_):
        return StepScorers(tmp_path, round_, None, 0.25).latest()

    assert latest(1) is None
    assert latest(3) == str(tmp_path / "rm-01")  # round 3's own scorer (a resumed round) is not used again
    assert latest(5) == str(tmp_path / "rm-03")
