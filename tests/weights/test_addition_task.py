import numpy as np

from evoforge.tasks.weights import addition as A


def test_split_is_disjoint_and_fixed():
    A.configure(heldout=50)
    held = A.heldout()
    assert len(held) == len(set(held)) == 50
    train = A.train_problems(500, seed=3)
    assert not set(train) & set(held)
    assert train == A.train_problems(500, seed=3) and train != A.train_problems(500, seed=4)


def test_solution_checks_and_parses():
    for q in ["47+38", "99+99", "10+5", "0+0"]:
        assert A.correct(q, A.solution(q)), q
    assert A.solution("47+38") == " 7+8=15, 4+3+1=8. Answer: 85"
    assert A.answer(" blah Answer: 085") == "85" and A.answer("no answer") is None
    assert not A.correct("47+38", " Answer: 84")
    A.configure(rationale=False)
    assert A.solution("47+38") == " 85" and A.correct("47+38", " 85")


def test_digits_hints_and_easier_variants():
    A.configure(digits=3, heldout=10)
    assert all(len(x) == 3 for q in A.heldout() for x in q.split("+"))
    assert "(answer 85)" in A.prompt("47+38", hint="85")
    easier = A.easier("47+38", np.random.default_rng(0), 4)
    assert len(easier) == 4 and all(sum(map(len, e.split("+"))) < 4 for e in easier)
