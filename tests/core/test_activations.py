import warnings

import numpy as np
import pytest
from scipy.special import expit

from skdeep._core.activations import ACTIVATIONS, ACTIVITIES, DERIVATIVES, HEADS
from tests._helpers import assert_gradients_match, numerical_gradient


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_derivative_matches_finite_differences(name):
    rng = np.random.default_rng(0)
    Z = rng.normal(size=(4, 3))
    Z[np.abs(Z) < 1e-3] = 0.5  # keep relu away from its kink
    upstream = rng.normal(size=Z.shape)

    def loss():
        return float(np.sum(upstream * ACTIVATIONS[name](Z.copy())))

    A = ACTIVATIONS[name](Z.copy())
    analytic = DERIVATIVES[name](A, upstream.copy())
    assert_gradients_match([analytic], numerical_gradient(loss, [Z]))


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_activations_keep_float32(name):
    Z = np.linspace(-2, 2, 12, dtype=np.float32).reshape(3, 4)
    assert ACTIVATIONS[name](Z).dtype == np.float32


@pytest.mark.parametrize("name", sorted(HEADS))
def test_head_loss_gradient_is_output_minus_target(name):
    rng = np.random.default_rng(1)
    Z = rng.normal(size=(5, 3))
    if name == "softmax":
        Y = np.eye(3)[rng.integers(0, 3, 5)]
    elif name == "sigmoid":
        Y = rng.uniform(size=Z.shape)
    else:
        Y = rng.normal(size=Z.shape)
    head = HEADS[name]
    numeric = numerical_gradient(lambda: head.loss(Y, Z), [Z])
    assert_gradients_match([head.output(Z.copy()) - Y], numeric)


def test_losses_against_direct_formulas():
    rng = np.random.default_rng(2)
    Z = rng.normal(size=(4, 3))
    Y = rng.uniform(size=Z.shape)
    P = 1 / (1 + np.exp(-Z))
    direct = -np.sum(Y * np.log(P) + (1 - Y) * np.log(1 - P))
    assert HEADS["sigmoid"].loss(Y, Z) == pytest.approx(direct)
    Q = np.exp(Z) / np.exp(Z).sum(axis=1, keepdims=True)
    onehot = np.eye(3)[[0, 2, 1, 1]]
    assert HEADS["softmax"].loss(onehot, Z) == pytest.approx(
        -np.sum(onehot * np.log(Q))
    )
    np.testing.assert_allclose(HEADS["softmax"].output(Z.copy()), Q)


def test_sigmoid_cross_entropy_is_finite_for_huge_logits():
    Z = np.array([[1e4, -1e4]])
    Y = np.array([[0.0, 1.0]])
    assert HEADS["sigmoid"].loss(Y, Z) == pytest.approx(2e4)


@pytest.mark.parametrize("name", sorted(ACTIVITIES))
def test_activity_in_unit_interval_with_matching_derivative(name):
    H = ACTIVATIONS[name](np.linspace(-3, 3, 13).reshape(1, -1))
    activity, derivative = ACTIVITIES[name](H)
    assert np.all((activity >= 0) & (activity <= 1))
    eps = 1e-6
    numeric = (ACTIVITIES[name](H + eps)[0] - ACTIVITIES[name](H - eps)[0]) / (2 * eps)
    np.testing.assert_allclose(derivative, numeric, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize(
    "dtype, rtol", [(np.float64, 4 * np.finfo(np.float64).eps), (np.float32, 4e-7)]
)
def test_sigmoid_keeps_its_relative_precision_in_both_tails(dtype, rtol):
    """Against expit in float64 (exact to rounding), relatively, over the
    whole range where sigma is a normal number of the dtype."""
    tiny = np.finfo(dtype).tiny
    lowest = np.log(tiny) + 1  # sigma(z) ~ exp(z) stays normal above it
    Z = np.linspace(lowest, -lowest, 20001).astype(dtype)
    expected = expit(Z.astype(np.float64))
    got = ACTIVATIONS["sigmoid"](Z.copy())
    assert got.dtype == dtype
    np.testing.assert_allclose(got, expected, rtol=rtol, atol=0)
    # the case that the tanh form got wrong: sigma(-18) in float32
    sigma_minus_18 = expit(np.float64(-18.0))  # 1.52e-8, in float64
    got = ACTIVATIONS["sigmoid"](np.array([-18.0], dtype=np.float32))[0]
    assert got == pytest.approx(sigma_minus_18, rel=1e-6)


@pytest.mark.parametrize("dtype, tol", [(np.float64, 1e-15), (np.float32, 1e-7)])
def test_sigmoid_matches_expit_without_overflow_warnings(dtype, tol):
    Z = np.concatenate([np.linspace(-40, 40, 2001), [-1e4, 1e4]]).astype(dtype)
    expected = expit(Z.astype(np.float64))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got = ACTIVATIONS["sigmoid"](Z.copy())
    assert got.dtype == dtype
    assert np.max(np.abs(got - expected)) < tol
    assert got.min() >= 0 and got.max() <= 1
