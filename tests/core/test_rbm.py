"""RBM math against independent references: a 5-visible, 4-hidden RBM small
enough to enumerate every joint state, and Monte-Carlo averages."""

import itertools

import numpy as np
import pytest
from scipy.special import expit, logsumexp

from skdeep._core.activations import kl_sparsity
from skdeep._core.arrays import Workspace
from skdeep._core.rbm import (
    cd_gradient,
    data_buffer,
    free_energy,
    label_free_energies,
    mean_hiddens,
    mean_visibles,
    pseudo_log_likelihood,
    sample_bernoulli,
    sample_categorical,
    sample_hiddens,
    sample_visibles,
)
from tests._helpers import numerical_gradient

N_VISIBLE, N_HIDDEN = 5, 4
ALL_V = np.array(list(itertools.product([0, 1], repeat=N_VISIBLE)), dtype=float)
ALL_H = np.array(list(itertools.product([0, 1], repeat=N_HIDDEN)), dtype=float)


@pytest.fixture
def rbm():
    rng = np.random.default_rng(0)
    return [
        rng.normal(scale=0.7, size=(N_VISIBLE, N_HIDDEN)),
        rng.normal(scale=0.5, size=N_HIDDEN),
        rng.normal(scale=0.5, size=N_VISIBLE),
    ]


@pytest.fixture
def data():
    rng = np.random.default_rng(1)
    return (rng.random((6, N_VISIBLE)) < 0.4).astype(float)


def energy(V, H, params, visible_units):
    """E(v, h) for every pair of rows: shape (len(V), len(H))."""
    W, c, b = params
    interaction = V @ W @ H.T + (H @ c)[None, :]
    if visible_units == "bernoulli":
        return -(V @ b)[:, None] - interaction
    return 0.5 * np.sum((V - b) ** 2, axis=1)[:, None] - interaction


def exact_model_statistics(params):
    """<v h^T>, <h>, <v> under the model, by enumerating every state."""
    log_p = -free_energy(ALL_V, *params, "bernoulli")
    p = np.exp(log_p - logsumexp(log_p))
    H = mean_hiddens(ALL_V, params[0], params[1])
    return (ALL_V * p[:, None]).T @ H, p @ H, p @ ALL_V


def exact_gradient(params, data):
    """Gradient of the mean negative log-likelihood of ``data``."""
    H_data = mean_hiddens(data, params[0], params[1])
    vh, h, v = exact_model_statistics(params)
    return [
        vh - data.T @ H_data / len(data),
        h - H_data.mean(axis=0),
        v - data.mean(axis=0),
    ]


@pytest.mark.parametrize("visible_units", ["bernoulli", "gaussian"])
def test_free_energy_matches_brute_force(rbm, visible_units):
    V = (
        ALL_V
        if visible_units == "bernoulli"
        else np.random.default_rng(2).normal(size=(7, N_VISIBLE))
    )
    brute = -logsumexp(-energy(V, ALL_H, rbm, visible_units), axis=1)
    np.testing.assert_allclose(free_energy(V, *rbm, visible_units), brute)


def test_exact_gradient_reference_is_the_log_likelihood_gradient(rbm, data):
    """The enumeration reference itself, checked by finite differences."""

    def mean_nll():
        log_p = -free_energy(data, *rbm, "bernoulli")
        log_z = logsumexp(-free_energy(ALL_V, *rbm, "bernoulli"))
        return float(np.mean(log_z - log_p))

    numeric = numerical_gradient(mean_nll, rbm)
    for a, n in zip(exact_gradient(rbm, data), numeric, strict=True):
        np.testing.assert_allclose(a, n, atol=1e-7)


@pytest.mark.parametrize("visible_units", ["bernoulli", "gaussian"])
def test_hidden_conditional_matches_enumeration(rbm, visible_units):
    V = np.random.default_rng(3).normal(size=(4, N_VISIBLE))
    E = energy(V, ALL_H, rbm, visible_units)
    p_h = np.exp(-E - logsumexp(-E, axis=1, keepdims=True))  # p(h | v)
    np.testing.assert_allclose(mean_hiddens(V, rbm[0], rbm[1]), p_h @ ALL_H)


def test_bernoulli_visible_conditional_matches_enumeration(rbm):
    E = energy(ALL_V, ALL_H, rbm, "bernoulli")  # (32, 16)
    p_v = np.exp(-E - logsumexp(-E, axis=0, keepdims=True))  # p(v | h), columns
    np.testing.assert_allclose(
        mean_visibles(ALL_H, rbm[0], rbm[2], "bernoulli"), p_v.T @ ALL_V
    )


def test_gaussian_visible_conditional_is_unit_variance_normal(rbm):
    """E(v, h) - ||v - mean(h)||^2 / 2 does not depend on v."""
    rng = np.random.default_rng(4)
    V = rng.normal(size=(6, N_VISIBLE))
    mean = mean_visibles(ALL_H, rbm[0], rbm[2], "gaussian")
    E = energy(V, ALL_H, rbm, "gaussian")
    quadratic = 0.5 * ((V[:, None, :] - mean[None, :, :]) ** 2).sum(axis=2)
    residual = E - quadratic
    np.testing.assert_allclose(residual, residual[:1].repeat(len(V), axis=0))


@pytest.mark.parametrize("visible_units", ["bernoulli", "gaussian"])
def test_monte_carlo_samples_average_to_mean_field(rbm, visible_units):
    rng = np.random.default_rng(5)
    W, c, b = rbm
    v = np.tile(ALL_V[[3, 17]], (20000, 1))
    h_samples = sample_hiddens(v, W, c, rng)
    np.testing.assert_allclose(
        h_samples.reshape(20000, 2, -1).mean(axis=0),
        mean_hiddens(ALL_V[[3, 17]], W, c),
        atol=0.015,
    )
    h = np.tile(ALL_H[[5, 10]], (20000, 1))
    v_samples = sample_visibles(h, W, b, visible_units, rng).reshape(20000, 2, -1)
    expected = mean_visibles(ALL_H[[5, 10]], W, b, visible_units)
    np.testing.assert_allclose(v_samples.mean(axis=0), expected, atol=0.03)
    if visible_units == "gaussian":
        np.testing.assert_allclose(v_samples.var(axis=0), 1, atol=0.05)
    else:
        assert set(np.unique(v_samples)) <= {0.0, 1.0}


def test_cd_with_long_chains_matches_exact_gradient(rbm, data):
    rng = np.random.default_rng(6)
    V0 = np.tile(data, (1000, 1))
    grads, _, _, _ = cd_gradient(
        V0, rbm, visible_units="bernoulli", n_gibbs_steps=50, rng=rng
    )
    for cd, exact in zip(grads, exact_gradient(rbm, data), strict=True):
        np.testing.assert_allclose(cd, exact, atol=0.02)


def test_cd1_is_biased_where_long_chains_are_not(rbm, data):
    """CD-1 stays close to the data: its error is much larger than CD-50's."""
    rng = np.random.default_rng(7)
    V0 = np.tile(data, (1000, 1))
    exact = exact_gradient(rbm, data)[0]
    errors = []
    for k in (1, 50):
        grads, _, _, _ = cd_gradient(
            V0, rbm, visible_units="bernoulli", n_gibbs_steps=k, rng=rng
        )
        errors.append(np.abs(grads[0] - exact).max())
    assert errors[0] > 3 * errors[1]


def test_persistent_chain_statistics_match_exact_gradient(rbm, data):
    rng = np.random.default_rng(8)
    chain, total = None, [np.zeros_like(p) for p in rbm]
    n_updates = 300
    for i in range(n_updates + 20):
        grads, _, chain, _ = cd_gradient(
            data,
            rbm,
            visible_units="bernoulli",
            n_gibbs_steps=1,
            rng=rng,
            chain=chain
            if chain is not None
            else mean_hiddens(np.tile(data, (20, 1)), rbm[0], rbm[1]),
        )
        if i >= 20:  # after burn-in
            total = [t + g for t, g in zip(total, grads, strict=True)]
    for pcd, exact in zip(total, exact_gradient(rbm, data), strict=True):
        np.testing.assert_allclose(pcd / n_updates, exact, atol=0.02)


def test_sparsity_and_weight_decay_terms_match_finite_differences(rbm, data):
    rho, beta, alpha = 0.2, 0.8, 0.3

    def penalty():
        H = mean_hiddens(data, rbm[0], rbm[1])
        W = rbm[0]
        return kl_sparsity(H, "sigmoid", rho, beta)[0] + 0.5 * alpha * np.sum(W**2)

    kwargs = dict(visible_units="bernoulli", n_gibbs_steps=1)
    plain, _, _, _ = cd_gradient(data, rbm, rng=np.random.default_rng(9), **kwargs)
    penalised, _, _, _ = cd_gradient(
        data,
        rbm,
        rng=np.random.default_rng(9),
        sparsity_target=rho,
        sparsity_weight=beta,
        alpha=alpha,
        **kwargs,
    )
    numeric = numerical_gradient(penalty, rbm)
    for with_penalty, without, n in zip(penalised, plain, numeric, strict=True):
        np.testing.assert_allclose(with_penalty - without, n, atol=1e-7)


def test_pseudo_log_likelihood_matches_enumeration(rbm):
    log_p = -free_energy(ALL_V, *rbm, "bernoulli")
    index = {tuple(v): k for k, v in enumerate(ALL_V)}
    expected = []
    for v in ALL_V:
        total = 0.0
        for i in range(N_VISIBLE):
            flipped = v.copy()
            flipped[i] = 1 - v[i]
            a, b = log_p[index[tuple(v)]], log_p[index[tuple(flipped)]]
            total += a - np.logaddexp(a, b)
        expected.append(total)
    np.testing.assert_allclose(pseudo_log_likelihood(ALL_V, *rbm), expected)
    # the subset estimate averages to the exact value over all subsets
    subsets = list(itertools.combinations(range(N_VISIBLE), 2))
    estimates = [pseudo_log_likelihood(ALL_V, *rbm, features=s) for s in subsets]
    np.testing.assert_allclose(np.mean(estimates, axis=0), expected)


def test_reconstruction_error_is_expected_squared_error_over_hidden_samples(rbm, data):
    """Monte-Carlo error of the one-step reconstruction vs its exact expectation."""
    W, c, b = rbm
    p_h_given_v = np.prod(
        np.where(
            ALL_H[None],
            mean_hiddens(data, W, c)[:, None],
            1 - mean_hiddens(data, W, c)[:, None],
        ),
        axis=2,
    )  # (n_data, 16)
    reconstructions = mean_visibles(ALL_H, W, b, "bernoulli")  # (16, 5)
    squared = ((data[:, None, :] - reconstructions[None]) ** 2).sum(axis=2)
    expected = np.mean(np.sum(p_h_given_v * squared, axis=1))
    _, error, _, _ = cd_gradient(
        np.tile(data, (3000, 1)),
        rbm,
        visible_units="bernoulli",
        n_gibbs_steps=1,
        rng=np.random.default_rng(10),
    )
    assert error == pytest.approx(expected, rel=0.02)


@pytest.mark.parametrize("visible_units", ["bernoulli", "gaussian"])
def test_float32_in_float32_out(rbm, data, visible_units):
    params = [p.astype(np.float32) for p in rbm]
    V = data.astype(np.float32)
    grads, error, chain, _ = cd_gradient(
        V,
        params,
        visible_units=visible_units,
        n_gibbs_steps=2,
        rng=np.random.default_rng(0),
        sparsity_weight=0.1,
        alpha=0.01,
    )
    assert [g.dtype for g in grads] == [np.float32] * 3
    assert chain.dtype == np.float32
    assert free_energy(V, *params, visible_units).dtype == np.float32
    assert (
        sample_visibles(
            chain, params[0], params[2], visible_units, np.random.default_rng(0)
        ).dtype
        == np.float32
    )


def test_expit_reference():
    """mean_hiddens is the logistic of the hidden input."""
    W, c = np.eye(2), np.array([0.5, -1.0])
    np.testing.assert_allclose(
        mean_hiddens(np.array([[1.0, 2.0]]), W, c), expit([[1.5, 1.0]])
    )


def test_label_free_energies_match_free_energy_of_each_clamped_label(rbm):
    n_labels = 2  # the last two of the five visible units form a softmax group
    V = np.random.default_rng(11).random((4, N_VISIBLE - n_labels))
    energies = label_free_energies(V, *rbm, "bernoulli", n_labels)
    for k in range(n_labels):
        joint = np.hstack([V, np.tile(np.eye(n_labels)[k], (4, 1))])
        expected = free_energy(joint, *rbm, "bernoulli", n_labels=n_labels)
        np.testing.assert_allclose(energies[:, k], expected)


def test_label_conditional_matches_enumeration(rbm):
    """p(y | h) of the softmax group, against energies of each one-hot y."""
    n_labels = 2
    W, c, b = rbm
    v = np.array([1.0, 0.0, 1.0])
    labels = np.eye(n_labels)
    joint = np.hstack([np.tile(v, (n_labels, 1)), labels])
    E = energy(joint, ALL_H, rbm, "bernoulli")  # (n_labels, 16)
    p_y = np.exp(-E - logsumexp(-E, axis=0, keepdims=True))  # p(y | h, v fixed)
    means = mean_visibles(ALL_H, W, b, "bernoulli", n_labels=n_labels)
    np.testing.assert_allclose(means[:, -n_labels:], p_y.T)
    np.testing.assert_allclose(
        means[:, :-n_labels], expit(ALL_H @ W[:-n_labels].T + b[:-n_labels])
    )


def test_categorical_samples_follow_their_probabilities():
    P = np.tile([0.2, 0.5, 0.3], (20000, 1))
    samples = sample_categorical(P, np.random.default_rng(12))
    assert np.all(samples.sum(axis=1) == 1)
    np.testing.assert_allclose(samples.mean(axis=0), [0.2, 0.5, 0.3], atol=0.015)


@pytest.mark.parametrize(
    "kwargs",
    [
        dict(visible_units="bernoulli", n_gibbs_steps=1),
        dict(visible_units="gaussian", n_gibbs_steps=3, sparsity_weight=0.2),
        dict(visible_units="bernoulli", n_gibbs_steps=2, alpha=0.01, persistent=True),
    ],
)
def test_workspace_gives_identical_gradients(rbm, data, kwargs):
    """Buffers reused across minibatches change nothing, the last (smaller)
    minibatch and persistent chains included."""
    kwargs = dict(kwargs)
    persistent = kwargs.pop("persistent", False)
    batches = [np.tile(data, (3, 1)), data[:5]]  # a smaller last batch
    results = {}
    for mode in ("fresh", "reused", "gathered in place"):
        workspace = None if mode == "fresh" else Workspace()
        rng, chain, out = np.random.default_rng(3), None, []
        for V in batches * 2:
            if mode == "gathered in place":  # as the DBNs' minibatches are
                target = data_buffer(workspace, V.shape[0], rbm[0], chain)
                target[...] = V
                V = target
            cd = cd_gradient(
                V, rbm, rng=rng, chain=chain, workspace=workspace, **kwargs
            )
            out.append(([g.copy() for g in cd.grads], cd.error, cd.chain.copy()))
            chain = cd.chain.copy() if persistent else None
        results[mode] = out
    for mode in ("reused", "gathered in place"):
        for fresh, reused in zip(results["fresh"], results[mode], strict=True):
            for a, b in zip(fresh[0], reused[0], strict=True):
                np.testing.assert_array_equal(a, b)
            assert fresh[1] == reused[1]
            np.testing.assert_array_equal(fresh[2], reused[2])


@pytest.mark.parametrize("bit_generator", [np.random.PCG64, np.random.MT19937])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_bernoulli_draws_follow_their_probabilities(bit_generator, dtype):
    """16-bit uniforms (PCG64) or rng.random (any other generator): p = 0
    never fires, p = 1 always does, and frequencies match p."""
    p = np.array([0.0, 1.0, 0.3, 0.9, 1e-3], dtype=dtype)
    P = np.tile(p, (40000, 1))
    rng = np.random.Generator(bit_generator(0))
    out = np.empty_like(P)
    S = sample_bernoulli(P, rng, out)
    assert S is out and S.dtype == dtype
    assert set(np.unique(S)) <= {0.0, 1.0}
    assert S[:, 0].max() == 0 and S[:, 1].min() == 1
    np.testing.assert_allclose(S.mean(axis=0), p, atol=4 * np.sqrt(0.25 / 40000))
    assert sample_bernoulli(P[:3, :3], rng).shape == (3, 3)  # odd sizes, no out
