"""Restricted Boltzmann machine math: conditionals, sampling, free energy, CD.

An RBM has visible units v (n_visible), hidden units h (n_hidden), weights
W (n_visible, n_hidden), hidden biases c and visible biases b. With binary
(Bernoulli) hidden units its energy is

    Bernoulli visibles:  E(v, h) = -v.b - h.c - v W h
    Gaussian visibles:   E(v, h) = ||v - b||^2 / 2 - h.c - v W h   (unit variance)

so that p(h_j = 1 | v) = sigma(c_j + v W_j) for both, p(v_i = 1 | h) =
sigma(b_i + W_i h) for Bernoulli visibles and p(v_i | h) = N(b_i + W_i h, 1)
for Gaussian ones. Gaussian visibles assume standardized inputs (unit
variance); the estimators standardize internally.

Noisy rectified linear hidden units (``hidden_units="relu"``, Nair & Hinton
2010) stand for infinitely many binary copies of a unit sharing its weights,
with biases offset by -1/2, -3/2, -5/2, ...: their summed activity has mean
sum_i sigma(x - i + 1/2) ~ log(1 + e^x) ~ max(0, x), x = c_j + v W_j, and
variance ~ sigma(x). A unit is sampled as max(0, x + N(0, sigma(x))); its
free-energy term replaces the sum over copies by its integral, -Li2(-e^x),
within about sigma(x) / 24 of the sum (the midpoint rule's leading error
term), whose derivative log(1 + e^x) is the expected activity CD uses as
its statistics. The deterministic codes (the up-pass, and the fine-tuned
network) are max(0, x), as in a relu MLP.

The visible layer may end with a group of ``n_labels`` softmax units (a
one-hot label, as in the top RBM of Hinton, Osindero & Teh's classifier):
p(y = e_k | h) = softmax_k(b_y + U h), and the label adds -y.b_y to the energy.

Parameters travel as a list ``[W, b_hid, b_vis]``; ``rng`` is a
``numpy.random.Generator``. Every function keeps the dtype of its inputs.
"""

from collections import namedtuple

import numpy as np
from scipy.special import spence

from skdeep._core.activations import HEADS, kl_sparsity, softplus
from skdeep._core.arrays import Workspace
from skdeep._core.network import affine, affine_activation, uniform_bits
from skdeep._core.xp import (
    asarray,
    copy,
    device_of,
    dot_all,
    full,
    less,
    matmul,
    stacked,
    to_numpy,
    ufunc,
    xp_of,
)

# The output function of p(v | h) for each visible type.
VISIBLE_OUTPUT = {"bernoulli": "sigmoid", "gaussian": "identity"}

# The mean-field activation of each hidden type (and of the fine-tuned network).
HIDDEN_ACTIVATION = {"bernoulli": "sigmoid", "relu": "relu"}


def mean_hiddens(V, W, b_hid, out=None, hidden_units="bernoulli"):
    """The deterministic codes of h given v, for dense or CSR V (into
    ``out`` if given): E[h | v] = sigma(v W + c) for Bernoulli hidden units,
    max(0, v W + c) for rectified ones (see the module docstring)."""
    return affine_activation(V, W, b_hid, HIDDEN_ACTIVATION[hidden_units], out)


def sample_hiddens(V, W, b_hid, rng, hidden_units="bernoulli"):
    """A sample of h given v."""
    return draw_hiddens(hidden_state(V, W, b_hid, hidden_units), hidden_units, rng)


def hidden_state(V, W, b_hid, hidden_units, out=None):
    """What a Gibbs chain keeps of h given v (into ``out`` when given):
    p(h = 1 | v) for Bernoulli units, its input v W + c for rectified ones."""
    if hidden_units == "bernoulli":
        return affine_activation(V, W, b_hid, "sigmoid", out)
    return affine(V, W, b_hid, out)


def state_means(state, hidden_units, out=None):
    """The hidden statistics of CD from a chain's hidden state (see
    ``hidden_state``): p(h = 1 | v) for Bernoulli units; for rectified ones
    log(1 + e^x), the expected activity of the stepped copies whose free
    energy ``free_energy`` uses (its derivative), so that CD follows that
    model's likelihood. Written into ``out`` when given."""
    if hidden_units == "bernoulli":
        return state
    means = softplus(state)
    if out is None:
        return means
    out[...] = means
    return out


def draw_hiddens(state, hidden_units, rng, out=None):
    """A sample of h from a chain's hidden state (into ``out`` if given):
    Bernoulli draws, or max(0, x + N(0, sigma(x))) for rectified units."""
    if hidden_units == "bernoulli":
        return sample_bernoulli(state, rng, out)
    spread = HEADS["sigmoid"].output(copy(state))
    spread = ufunc("sqrt", spread, out=spread)
    H = standard_normal(rng, state.shape, state.dtype, out)
    H *= spread
    H += state
    return ufunc("maximum", H, 0, out=H)


def rectified_free_energy(Z):
    """-Li2(-e^z) elementwise: the integral over t > 0 of log(1 + e^(z - t)),
    a rectified unit's term of -F(v) (see the module docstring), in Z's
    dtype. Its derivative is log(1 + e^z); for z > 0 it is computed as
    pi^2 / 6 + z^2 / 2 + Li2(-e^-z), which keeps e^z from overflowing."""
    z = to_numpy(Z).astype(np.float64)
    below = -spence(1.0 + np.exp(-np.abs(z)))  # -Li2(-e^-|z|)
    result = np.where(z > 0, np.pi**2 / 6 + z**2 / 2 - below, below)
    return asarray(result, Z, Z.dtype)


def _hidden_free_energy(Z, hidden_units):
    """Each hidden unit's term of -F(v) from its input Z (a new array)."""
    if hidden_units == "bernoulli":
        return softplus(Z)
    return rectified_free_energy(Z)


def mean_visibles(H, W, b_vis, visible_units, n_labels=0, out=None):
    """E[v | h]: sigma(h W^T + b) (Bernoulli) or h W^T + b (Gaussian).

    With ``n_labels``, the last units are a softmax group: p(y | h). Written
    into ``out`` when given.
    """
    if not n_labels:
        return affine_activation(H, W.T, b_vis, VISIBLE_OUTPUT[visible_units], out)
    Z = affine(H, W.T, b_vis, out)
    output = HEADS[VISIBLE_OUTPUT[visible_units]].output
    n_main = Z.shape[1] - n_labels
    Z[:, :n_main] = output(Z[:, :n_main])
    Z[:, n_main:] = HEADS["softmax"].output(Z[:, n_main:])
    return Z


def sample_visibles(H, W, b_vis, visible_units, rng, n_labels=0):
    """A sample of v given h: Bernoulli draws, or the mean plus N(0, 1) noise
    (and a one-hot draw of the label group)."""
    mean = mean_visibles(H, W, b_vis, visible_units, n_labels)
    return _sample_around(mean, visible_units, rng, n_labels)


def _sample_around(mean, visible_units, rng, n_labels=0, out=None):
    """A visible sample with the given conditional mean (a new array, or
    ``out`` when given and there is no label group)."""
    n_main = mean.shape[1] - n_labels
    main = mean[:, :n_main]
    out = None if n_labels else out
    if visible_units == "bernoulli":
        sample = sample_bernoulli(main, rng, out)
    else:
        sample = standard_normal(rng, main.shape, mean.dtype, out)
        sample += main
    if not n_labels:
        return sample
    labels = sample_categorical(mean[:, n_main:], rng)
    return xp_of(sample).concat([sample, labels], axis=1)


def sample_categorical(P, rng):
    """One one-hot row per row of probabilities P."""
    xp = xp_of(P)
    if isinstance(rng, np.random.Generator):  # float64 draws for any dtype
        u = rng.random((P.shape[0], 1)).astype(P.dtype)
    else:  # a DeviceRandom: the device's own stream
        u = rng.random((P.shape[0], 1), dtype=P.dtype)
    below = xp.astype(xp.cumulative_sum(P, axis=1) < u, xp.int64)
    index = xp.clip(xp.sum(below, axis=1), 0, P.shape[1] - 1)
    columns = xp.arange(P.shape[1], device=device_of(P))
    return xp.astype(index[:, None] == columns[None, :], P.dtype)


def standard_normal(rng, shape, dtype, out=None):
    """N(0, 1) draws in ``dtype`` (into ``out`` if given); a numpy generator
    draws them in float64, so that float32 and float64 fits of one seed see
    the same noise."""
    if not isinstance(rng, np.random.Generator):  # a DeviceRandom
        return rng.standard_normal(shape, dtype=dtype, out=out)
    noise = rng.standard_normal(shape)
    if out is None:
        return noise.astype(dtype)
    out[...] = noise
    return out


def sample_bernoulli(P, rng, out=None):
    """1 with probability P, else 0, in P's dtype (into ``out`` if given).

    With numpy's default bit generator (PCG64) the uniforms are 16-bit
    integers u, four per 64-bit draw, and a unit fires when u / 65536 < p:
    probabilities are resolved to 1/65536 (p = 0 never fires, p = 1 always
    does), at 60% of the cost of ``rng.random``, which matters because
    sampling is a tenth of an RBM minibatch's time.
    """
    bits = uniform_bits(rng, P.shape)
    if bits is not None:
        U = np.multiply(bits, P.dtype.type(1 / 65536), out=out, dtype=P.dtype)
    else:  # another bit generator, or a DeviceRandom
        U = rng.random(P.shape, dtype=P.dtype, out=out)
    return less(U, P, out=U)  # numpy: the bool result lands as 0.0 / 1.0 in U


def free_energy(
    V, W, b_hid, b_vis, visible_units, n_labels=0, hidden_units="bernoulli"
):
    """F(v) = -log sum_h exp(-E(v, h)), one value per row of V.

    Bernoulli: -v.b - sum_j softplus(c_j + v W_j);
    Gaussian:  ||v - b||^2 / 2 - sum_j softplus(c_j + v W_j);
    a label group adds -y.b_y. Rectified hidden units put
    ``rectified_free_energy`` in the place of softplus.
    """
    xp = xp_of(W)
    hidden_term = xp.sum(_hidden_free_energy(affine(V, W, b_hid), hidden_units), axis=1)
    n_main = V.shape[1] - n_labels
    visible_term = _visible_energy(V[:, :n_main], b_vis[:n_main], visible_units)
    if n_labels:
        visible_term = visible_term - _vector_product(V[:, n_main:], b_vis[n_main:])
    return visible_term - hidden_term


def _vector_product(V, b):
    """V b as a 1-D array, for dense or CSR V."""
    product = V @ b
    return np.asarray(product).ravel() if isinstance(b, np.ndarray) else product


def _visible_energy(V, b_vis, visible_units):
    """The visible units' own energy: -v.b, or ||v - b||^2 / 2 (Gaussian)."""
    if visible_units == "bernoulli":
        return -_vector_product(V, b_vis)
    return 0.5 * xp_of(b_vis).sum((V - b_vis) ** 2, axis=1)


def label_free_energies(
    V, W, b_hid, b_vis, visible_units, n_labels, hidden_units="bernoulli"
):
    """F([v, e_k]) for every label k: shape (n_samples, n_labels).

    ``V`` holds only the non-label visibles; one product serves every label.
    """
    xp = xp_of(W)
    n_main = V.shape[1]
    Z = affine(V, W[:n_main, :], b_hid)
    visible_term = _visible_energy(V, b_vis[:n_main], visible_units)
    energies = [
        visible_term
        - b_vis[n_main + k]
        - xp.sum(_hidden_free_energy(Z + W[n_main + k, :], hidden_units), axis=1)
        for k in range(n_labels)
    ]
    return xp.stack(energies, axis=1)


def pseudo_log_likelihood(V, W, b_hid, b_vis, features=None, hidden_units="bernoulli"):
    """sum_i log p(v_i | v_-i) per row, for Bernoulli visibles.

    log p(v_i | v_-i) = -softplus(F(v) - F(v with v_i -> 1 - v_i)); flipping
    v_i changes the hidden input by (1 - 2 v_i) W_i, so no product is redone.
    Exact over every visible unit by default; given ``features``, the sum over
    those units scaled by n_visible / len(features), an unbiased estimate at
    a fraction of the cost.
    """
    xp = xp_of(W)
    features = range(V.shape[1]) if features is None else [int(i) for i in features]
    Z = affine(V, W, b_hid)
    base = xp.sum(_hidden_free_energy(Z, hidden_units), axis=1)
    flip = 1 - 2 * V
    total = full(V.shape[0], 0.0, xp.float64, W)
    for i in features:
        flipped = Z + flip[:, i : i + 1] * W[i, :]
        flipped = xp.sum(_hidden_free_energy(flipped, hidden_units), axis=1)
        # F(v) - F(v') = (v'_i - v_i) b_i + S(v') - S(v), S = sum softplus
        total -= xp.astype(softplus(flip[:, i] * b_vis[i] + flipped - base), xp.float64)
    return total * (V.shape[1] / len(features))


CD = namedtuple("CD", ["grads", "error", "chain", "fantasy"])


def gibbs_chain(
    H_state,
    W,
    b_hid,
    b_vis,
    visible_units,
    n_steps,
    rng,
    n_labels=0,
    workspace=None,
    last_sample=None,
    hidden_units="bernoulli",
):
    """Run ``n_steps`` (>= 1) of h -> v -> h Gibbs sampling.

    The chain starts by sampling h from ``H_state``, the hidden state of its
    starting visibles (see ``hidden_state``: p(h = 1 | v) for Bernoulli
    units). Returns the last visible sample, the hidden state at that sample
    (whose means are the Rao-Blackwellized negative statistics, and where a
    persistent chain resumes), and E[v | h] of the first step (the first
    reconstruction). With a :class:`~skdeep._core.arrays.Workspace`, the
    results live in its buffers (valid until its next use); ``last_sample``,
    when given, receives the last visible sample (unless the visibles have a
    label group).
    """
    ws = Workspace(enabled=False, like=W) if workspace is None else workspace
    m, n_visible = H_state.shape[0], W.shape[0]
    dtype = W.dtype
    first_mean = None
    for step in range(n_steps):
        out = ws.get("h_sample", H_state.shape, dtype)
        H = draw_hiddens(H_state, hidden_units, rng, out)
        mean = mean_visibles(
            H,
            W,
            b_vis,
            visible_units,
            n_labels,
            ws.get(f"v_mean{min(step, 1)}", (m, n_visible), dtype),
        )
        first_mean = mean if first_mean is None else first_mean
        last = step == n_steps - 1 and last_sample is not None
        out = last_sample if last else ws.get("v_sample", mean.shape, dtype)
        V = _sample_around(mean, visible_units, rng, n_labels, out)
        out = ws.get("h_model", H_state.shape, dtype)
        H_state = hidden_state(V, W, b_hid, hidden_units, out)
    return V, H_state, first_mean


def cd_gradient(
    V0,
    params,
    *,
    visible_units,
    n_gibbs_steps,
    rng,
    chain=None,
    sparsity_target=0.1,
    sparsity_weight=0.0,
    alpha=0.0,
    n_labels=0,
    workspace=None,
    scale=1.0,
    hidden_units="bernoulli",
):
    """CD-k (or PCD-k) estimate of the gradient of the mean negative log-likelihood.

    -d log p / dW ~ -(<v h>_data - <v h>_model), likewise for the biases, where
    the model statistics come from a k-step Gibbs chain started at the data
    (CD-k) or where a persistent chain stopped (PCD; ``chain`` holds its last
    hidden state, see ``hidden_state``). The statistics use E[h | v]:
    p(h = 1 | v) for Bernoulli hidden units, log(1 + e^x) for rectified ones
    (see ``state_means``).
    A sparsity penalty beta * sum_j KL(rho || mean_i p(h_j | v_i)) and L2
    decay (alpha / 2) ||W||^2 are added to the objective.

    Returns a :class:`CD` tuple: the gradients in the order of ``params``
    (descent direction), the squared error per row between V0 and its
    reconstruction E[v | h ~ p(h | v0)] (summed over features, averaged over
    rows), the chain's last hidden state (to pass back as ``chain`` for
    PCD) and its last visible sample (the fantasy). ``scale`` multiplies
    every gradient at no cost (a learning rate folded into the products, say,
    which spares the optimizer a pass over the weights). With a
    :class:`~skdeep._core.arrays.Workspace`, these arrays are its buffers: valid
    until the next call with it, so copy the chain to keep it.
    """
    W, b_hid, b_vis = params
    ws = Workspace(enabled=False, like=W) if workspace is None else workspace
    (n, n_visible), n_hidden, dtype = V0.shape, W.shape[1], W.dtype
    m = n if chain is None else chain.shape[0]
    # data and model statistics stacked, [V0; V_neg] and [-H0 / n; H_neg / m],
    # so that one product (and one matrix-vector product per bias) gives the
    # gradient: d/dW = V0^T (dZ_sparsity - H0 / n) + V_neg^T H_neg / m
    V_pair = ws.get("v_pair", (n + m, n_visible), dtype)
    H_pair = ws.get("h_pair", (n + m, n_hidden), dtype)
    out = _positive_buffer(H_pair, n, ws, hidden_units)
    Z0 = hidden_state(V0, W, b_hid, hidden_units, out)
    H0 = state_means(Z0, hidden_units, H_pair[:n, ...])
    V_neg, state, reconstruction = gibbs_chain(
        Z0 if chain is None else chain,
        W,
        b_hid,
        b_vis,
        visible_units,
        n_gibbs_steps,
        rng,
        n_labels,
        ws,
        last_sample=V_pair[n:, ...],
        hidden_units=hidden_units,
    )
    if chain is not None:  # a persistent chain does not start at the data
        out = ws.get("h_sample", H0.shape, dtype)
        H_sample = draw_hiddens(Z0, hidden_units, rng, out)
        out = ws.get("v_mean1", V0.shape, dtype)
        reconstruction = mean_visibles(H_sample, W, b_vis, visible_units, n_labels, out)
    V_pair = stacked(V_pair, V0, V_neg)  # numpy: V_neg is already there
    reconstruction -= V0
    error = dot_all(reconstruction, reconstruction) / n
    H0 = _scale_positive(H0, scale, sparsity_target, sparsity_weight, hidden_units)
    H_neg = state_means(state, hidden_units, H_pair[n:, ...])
    H_neg_scaled = ufunc("multiply", H_neg, scale / m, out=H_pair[n:, ...])
    H_pair = stacked(H_pair, H0, H_neg_scaled)  # numpy: both are already there
    grads = _stacked_gradients(V_pair, H_pair, n, W, scale * alpha, scale, ws)
    return CD(grads, error, state, V_neg)


def data_buffer(workspace, n, W, chain=None):
    """Where ``cd_gradient`` with this ``workspace`` stacks the n data rows
    of a minibatch for weights W (with a persistent ``chain``, its rows
    follow): a minibatch gathered there is not copied again."""
    m = n if chain is None else chain.shape[0]
    return workspace.get("v_pair", (n + m, W.shape[0]), W.dtype)[:n]


def _positive_buffer(H_pair, n, ws, hidden_units):
    """Where the data's hidden input goes: straight into the statistics
    for Bernoulli units (their state is their mean, computed in place),
    a buffer of its own for rectified ones (the chain starts from it)."""
    if hidden_units == "bernoulli":
        return H_pair[:n, ...]
    return ws.get("z0", (n, H_pair.shape[1]), H_pair.dtype)


def _scale_positive(H0, scale, sparsity_target, sparsity_weight, hidden_units):
    """H0 <- scale * (dZ_sparsity - H0 / n), in place: the data statistics."""
    n = H0.shape[0]
    if sparsity_weight > 0:
        activation = HIDDEN_ACTIVATION[hidden_units]
        _, grad_H = kl_sparsity(H0, activation, sparsity_target, sparsity_weight)
        if hidden_units == "bernoulli":
            grad_H *= H0 * (1 - H0)
        else:  # d softplus(x) / dx = sigma(x) = 1 - exp(-softplus(x))
            grad_H *= 1 - xp_of(H0).exp(-H0)
        H0 *= -1.0 / n
        H0 += grad_H
        H0 *= scale
    else:
        H0 *= -scale / n
    return H0


def _stacked_gradients(V_pair, H_pair, n, W, decay, scale, ws):
    """[grad_W, grad_b_hid, grad_b_vis] from the stacked statistics.

    The first n rows of V_pair / H_pair are the data, the rest the model;
    H_pair is already scaled (see cd_gradient), ``decay`` multiplies W.
    """
    m, dtype = V_pair.shape[0] - n, W.dtype
    grad_W = matmul(V_pair.T, H_pair, out=ws.get("grad_W", W.shape, dtype))
    if decay > 0:
        grad_W += ufunc("multiply", W, decay, out=ws.get("decay", W.shape, dtype))
    weights = full(n + m, scale / m, dtype, W)
    weights[:n] = -scale / n
    grad_b_hid = full(n + m, 1.0, dtype, W) @ H_pair
    return [grad_W, grad_b_hid, weights @ V_pair]


def clamped_label_chain(Y, W, b_hid, b_vis, visible_units, n_steps, rng):
    """Gibbs chains with the label group clamped to the one-hot rows Y.

    Starts from visibles drawn from p(v | h = 0), alternates h ~ p(h | v, y)
    and v ~ p(v | h) for ``n_steps`` and returns the last E[v | h] of the
    non-label visibles.
    """
    xp = xp_of(W)
    n_labels = Y.shape[1]
    n_main = W.shape[0] - n_labels
    H = full((Y.shape[0], W.shape[1]), 0.0, W.dtype, W)
    V = sample_visibles(H, W[:n_main, :], b_vis[:n_main], visible_units, rng)
    for _ in range(n_steps):
        H = sample_hiddens(xp.concat([V, Y], axis=1), W, b_hid, rng)
        mean = mean_visibles(H, W[:n_main, :], b_vis[:n_main], visible_units)
        V = _sample_around(mean, visible_units, rng)
    return mean
