import numpy as np
import pytest

from evoforge.genomes.prompts import OPERATORS, InstanceFront, Mutator, clean_prompt, make_unit
from evoforge.genomes.prompts.task import extract
from evoforge.tasks.prompts import sentiment, sums, topic


def test_clean_prompt_repairs_and_rejects():
    assert clean_prompt("Sure! Here is the new instruction: Answer with one word.") == "Answer with one word."
    assert clean_prompt('Instruction: "Say only the number."\n\nI hope this helps!') == "Say only the number."
    assert clean_prompt("1. Reply with the label only, please.") == "Reply with the label only, please."
    assert clean_prompt("!!! ### 123") is None
    assert clean_prompt("") is None
    assert clean_prompt("the the the the the the the the the the the the") is None
    assert clean_prompt("Answer with one word.", parent="answer with one word.") is None
    import random

    r = random.Random(0)
    long = " ".join("".join(r.choice("abcdefghij") for _ in range(6)) + ("." if i % 7 == 6 else "") for i in range(120))
    assert len(clean_prompt(long)) <= 400


def test_extract_answers():
    assert extract("5 + 1 = 6.", "number") == "6"
    assert extract("The answer is 12, not 13", "number") == "12"
    assert extract("I think 3 and 4 make 7", "number") == "7"
    assert extract("The review is positive.", "label", ("positive", "negative")) == "positive"
    assert extract("Answer: negative", "label", ("positive", "negative")) == "negative"
    assert extract("no idea", "label", ("positive", "negative")) is None
    assert extract("Music, I think.", "label", topic.TASK.labels) == "music"


def test_topic_labels_are_balanced_and_learnable_from_words():
    from collections import Counter

    test = topic.TASK.split("test")
    counts = Counter(y for _, y in test)
    assert set(counts) == set(topic.TASK.labels) and min(counts.values()) >= 0.15 * len(test)
    # every sentence names exactly one topic's word, so a perfect prompt exists
    for x, y in test:
        hits = {lab for lab, words in topic._WORDS.items() if any(w in x.lower() for w in words)}
        assert hits == {y}


def test_splits_are_disjoint_and_large():
    for mod in (sentiment, sums, topic):
        train, test = mod.TASK.split("train"), mod.TASK.split("test")
        assert len(test) >= 200 and len(train) >= 100
        assert not {x for x, _ in train} & {x for x, _ in test}


@pytest.mark.parametrize("op", OPERATORS)
def test_every_operator_makes_a_valid_child(op, scripted):
    train = sentiment.TASK.split("train")
    mut = Mutator(scripted, "label reviews", train)
    parent = make_unit("Is it positive or negative?", [list(train[0])])
    population = [(parent, 0.3), (make_unit("Say positive or negative only.", []), 0.6)]
    rng = np.random.default_rng(0)
    child, info = mut.apply(
        op,
        parent,
        population,
        rng,
        lineage=["a b c d", "Say the label only."],
        feedback="2 of 4 wrong.\nInput: x\nExpected answer: positive",
        working=("x", "positive"),
    )
    assert set(child) == {"instruction", "demos", "mutation_prompt"}
    assert clean_prompt(child["instruction"]) is not None or child["instruction"] == parent["instruction"]
    assert child != parent or op == "crossover"
    assert "!!!" not in child["instruction"] and "!!!" not in child["mutation_prompt"]
    assert info["op"] == op


def test_garbage_falls_back_to_parent_text():
    from prompt_helpers import ScriptedModel

    model = ScriptedModel(garbage_every=1)  # every operator answer is garbage
    mut = Mutator(model, "add numbers", sums.TASK.split("train"))
    parent = make_unit("Add the numbers.", [])
    child, info = mut.apply("first_order", parent, [(parent, 0.1)], np.random.default_rng(1))
    assert info.get("fallback") == "context_shuffle"
    assert child["instruction"] == "Add the numbers." and len(child["demos"]) == 1
    assert mut.rejected == 2


def test_seeds_come_from_rng(scripted):
    mut = Mutator(scripted, "t", [])
    a = mut.ask_model("Task: x", np.random.default_rng(5), "t")
    b = mut.ask_model("Task: x", np.random.default_rng(5), "t")
    assert a == b


def test_instance_front_samples_by_wins():
    front = InstanceFront()
    front.add(1, [0, 1, 2], [1, 0, 0])
    front.add(2, [0, 1, 2], [1, 1, 0])
    front.add(3, [3], [1])
    assert front.counts() == {1: 1, 2: 2, 3: 1}
    rng = np.random.default_rng(0)
    picks = {front.sample(rng) for _ in range(50)}
    assert picks == {1, 2, 3}
    assert front.sample(rng, alive={3}) == 3


def test_evaluator_reports_metric_calls_and_feedback(scripted_task_model):
    r = sentiment.TASK.evaluate({"instruction": "Is it good?", "demos": [], "items": [0, 1, 2]})
    assert r["metrics"]["metric_calls"] == 3 and r["score"] == 0.0
    assert "Expected answer" in r["feedback"]
    r = sentiment.TASK.evaluate(
        {"instruction": "Reply with only the label.", "demos": [], "split": "test", "items": list(range(10))}
    )
    assert r["score"] >= 0.5 and r["metrics"]["split"] == "test"


def test_demonstrations_cover_labels_before_repeating_one():
    from evoforge.genomes.prompts.operators import draw_demo

    train = [(f"a{i}", "pos") for i in range(90)] + [(f"b{i}", "neg") for i in range(10)]
    rng = np.random.default_rng(0)
    picks = [draw_demo(train, [["x", "pos"]], rng)[1] for _ in range(50)]
    assert picks == ["neg"] * 50  # a random draw would give ~5 of 50
    free_form = [(f"q{i}", f"answer {i}") for i in range(100)]
    assert draw_demo(free_form, [["q1", "answer 1"]], np.random.default_rng(1))[1] != "answer 1"
