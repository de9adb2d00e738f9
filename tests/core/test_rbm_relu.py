"""Noisy rectified linear hidden units against independent references: the
stepped-sigmoid model they stand for (binary copies of a unit with biases
offset by -1/2, -3/2, ...), enumerated on a tiny RBM, closed-form moments
of the rectified normal, finite differences and the statistics written out."""

import itertools

import numpy as np
import pytest
from scipy.special import expit, logsumexp
from scipy.stats import norm

from skdeep._core.activations import kl_sparsity, softplus
from skdeep._core.arrays import Workspace
from skdeep._core.rbm import (
    cd_gradient,
    draw_hiddens,
    free_energy,
    label_free_energies,
    mean_hiddens,
    pseudo_log_likelihood,
    rectified_free_energy,
    sample_hiddens,
)
from tests._helpers import numerical_gradient

RELU = dict(hidden_units="relu")
N_VISIBLE, N_HIDDEN, N_COPIES = 3, 2, 8


@pytest.fixture
def rbm():
    rng = np.random.default_rng(0)
    return [
        rng.normal(scale=0.5, size=(N_VISIBLE, N_HIDDEN)),
        rng.normal(scale=0.5, size=N_HIDDEN),
        rng.normal(scale=0.5, size=N_VISIBLE),
    ]


@pytest.fixture
def data():
    rng = np.random.default_rng(1)
    return (rng.random((6, N_VISIBLE)) < 0.4).astype(float)


def midpoint_bound(Z):
    """The midpoint rule's leading error term for the sum over copies,
    sigma(z) / 24, with room for the next terms."""
    return 1.01 * expit(Z) / 24


def test_free_energy_term_is_the_sum_over_stepped_copies():
    z = np.linspace(-10, 30, 401)
    copies = np.arange(1, 200) - 0.5
    stepped = softplus(z[:, None] - copies[None, :]).sum(axis=1)
    gap = np.abs(rectified_free_energy(z) - stepped)
    assert (gap <= midpoint_bound(z)).all()
    assert gap.max() > 1e-3  # an approximation, as documented, not the sum


def test_free_energy_term_derivative_is_softplus():
    z = np.linspace(-20, 40, 121)
    h = 1e-5
    numeric = (rectified_free_energy(z + h) - rectified_free_energy(z - h)) / (2 * h)
    np.testing.assert_allclose(numeric, softplus(z), rtol=1e-6, atol=1e-9)
    # no overflow far out, where e^z is beyond float64
    assert np.isfinite(rectified_free_energy(np.array([800.0, -800.0]))).all()


def stepped_free_energy(V, params):
    """-log sum_h exp(-E(v, h)) with every hidden unit as N_COPIES binary
    copies (biases c - 1/2, c - 3/2, ...), by enumerating all 2^16 states."""
    W, c, b = params
    offsets = np.arange(N_COPIES) + 0.5
    states = np.array(list(itertools.product([0, 1], repeat=N_HIDDEN * N_COPIES)))
    states = states.reshape(-1, N_HIDDEN, N_COPIES)
    counts = states.sum(axis=2)  # h_j: active copies of unit j
    offset_energy = (states * offsets).sum(axis=(1, 2))
    interaction = V @ W @ counts.T + (counts @ c)[None, :] - offset_energy[None, :]
    return -(V @ b) - logsumexp(interaction, axis=1)


def test_free_energy_matches_enumerated_stepped_model(rbm):
    V = np.array(list(itertools.product([0, 1], repeat=N_VISIBLE)), dtype=float)
    Z = V @ rbm[0] + rbm[1]
    assert Z.max() < 2.5  # the copies beyond N_COPIES contribute < 0.01
    gap = free_energy(V, *rbm, "bernoulli", **RELU) - stepped_free_energy(V, rbm)
    assert (np.abs(gap) <= midpoint_bound(Z).sum(axis=1) + 0.02).all()


def test_codes_are_rectified_within_log_2_of_the_stepped_mean(rbm, data):
    Z = data @ rbm[0] + rbm[1]
    H = mean_hiddens(data, *rbm[:2], **RELU)
    np.testing.assert_array_equal(H, np.maximum(Z, 0))
    # d(-F)/dc_j is the stepped model's mean activity, softplus(z), which
    # CD's statistics use; the codes are within log 2 of it
    numeric = numerical_gradient(
        lambda: -free_energy(data, *rbm, "bernoulli", **RELU).sum(), [rbm[1]]
    )[0]
    np.testing.assert_allclose(numeric, softplus(Z).sum(axis=0), rtol=1e-6)
    assert (np.abs(softplus(Z) - H) <= np.log(2) + 1e-12).all()


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_noisy_rectified_samples_follow_the_rectified_normal(dtype):
    z = np.array([-3.0, -1.0, -0.2, 0.0, 0.5, 2.0, 6.0], dtype=dtype)
    state = np.tile(z, (100_000, 1))
    H = draw_hiddens(state, "relu", np.random.default_rng(2))
    assert H.dtype == dtype and (H >= 0).all()
    # max(0, Y), Y ~ N(z, sigma(z)): E = z Phi(z / s) + s phi(z / s)
    s = np.sqrt(expit(z.astype(float)))
    expected = z * norm.cdf(z / s) + s * norm.pdf(z / s)
    np.testing.assert_allclose(H.mean(axis=0), expected, atol=0.01)
    np.testing.assert_allclose((H > 0).mean(axis=0), norm.cdf(z / s), atol=0.01)
    sampled = sample_hiddens(
        np.ones((3, 1), dtype),
        np.ones((1, 2), dtype),
        np.zeros(2, dtype),
        np.random.default_rng(3),
        **RELU,
    )
    assert sampled.shape == (3, 2) and sampled.dtype == dtype


def expected_statistics(V0, V_neg, params, alpha=0.0):
    """The CD gradient written out: -<v h>_data + <v h>_model (+ decay),
    h = log(1 + e^(v W + c)) on both sides, the stepped model's activity."""
    W, c, _ = params
    H0 = np.logaddexp(0, V0 @ W + c)
    H1 = np.logaddexp(0, V_neg @ W + c)
    n, m = len(V0), len(V_neg)
    return [
        -V0.T @ H0 / n + V_neg.T @ H1 / m + alpha * W,
        -H0.mean(axis=0) + H1.mean(axis=0),
        -V0.mean(axis=0) + V_neg.mean(axis=0),
    ]


@pytest.mark.parametrize("visible_units", ["bernoulli", "gaussian"])
@pytest.mark.parametrize("steps", [1, 3])
def test_cd_statistics_are_the_stepped_activity(rbm, data, visible_units, steps):
    grads, error, chain, V_neg = cd_gradient(
        data,
        rbm,
        visible_units=visible_units,
        n_gibbs_steps=steps,
        rng=np.random.default_rng(4),
        alpha=0.1,
        **RELU,
    )
    expected = expected_statistics(data, V_neg, rbm, alpha=0.1)
    for got, want in zip(grads, expected, strict=True):
        np.testing.assert_allclose(got, want, atol=1e-12)
    # the chain keeps the input of the rectified units: where PCD resumes
    np.testing.assert_allclose(chain, V_neg @ rbm[0] + rbm[1])
    assert np.isfinite(error) and error > 0


def test_persistent_chain_resumes_from_its_state(rbm, data):
    rng = np.random.default_rng(5)
    chain = np.tile(data, (2, 1)) @ rbm[0] + rbm[1]
    grads, _, new_chain, V_neg = cd_gradient(
        data,
        rbm,
        visible_units="bernoulli",
        n_gibbs_steps=1,
        rng=rng,
        chain=chain,
        **RELU,
    )
    assert V_neg.shape == (12, N_VISIBLE) and new_chain.shape == (12, N_HIDDEN)
    for got, want in zip(grads, expected_statistics(data, V_neg, rbm), strict=True):
        np.testing.assert_allclose(got, want, atol=1e-12)


def test_sparsity_term_matches_finite_differences(rbm, data):
    rho, beta = 0.2, 0.8

    def penalty():
        H = np.logaddexp(0, data @ rbm[0] + rbm[1])
        return kl_sparsity(H, "relu", rho, beta)[0]

    kwargs = dict(visible_units="bernoulli", n_gibbs_steps=1, **RELU)
    plain = cd_gradient(data, rbm, rng=np.random.default_rng(9), **kwargs).grads
    penalised = cd_gradient(
        data,
        rbm,
        rng=np.random.default_rng(9),
        sparsity_target=rho,
        sparsity_weight=beta,
        **kwargs,
    ).grads
    numeric = numerical_gradient(penalty, rbm)
    for with_penalty, without, n in zip(penalised, plain, numeric, strict=True):
        np.testing.assert_allclose(with_penalty - without, n, atol=1e-7)


def test_workspace_and_float32_agree(rbm, data):
    def run(params, V, workspace=None):
        return cd_gradient(
            V,
            params,
            visible_units="bernoulli",
            n_gibbs_steps=2,
            rng=np.random.default_rng(6),
            workspace=workspace,
            **RELU,
        ).grads

    plain = run(rbm, data)
    reused = run(rbm, data, Workspace(like=data))
    for a, b in zip(plain, reused, strict=True):
        np.testing.assert_array_equal(a, b)
    single = run([p.astype(np.float32) for p in rbm], data.astype(np.float32))
    for a, b in zip(plain, single, strict=True):
        assert b.dtype == np.float32
        np.testing.assert_allclose(a, b, atol=1e-5)


def test_pseudo_likelihood_and_label_energies_use_the_rectified_term(rbm, data):
    flipped_ll = []
    F = free_energy(data, *rbm, "bernoulli", **RELU)
    for i in range(N_VISIBLE):
        flipped = data.copy()
        flipped[:, i] = 1 - flipped[:, i]
        F_i = free_energy(flipped, *rbm, "bernoulli", **RELU)
        flipped_ll.append(-softplus(F - F_i))
    np.testing.assert_allclose(
        pseudo_log_likelihood(data, *rbm, **RELU), np.sum(flipped_ll, axis=0)
    )
    # the last two visibles as a label group
    Y = np.eye(2)
    energies = label_free_energies(data[:, :1], *rbm, "bernoulli", 2, **RELU)
    for k in range(2):
        V = np.hstack([data[:, :1], np.tile(Y[k], (len(data), 1))])
        np.testing.assert_allclose(
            energies[:, k], free_energy(V, *rbm, "bernoulli", 2, **RELU)
        )
