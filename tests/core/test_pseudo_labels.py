import numpy as np
import pytest
import scipy.sparse as sp

from skdeep._core.pseudo_labels import (
    N_NEIGHBORS,
    certainty,
    knn_affinity,
    network_labels,
    propagated_labels,
    spread_labels,
)


def test_certainty_is_one_for_sure_rows_and_zero_for_uniform_ones():
    P = np.array([[1.0, 0.0, 0.0], [1 / 3, 1 / 3, 1 / 3], [0.5, 0.5, 0.0]])
    expected = [1.0, 0.0, 1 - np.log(2) / np.log(3)]
    np.testing.assert_allclose(certainty(P), expected, atol=1e-12)


def test_knn_affinity_is_symmetric_with_neighbours_only():
    rng = np.random.default_rng(0)
    codes = rng.normal(size=(30, 4))
    W = knn_affinity(codes, 3)
    assert sp.issparse(W) and (W != W.T).nnz == 0
    assert W.diagonal().sum() == 0
    # every row keeps at least its 3 nearest neighbours, with weights in (0, 1]
    assert np.all(np.diff(W.indptr) >= 3)
    assert W.data.min() > 0 and W.data.max() <= 1


def test_spreading_labels_each_connected_component_by_its_seed():
    # two cliques of 4 rows, no edge between them, one seed in each
    block = np.ones((4, 4)) - np.eye(4)
    W = sp.csr_matrix(sp.block_diag([block, block]))
    seeds = np.array([2, -1, -1, -1, -1, -1, 0, -1])
    P = spread_labels(W, seeds, n_classes=3)
    np.testing.assert_allclose(P.sum(axis=1), 1.0)
    np.testing.assert_array_equal(P.argmax(axis=1), [2] * 4 + [0] * 4)
    # no mass ever reaches the class that has no seed
    np.testing.assert_array_equal(P[:, 1], 0.0)


def test_spreading_matches_the_closed_form_fixed_point():
    # F = sum_t (a S)^t Y  ->  (I - a S)^-1 Y  for many iterations
    rng = np.random.default_rng(1)
    W = knn_affinity(rng.normal(size=(12, 3)), 4)
    seeds = np.array([0, 1, -1, -1, 1, -1, -1, 0, -1, -1, -1, -1])
    P = spread_labels(W, seeds, 2, alpha=0.5, n_iter=200)
    d = np.asarray(W.sum(axis=1)).ravel()
    S = W.toarray() / np.sqrt(np.outer(d, d))
    Y = np.zeros((12, 2))
    Y[np.flatnonzero(seeds >= 0), seeds[seeds >= 0]] = 1
    F = np.linalg.solve(np.eye(12) - 0.5 * S, Y)
    np.testing.assert_allclose(P, F / F.sum(axis=1, keepdims=True), rtol=1e-10)


def test_propagation_labels_separated_clusters_from_one_seed_each():
    rng = np.random.default_rng(2)
    centres = np.array([[0.0, 0.0], [10.0, 0.0], [0.0, 10.0]])
    truth = np.repeat([0, 1, 2], 40)
    codes = centres[truth] + rng.normal(size=(120, 2))
    seeds = np.full(120, -1)
    seeds[[0, 40, 80]] = [0, 1, 2]
    labels, sure = propagated_labels(codes, None, seeds, 3)
    np.testing.assert_array_equal(labels, truth)
    assert sure.min() > 0.5
    assert N_NEIGHBORS < 40


def test_network_labels_are_the_softmax_argmax():
    logits = np.array([[5.0, 0.0, 0.0], [0.0, 0.0, 0.0], [1e3, -1e3, 0.0]])
    labels, sure = network_labels(None, logits, None, 3)
    np.testing.assert_array_equal(labels, [0, 0, 0])
    assert sure[1] == pytest.approx(0.0, abs=1e-12)
    assert sure[2] == pytest.approx(1.0) and 0 < sure[0] < 1
