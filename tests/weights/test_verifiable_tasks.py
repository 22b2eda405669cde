"""The word-problem and program-output tasks: seeded disjoint splits, gold answers, solutions, variants."""

import numpy as np
import pytest

from evoforge.core.task import TaskError, load_task
from evoforge.tasks.weights import program_output as P
from evoforge.tasks.weights import word_problems as W
from evoforge.tasks.weights.program_output import ProgramOutput
from evoforge.tasks.weights.word_problems import WordProblems


@pytest.mark.parametrize("cls", [WordProblems, ProgramOutput], ids=["word-problems", "program-output"])
def test_split_is_disjoint_fixed_and_seeded(cls):
    T = cls(heldout=40)
    held = T.heldout_problems()
    assert len(held) == len(set(held)) == 40
    train = T.train_problems(200, seed=3)
    assert len(train) == 200 and not set(train) & set(held)
    assert train == T.train_problems(200, seed=3) and train != T.train_problems(200, seed=4)


@pytest.mark.parametrize("T", [W.TASK, P.TASK], ids=["word-problems", "program-output"])
def test_gold_solutions_are_right_and_the_checker_rejects_others(T):
    qs = T.heldout_problems()[:30] + T.train_problems(30, seed=1)
    for q in qs:
        sol = T.solution(q)
        assert sol.rstrip().endswith(f"Answer: {T.gold(q)}") and T.correct(q, sol), q
        assert not T.correct(q, f" Answer: {int(T.gold(q)) + 1}")
        assert not T.correct(q, " I do not know")
        assert "(answer 5)" in T.prompt(q, hint="5") and "(answer" not in T.prompt(q)
    assert T.answer("x=1. Answer: 007") == "7" and T.answer("Answer: -3") == "-3" and T.answer("7") is None


def test_word_problem_gold_is_read_from_the_text():
    q = "Ann has 7 apples. Ann buys 2 packs of 3. Ann gives away 4. How many apples does Ann have now?"
    assert W.gold(q) == W.TASK.gold(q) == "9"
    assert W.TASK.solution(q) == " 2*3=6, 7+6=13, 13-4=9. Answer: 9"
    assert W.gold("Ann has 7 apples. Ann eats 4. How many apples does Ann have now?") == "?"
    assert W.gold("Ann has 7 apples. Ben buys 4 more. How many apples does Ann have now?") == "?"
    assert not W.TASK.correct("anything else", " Answer: 3")
    T = WordProblems(steps=3, heldout=20)
    assert all(len(W.parse(q)[1]) == 3 and int(W.gold(q)) >= 0 for q in T.heldout_problems())
    easier = T.easier(T.heldout_problems()[0], np.random.default_rng(0), 3)
    assert all(len(W.parse(e)[1]) == 2 for e in easier)


def test_program_gold_comes_from_running_it_in_the_sandbox():
    prog = "x = 4\ny = x * 3\nif y > 10: y = y - 5\nprint(y)"
    assert P.gold(prog) == P.TASK.gold(prog) == "7"
    assert P.TASK.solution(prog) == " x=4, y=4*3=12, y>10 so y=12-5=7. Answer: 7"
    assert P.run([prog]) == ["7"]
    assert all(P.gold(q) == str(P.trace(q)[1]) for q in P.TASK.heldout_problems()[:50])  # the tracer agrees with Python
    # untrusted text: it runs in the sandbox, and a program that fails or prints no number has no answer
    assert P.gold("import os\nprint(os.getcwd())") == "?"
    assert P.gold("print('hello')") == "?"
    assert P.trace("import os\nprint(1)") is None
    with pytest.raises(ValueError):
        P.TASK.solution("print(1)")
    easier = P.TASK.easier(prog, np.random.default_rng(0), 4)
    assert all(e.count("\n") == prog.count("\n") - 1 and P.trace(e) for e in easier)


def test_options_are_checked():
    with pytest.raises(TaskError, match="steps"):
        load_task("word-problems", {"steps": 0})
    with pytest.raises(TaskError, match="lines"):
        load_task("program-output", {"lines": 0})
    t = load_task("program-output", {"lines": 5, "heldout": 5})
    assert all(q.count("\n") == 5 for q in t.value.heldout_problems())
