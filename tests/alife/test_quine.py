"""The neural-network quine on known inputs: the weight-index embedding (row i of the fixed projection,
zeros where data goes), the weight count, the gradient against finite differences, one regeneration
step (the network's predictions become its weights), and a short training that lowers the
self-replication error; the task scores a record and refuses a malformed one."""

import numpy as np
import pytest

from evoforge.core.task import load_task
from evoforge.genomes.quines import net
from evoforge.genomes.quines.task import check_record, make_record
from evoforge.genomes.quines.train import Adam, losses_and_gradient

SHAPE = net.Shape(embed=3, hidden=4, aux=2, classes=2)


def test_the_weight_index_embedding_and_the_weight_count():
    assert SHAPE.inputs == 6 and SHAPE.weights == 4 * 6 + 3 * 4
    proj = net.projection(SHAPE, seed=7)
    assert proj.shape == (36, 3) and np.array_equal(proj, net.projection(SHAPE, seed=7))
    queries = net.weight_queries(SHAPE, proj)
    assert np.array_equal(queries[5, :3], proj[5]) and not queries[:, 3:].any()
    data = net.data_queries(SHAPE, np.array([[0.5, -1.0]]))
    assert data.tolist() == [[0.0, 0.0, 0.0, 0.5, -1.0, 1.0]]
    w1, w2 = SHAPE.split(np.arange(36.0))
    assert w1.shape == (4, 6) and w2.shape == (3, 4) and w2[0, 0] == 24.0


def test_one_regeneration_step_replaces_the_weights_by_their_predictions():
    theta = net.initial(SHAPE, np.random.default_rng(0))
    queries = net.weight_queries(SHAPE, net.projection(SHAPE, seed=1))
    w1, w2 = SHAPE.split(theta)
    by_hand = np.tanh(np.tanh(queries @ w1.T) @ w2[0])  # the network's answer for each weight
    copies = net.regenerate(SHAPE, theta, queries, 2)
    assert np.allclose(copies[1], by_hand) and np.allclose(copies[2], net.replicate(SHAPE, copies[1], queries))
    assert net.replication_error(SHAPE, theta, queries) == pytest.approx(
        np.linalg.norm(by_hand - theta) / np.linalg.norm(theta)
    )


def test_the_regeneration_jacobian_matches_finite_differences():
    theta = net.initial(SHAPE, np.random.default_rng(8))
    queries = net.weight_queries(SHAPE, net.projection(SHAPE, seed=9))
    eye = np.eye(len(theta)) * 1e-6
    numeric = np.stack([(net.replicate(SHAPE, theta + e, queries) - net.replicate(SHAPE, theta - e, queries)) / 2e-6
                        for e in eye], axis=1)  # fmt: skip
    assert np.allclose(net.jacobian(SHAPE, theta, queries), numeric, atol=1e-8)
    assert net.spectral_radius(SHAPE, theta, queries) == pytest.approx(np.abs(np.linalg.eigvals(numeric)).max())


def test_the_gradient_matches_finite_differences():
    rng = np.random.default_rng(2)
    theta = net.initial(SHAPE, rng)
    queries = net.weight_queries(SHAPE, net.projection(SHAPE, seed=3))
    data = (net.data_queries(SHAPE, rng.standard_normal((10, 2))), rng.integers(0, 2, 10))

    def loss(t):
        sr, ce, _ = losses_and_gradient(SHAPE, t, queries, data, replicate=0.7, aux=1.3)
        return 0.7 * sr + 1.3 * ce

    _, _, grad = losses_and_gradient(SHAPE, theta, queries, data, replicate=0.7, aux=1.3)
    eye = np.eye(len(theta)) * 1e-6
    numeric = np.array([(loss(theta + e) - loss(theta - e)) / 2e-6 for e in eye])
    assert np.allclose(grad, numeric, rtol=1e-4, atol=1e-7)


def test_training_lowers_the_self_replication_error():
    shape = net.Shape(embed=8, hidden=8, aux=2, classes=2)
    theta = net.initial(shape, np.random.default_rng(4))
    queries = net.weight_queries(shape, net.projection(shape, seed=5))
    data = (net.data_queries(shape, np.zeros((4, 2))), np.zeros(4, dtype=np.int64))
    before = net.replication_error(shape, theta, queries)
    adam = Adam(len(theta), 0.01)
    for _ in range(300):
        theta = adam.step(theta, losses_and_gradient(shape, theta, queries, data, replicate=1.0, aux=0.0)[2])
    assert before > 0.9 and net.replication_error(shape, theta, queries) < 0.25 * before


def test_the_task_scores_a_record_and_refuses_a_malformed_one():
    task = load_task("quine-xor").value
    result = task.evaluate(task.initial())
    metrics = result["metrics"]
    assert result["score"] == pytest.approx(-np.log10(metrics["replication_error"]), abs=1e-5)
    assert len(metrics["drift"]) == 8 and metrics["lifetime"] == 0 and 0.3 < metrics["accuracy"] < 0.7
    points, labels = task.data("held-out")
    assert points.shape == (512, 2) and set(labels.tolist()) == {0, 1}
    record = make_record(SHAPE, np.zeros(SHAPE.weights), step=0, seed=0)
    assert task.evaluate(record)["score"] == -12.0  # all-zero weights: the trivial quine
    with pytest.raises(ValueError, match="weights must be a list of 36 numbers"):
        check_record({**record, "weights": [0.0] * 35})
    with pytest.raises(ValueError, match="3 inputs and 2 classes, the task's 2 and 2"):
        task.evaluate(make_record(net.Shape(3, 4, 3, 2), np.ones(net.Shape(3, 4, 3, 2).weights), step=0, seed=0))
