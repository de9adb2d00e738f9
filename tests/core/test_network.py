import numpy as np
import pytest
import scipy.sparse as sp

from skdeep._core.activations import ACTIVATIONS
from skdeep._core.network import (
    Dense,
    adversarial_loss_and_gradient,
    affine,
    affine_activation,
    constant_output_loss,
    dropout_masks,
    forward,
    loss_and_gradient,
    predict_output,
    random_directions,
    unit_rows,
    virtual_adversarial_loss_and_gradient,
    weight_decay,
)
from tests._helpers import assert_gradients_match, numerical_gradient


def _shared_weight_net(head, rng):
    """3 layers; the last reuses the first weight matrix transposed."""
    params = [
        rng.normal(size=(5, 4)),
        rng.normal(size=4),
        rng.normal(size=(4, 4)) * 0.5,
        rng.normal(size=4),
        rng.normal(size=5),
    ]
    layers = [
        Dense(0, 1, "tanh"),
        Dense(2, 3, "sigmoid"),
        Dense(0, 4, head, transpose=True),
    ]
    return params, layers


@pytest.mark.parametrize("head", ["sigmoid", "identity", "softmax"])
@pytest.mark.parametrize("alpha", [0.0, 0.3])
def test_gradient_with_shared_weights_and_penalty(head, alpha):
    rng = np.random.default_rng(0)
    params, layers = _shared_weight_net(head, rng)
    X = rng.uniform(size=(6, 5))
    Y = np.eye(5)[rng.integers(0, 5, 6)] if head == "softmax" else X

    def penalty(A):  # sum of squares of the second hidden layer
        return float(np.sum(A**2)), 2 * A

    def loss():
        return loss_and_gradient(
            params, layers, X, Y, alpha=alpha, penalties={2: penalty}
        )[0]

    _, grads = loss_and_gradient(
        params, layers, X, Y, alpha=alpha, penalties={2: penalty}
    )
    assert_gradients_match(grads, numerical_gradient(loss, params))


def test_forward_accepts_csr_and_matches_dense():
    rng = np.random.default_rng(1)
    params, layers = _shared_weight_net("identity", rng)
    X = rng.uniform(size=(6, 5)) * (rng.uniform(size=(6, 5)) > 0.5)
    dense = forward(params, layers, X)[-1]
    sparse = forward(params, layers, sp.csr_matrix(X))[-1]
    np.testing.assert_allclose(dense, sparse)


def test_predict_output_applies_head():
    rng = np.random.default_rng(2)
    params, layers = _shared_weight_net("softmax", rng)
    P = predict_output(params, layers, rng.uniform(size=(3, 5)))
    np.testing.assert_allclose(P.sum(axis=1), 1)


def test_gradient_with_dropout_masks_matches_finite_differences():
    rng = np.random.default_rng(3)
    params, layers = _shared_weight_net("softmax", rng)
    X = rng.uniform(size=(6, 5))
    Y = np.eye(5)[rng.integers(0, 5, 6)]
    # 0: the input (input dropout), 1 and 2: hidden activations
    masks = dropout_masks({0: (6, 5), 1: (6, 4), 2: (6, 4)}, 0.5, rng, np.float64)
    assert set(np.unique(masks[1])) <= {0.0, 2.0}

    def loss():
        return loss_and_gradient(params, layers, X, Y, masks=masks)[0]

    _, grads = loss_and_gradient(params, layers, X, Y, masks=masks)
    assert_gradients_match(grads, numerical_gradient(loss, params))
    unmasked, _ = loss_and_gradient(params, layers, X, Y)
    assert loss() != pytest.approx(unmasked)


def _net_and_data(head, seed, n_rows):
    """The shared-weight net with inputs and targets that fit its head."""
    rng = np.random.default_rng(seed)
    params, layers = _shared_weight_net(head, rng)
    X = rng.uniform(size=(n_rows, 5))
    Y = np.eye(5)[rng.integers(0, 5, n_rows)] if head == "softmax" else X
    return params, layers, X, Y, rng


@pytest.mark.parametrize("head", ["sigmoid", "identity", "softmax"])
def test_weighted_gradient_matches_finite_differences(head):
    params, layers, X, Y, rng = _net_and_data(head, 3, 6)
    weights = rng.uniform(0.1, 3.0, size=6)

    def loss():
        return loss_and_gradient(params, layers, X, Y, sample_weight=weights)[0]

    _, grads = loss_and_gradient(params, layers, X, Y, sample_weight=weights)
    assert_gradients_match(grads, numerical_gradient(loss, params))


@pytest.mark.parametrize("head", ["sigmoid", "identity", "softmax"])
def test_integer_weights_equal_repeated_rows_and_zero_weights_drop_rows(head):
    params, layers, X, Y, _ = _net_and_data(head, 4, 5)
    weights = np.array([2, 0, 1, 3, 1])
    repeated = np.repeat(np.arange(5), weights)
    weighted = loss_and_gradient(params, layers, X, Y, sample_weight=weights)
    expanded = loss_and_gradient(params, layers, X[repeated], Y[repeated])
    assert weighted[0] == pytest.approx(expanded[0])
    for g_w, g_e in zip(weighted[1], expanded[1], strict=True):
        np.testing.assert_allclose(g_w, g_e, atol=1e-12)


def test_all_zero_weights_give_no_data_gradient():
    rng = np.random.default_rng(5)
    params, layers = _shared_weight_net("softmax", rng)
    X = rng.uniform(size=(4, 5))
    Y = np.eye(5)[[0, 1, 2, 3]]
    loss, grads = loss_and_gradient(params, layers, X, Y, sample_weight=np.zeros(4))
    assert loss == 0.0
    assert all(not np.any(g) for g in grads)


@pytest.mark.parametrize("bit_generator", [np.random.PCG64, np.random.MT19937])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dropout_masks_drop_the_rate_and_keep_the_mean(bit_generator, dtype):
    """16-bit draws (PCG64) or numpy's uniforms (other generators): a
    fraction ``rate`` of zeros, the rest 1 / (1 - rate), so the mean is 1."""
    rng = np.random.Generator(bit_generator(0))
    mask = dropout_masks({0: (400, 500)}, 0.2, rng, dtype)[0]
    assert mask.dtype == dtype
    assert set(np.unique(mask)) == {dtype(0), dtype(1 / 0.8)}
    assert np.mean(mask == 0) == pytest.approx(0.2, abs=0.005)
    assert np.mean(mask) == pytest.approx(1.0, abs=0.01)


@pytest.mark.parametrize("order", ["C", "F"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_weight_decay_adds_alpha_w_in_place_and_returns_the_penalty(order, dtype):
    """C- and F-ordered weights, both dtypes: the formula."""
    rng = np.random.default_rng(0)
    W = np.asarray(rng.normal(size=(7, 5)), dtype=dtype, order=order)
    grad = np.asarray(rng.normal(size=(7, 5)), dtype=dtype, order=order)
    expected = grad + 0.3 * W
    penalty = weight_decay(W, grad, 0.3)
    np.testing.assert_allclose(grad, expected, rtol=1e-6)
    assert penalty == pytest.approx(0.15 * np.sum(W.astype(np.float64) ** 2), rel=1e-5)


@pytest.mark.parametrize("head", ["sigmoid", "identity", "softmax"])
def test_input_gradient_matches_finite_differences(head):
    params, layers, X, Y, rng = _net_and_data(head, 5, 6)
    Y = Y.copy()  # the targets stay put when X moves
    masks = dropout_masks({0: (6, 5), 1: (6, 4)}, 0.3, rng, np.float64)
    weights = rng.uniform(0.1, 3.0, size=6)
    kwargs = {"masks": masks, "sample_weight": weights, "alpha": 0.2}
    loss, grads, grad_X = loss_and_gradient(
        params, layers, X, Y, input_gradient=True, **kwargs
    )
    plain_loss, plain_grads = loss_and_gradient(params, layers, X, Y, **kwargs)
    assert loss == plain_loss
    for g, plain in zip(grads, plain_grads, strict=True):
        np.testing.assert_array_equal(g, plain)

    def loss_of_X():
        return loss_and_gradient(params, layers, X, Y, **kwargs)[0]

    assert_gradients_match([grad_X], numerical_gradient(loss_of_X, [X]))
    assert np.all(grad_X[masks[0] == 0] == 0)  # a dropped input has no say


def test_adversarial_step_averages_the_rows_and_their_worst_sign_moves():
    params, layers, X, Y, rng = _net_and_data("softmax", 6, 8)
    weights = rng.uniform(0.5, 2.0, size=8)
    drawn = [dropout_masks({0: (8, 5), 1: (8, 4)}, 0.25, rng, np.float64) for _ in "ab"]
    pending = iter(drawn)  # each pass draws the next masks
    loss, grads = adversarial_loss_and_gradient(
        params,
        layers,
        X,
        Y,
        0.05,
        lambda A: next(pending),
        alpha=0.1,
        sample_weight=weights,
    )

    # the reference: the input gradient by finite differences, then the
    # two passes by hand
    def loss_of_X():
        return loss_and_gradient(
            params, layers, X, Y, masks=drawn[0], sample_weight=weights
        )[0]

    (numeric,) = numerical_gradient(loss_of_X, [X])
    moved = X + 0.05 * np.sign(numeric)
    first = loss_and_gradient(
        params, layers, X, Y, alpha=0.1, masks=drawn[0], sample_weight=weights
    )
    second = loss_and_gradient(
        params, layers, moved, Y, alpha=0.1, masks=drawn[1], sample_weight=weights
    )
    assert loss == pytest.approx((first[0] + second[0]) / 2)
    assert second[0] > first[0]  # the move raises the loss
    for g, a, b in zip(grads, first[1], second[1], strict=True):
        np.testing.assert_allclose(g, (a + b) / 2, rtol=1e-10, atol=1e-12)


def _divergence(head, P, Z):
    """Mean over rows of KL(P || output(Z)) written out by head (half the
    squared distance for the linear head): the reference of the VAT loss."""
    if head == "softmax":
        Q = np.exp(Z - Z.max(axis=1, keepdims=True))
        Q /= Q.sum(axis=1, keepdims=True)
        return np.mean(np.sum(P * np.log(P / Q), axis=1))
    if head == "sigmoid":
        Q = 1 / (1 + np.exp(-Z))
        kl = P * np.log(P / Q) + (1 - P) * np.log((1 - P) / (1 - Q))
        return np.mean(np.sum(kl, axis=1))
    return np.mean(np.sum((Z - P) ** 2, axis=1)) / 2


@pytest.mark.parametrize("head", ["sigmoid", "identity", "softmax"])
def test_virtual_adversarial_term_matches_a_reference_by_finite_differences(head):
    """The move: one power iteration from the random direction d, its input
    gradient by finite differences of the KL written out; the loss: that KL
    at the move; the gradients: its finite differences in the parameters
    with p(x) and the move held fixed."""
    params, layers, X, _, _ = _net_and_data(head, 5, 4)
    epsilon, xi = 0.3, 0.1
    loss, grads = virtual_adversarial_loss_and_gradient(
        params, layers, X, epsilon, np.random.default_rng(7), xi=xi
    )

    P = predict_output(params, layers, X)
    d = unit_rows(random_directions(np.random.default_rng(7), X))
    np.testing.assert_allclose(np.linalg.norm(d, axis=1), 1.0)
    R = xi * d

    def kl_at_move():
        return _divergence(head, P, forward(params, layers, X + R)[-1])

    (g,) = numerical_gradient(kl_at_move, [R])
    move = epsilon * g / np.linalg.norm(g, axis=1, keepdims=True)

    def kl_of_params():
        return _divergence(head, P, forward(params, layers, X + move)[-1])

    assert loss == pytest.approx(kl_of_params(), rel=1e-6)
    assert loss > _divergence(head, P, forward(params, layers, X + epsilon * d)[-1])
    assert_gradients_match(grads, numerical_gradient(kl_of_params, params))


def test_random_directions_do_not_depend_on_the_dtype():
    X = np.zeros((3, 7))
    wide = random_directions(np.random.default_rng(0), X)
    narrow = random_directions(np.random.default_rng(0), X.astype(np.float32))
    assert narrow.dtype == np.float32
    np.testing.assert_array_equal(narrow, wide.astype(np.float32))
    assert len(np.unique(np.sign(wide))) == 2


def test_constant_output_loss_is_the_loss_of_a_network_ignoring_its_input():
    """Written out: log K for K classes, n log 2 for n labels, half the mean
    square of the targets; with weights, the weighted mean of the rows."""
    rng = np.random.default_rng(0)
    onehot = np.eye(4)[rng.integers(0, 4, 30)]
    labels = rng.integers(0, 2, (30, 3)).astype(float)
    targets = rng.standard_normal((30, 2))
    assert constant_output_loss("softmax", onehot) == pytest.approx(np.log(4))
    assert constant_output_loss("sigmoid", labels) == pytest.approx(3 * np.log(2))
    half_squares = 0.5 * (targets**2).sum(axis=1)
    assert constant_output_loss("identity", targets) == pytest.approx(
        half_squares.mean()
    )
    w = rng.uniform(0, 2, 30)
    assert constant_output_loss("identity", targets, w) == pytest.approx(
        (w * half_squares).sum() / w.sum()
    )


@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("sparse", [False, True])
def test_affine_activation_is_the_activation_of_affine_bit_for_bit(
    activation, dtype, sparse
):
    """The sigmoid's fused negation changes no bit, in both tails too."""
    rng = np.random.default_rng(0)
    A = rng.normal(scale=30.0, size=(40, 9)).astype(dtype)
    A[rng.random(A.shape) < 0.5] = 0
    W = rng.normal(scale=3.0, size=(9, 6)).astype(dtype)
    b = rng.normal(scale=20.0, size=6).astype(dtype)
    source = sp.csr_matrix(A) if sparse else A
    expected = ACTIVATIONS[activation](affine(source, W, b))
    out = np.empty((40, 6), dtype)
    with np.errstate(over="raise"):  # the sigmoid's overflow stays silenced
        got = affine_activation(source, W, b, activation, out)
    assert got is out and got.dtype == dtype
    np.testing.assert_array_equal(got, expected)
    assert np.abs(affine(A, W, b)).max() > 100  # both tails are reached
