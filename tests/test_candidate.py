import math

import numpy as np
import pytest

from evoforge.core.candidate import Candidate, EvaluationError, apply_result, parse_result


def test_parse_accepts_full_result():
    out = parse_result(
        {
            "score": np.float64(1.5),
            "metrics": {"a": np.int64(2)},
            "descriptors": np.array([0.1, 0.2]),
            "feedback": "fine",
        }
    )
    assert out == {"score": 1.5, "metrics": {"a": 2}, "descriptors": [0.1, 0.2], "feedback": "fine"}


@pytest.mark.parametrize(
    "bad, message",
    [
        ({"score": float("nan")}, "nan"),
        ({"score": "high"}, "must be a number"),
        ({"metrics": {}}, "no 'score'"),
        ([1, 2], "must return a dict"),
        ({"score": 1, "descriptors": "ab"}, "descriptors"),
        ({"score": math.inf}, "inf"),
    ],
)
def test_parse_rejects_bad_results(bad, message):
    with pytest.raises(EvaluationError, match=message):
        parse_result(bad)


def test_apply_result_marks_failure_with_reason():
    cand = apply_result(Candidate(genome=[1]), {"score": None}, 0.1)
    assert cand.status == "failed" and "number" in cand.reason and cand.fitness() == -math.inf
    cand = apply_result(Candidate(genome=[1]), 3, 0.1)
    assert cand.ok and cand.score == 3.0
