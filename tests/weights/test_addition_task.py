import numpy as np

from evoforge.tasks.weights.addition import Addition


def test_split_is_disjoint_and_fixed():
    A = Addition(heldout=50)
    held = A.heldout_problems()
    assert len(held) == len(set(held)) == 50
    train = A.train_problems(500, seed=3)
    assert not set(train) & set(held)
    assert train == A.train_problems(500, seed=3) and train != A.train_problems(500, seed=4)


def test_solution_checks_and_parses():
    A = Addition()
    for q in ["47+38", "99+99", "10+5", "0+0"]:
        assert A.correct(q, A.solution(q)), q
    assert A.solution("47+38") == " 7+8=15, 4+3+1=8. Answer: 85"
    assert A.answer(" blah Answer: 085") == "85" and A.answer("no answer") is None
    assert not A.correct("47+38", " Answer: 84")
    A = Addition(rationale=False)
    assert A.solution("47+38") == " 85" and A.correct("47+38", " 85")


def test_digits_hints_and_easier_variants():
    A = Addition(digits=3, heldout=10)
    assert all(len(x) == 3 for q in A.heldout_problems() for x in q.split("+"))
    assert "(answer 85)" in A.prompt("47+38", hint="85")
    easier = A.easier("47+38", np.random.default_rng(0), 4)
    assert len(easier) == 4 and all(sum(map(len, e.split("+"))) < 4 for e in easier)
