"""Activation functions, their derivatives and output heads as registries.

Every function works on plain arrays and keeps their dtype. Activations and
derivatives work in place on arrays the caller owns (fresh products), which
saves one temporary per layer and minibatch.
"""

from collections import namedtuple

import numpy as np

from skdeep._core.xp import dot_all, row_dots, ufunc, xp_of


def _sigmoid(Z):
    """sigma(z) = 1 / (1 + exp(-z)), in place.

    Four vectorized passes, 3-4x faster than ``scipy.special.expit`` (a
    scalar loop). Unlike the tanh form (1 + tanh(z / 2)) / 2, which loses
    the relative precision of small values to cancellation (2.98e-8 for
    sigma(-18) in float32, 1.52e-8 exactly, and 0 below about -20), this
    keeps it in both tails: for z < 0, 1 + exp(-z) is exp(-z) to rounding,
    down to the smallest normal number. Below about -88 (float32) or -709
    (float64) exp(-z) overflows to inf and sigma to 0, its value to within
    the dtype's range; that overflow is expected and silenced.
    """
    return sigmoid_of_negated(ufunc("negative", Z, out=Z))


def sigmoid_of_negated(Z):
    """sigma(-z) = 1 / (1 + exp(z)), in place: ``_sigmoid`` for a caller
    that already holds the negated input (see ``network.affine_activation``)."""
    with np.errstate(over="ignore"):
        Z = ufunc("exp", Z, out=Z)
    Z += 1
    return ufunc("divide", 1, Z, out=Z)


def _tanh(Z):
    """tanh(z), in place."""
    return ufunc("tanh", Z, out=Z)


def _relu(Z):
    """max(z, 0), in place."""
    return ufunc("maximum", Z, 0, out=Z)


def _identity(Z):
    """z."""
    return Z


ACTIVATIONS = {
    "sigmoid": _sigmoid,
    "tanh": _tanh,
    "relu": _relu,
    "identity": _identity,
}


def _sigmoid_derivative(A, delta):
    """delta * a (1 - a), in place on delta, a = sigma(z)."""
    delta *= A
    delta *= 1 - A
    return delta


def _tanh_derivative(A, delta):
    """delta * (1 - a^2), in place on delta, a = tanh(z)."""
    delta *= 1 - A**2
    return delta


def _relu_derivative(A, delta):
    """delta * [a > 0], in place on delta."""
    delta[A <= 0] = 0
    return delta


def _identity_derivative(A, delta):
    """delta."""
    return delta


DERIVATIVES = {
    "sigmoid": _sigmoid_derivative,
    "tanh": _tanh_derivative,
    "relu": _relu_derivative,
    "identity": _identity_derivative,
}


# Sparsity needs a firing probability in (0, 1) per unit. For sigmoid units it
# is the activation itself; tanh is rescaled from (-1, 1); a relu unit's
# activation h >= 0 is mapped through 1 - exp(-h), which is close to h for
# small activations and saturates at 1, so the KL penalty stays defined.
# Each entry gives (activity(h), d activity / dh).
ACTIVITIES = {
    "sigmoid": lambda H: (H, xp_of(H).ones_like(H)),
    "tanh": lambda H: ((H + 1) / 2, xp_of(H).full_like(H, 0.5)),
    "relu": lambda H: (1 - xp_of(H).exp(-H), xp_of(H).exp(-H)),
}


# Keeps rho_hat away from 0 and 1, where KL and its gradient blow up.
_ACTIVITY_EPS = 1e-6


def kl_sparsity(H, activation, target, weight):
    """beta * sum_j KL(rho || rho_hat_j) and its gradient with respect to H.

    rho_hat_j = mean_i a(h_ij), with a the unit's activity (see
    ``ACTIVITIES``): the activation itself for sigmoid units, (h + 1) / 2 for
    tanh and 1 - exp(-h) for relu.
    """
    xp = xp_of(H)
    activity, d_activity = ACTIVITIES[activation](H)
    rho_hat = xp.clip(xp.mean(activity, axis=0), _ACTIVITY_EPS, 1 - _ACTIVITY_EPS)
    rho = target
    kl = rho * xp.log(rho / rho_hat) + (1 - rho) * xp.log((1 - rho) / (1 - rho_hat))
    d_rho_hat = weight * (-rho / rho_hat + (1 - rho) / (1 - rho_hat))
    grad_H = d_activity * xp.astype(d_rho_hat / H.shape[0], H.dtype)
    return weight * float(xp.sum(kl)), grad_H


Head = namedtuple("Head", ["output", "loss"])


def softplus(Z):
    """log(1 + exp(z)) elementwise, as a new array in Z's dtype."""
    # max(z, 0) + log1p(exp(-|z|)): stable for any z, and several times
    # faster than np.logaddexp in float32.
    T = ufunc("abs", Z)
    T = ufunc("negative", T, out=T)
    T = ufunc("exp", T, out=T)
    T = ufunc("log1p", T, out=T)
    T += ufunc("maximum", Z, 0)
    return T


def _binary_cross_entropy(Y, Z, weights=None):
    """sum_ij w_i (softplus(z_ij) - y_ij z_ij), the cross-entropy of sigma(Z)
    vs Y (w_i = 1 without ``weights``)."""
    xp = xp_of(Z)
    if weights is None:
        return float(xp.sum(softplus(Z), dtype=xp.float64)) - dot_all(Y, Z)
    rows = xp.sum(softplus(Z), axis=1, dtype=xp.float64) - row_dots(Y, Z)
    return _weighted_sum(rows, weights)


def _weighted_sum(rows, weights):
    """sum_i w_i r_i as a float."""
    return float(xp_of(rows).sum(rows * weights))


def _half_squared_error(Y, Z, weights=None):
    """sum_ij w_i (z_ij - y_ij)^2 / 2 (w_i = 1 without ``weights``)."""
    D = Z - Y
    if weights is None:
        return dot_all(D, D) / 2
    return _weighted_sum(row_dots(D, D), weights) / 2


def _softmax(Z):
    """exp(z_ij) / sum_k exp(z_ik), row-wise, in place."""
    xp = xp_of(Z)
    Z -= xp.max(Z, axis=1, keepdims=True)
    Z = ufunc("exp", Z, out=Z)
    Z /= xp.sum(Z, axis=1, keepdims=True)
    return Z


def log_softmax(Z):
    """log softmax(z_i) of every row, stably, in Z's dtype (a new array)."""
    xp = xp_of(Z)
    shifted = Z - xp.max(Z, axis=1, keepdims=True)
    return shifted - xp.log(xp.sum(xp.exp(shifted), axis=1, keepdims=True))


def _logsumexp_rows(Z):
    """log sum_k exp(z_ik) for every row i, stably, in float64."""
    xp = xp_of(Z)
    top = xp.max(Z, axis=1, keepdims=True)
    sums = xp.sum(xp.exp(Z - top), axis=1, dtype=xp.float64)
    return xp.log(sums) + xp.astype(top[:, 0], xp.float64)


def _categorical_cross_entropy(Y, Z, weights=None):
    """sum_i w_i (logsumexp(z_i) - sum_j y_ij z_ij), the log-loss of
    softmax(Z) vs Y (w_i = 1 without ``weights``)."""
    xp = xp_of(Z)
    if weights is None:
        return float(xp.sum(_logsumexp_rows(Z))) - dot_all(Y, Z)
    rows = _logsumexp_rows(Z) - row_dots(Y, Z)
    return _weighted_sum(rows, weights)


# An output head pairs an output function with its canonical loss, computed
# from the logits Z for stability. For every pair the gradient of the summed
# loss with respect to Z is output(Z) - Y (times w_i for row weights), which
# the backward pass relies on. ``loss(Y, Z, weights=None)`` sums over rows.
HEADS = {
    "sigmoid": Head(_sigmoid, _binary_cross_entropy),
    "identity": Head(_identity, _half_squared_error),
    "softmax": Head(_softmax, _categorical_cross_entropy),
}
