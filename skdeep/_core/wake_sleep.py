"""Wake-sleep and up-down fine-tuning of a deep belief network.

Below the top RBM every layer k has untied weights: recognition R_k
(n_k, n_{k+1}) with biases c_k drive the up-pass, h_{k+1} ~ sigma(h_k R_k +
c_k); generative G_k (n_{k+1}, n_k) with biases b_k drive the down-pass,
E[h_k | h_{k+1}] = sigma(h_{k+1} G_k + b_k) (linear for Gaussian bottom
visibles). The top RBM stays undirected. One step on a minibatch
(Hinton, Osindero & Teh, 2006, appendix B):

- wake: a stochastic up-pass from the data with R; each G_k moves by the delta
  rule so that h_{k+1} better predicts the h_k it came from;
- top: contrastive divergence in the top RBM on the wake states (with the
  labels clamped in the up-down algorithm);
- sleep: from the top RBM's negative-phase sample, a stochastic down-pass with
  G (the "dream"); each R_k moves by the delta rule so that h_k better
  recognises the h_{k+1} that produced it.

Parameters travel as one flat list: ``[R_0, c_0, ..., G_0, b_0, ..., W, c, b]``
(recognition pairs, generative pairs, top RBM); gradients come back in the
same order, in the descent direction.
"""

from collections import namedtuple

from skdeep._core.rbm import (
    cd_gradient,
    label_free_energies,
    mean_hiddens,
    mean_visibles,
    sample_bernoulli,
)
from skdeep._core.xp import copy, dot_all, xp_of

Layers = namedtuple("Layers", ["recognition", "generative", "top"])


def split_params(params):
    """The flat parameter list as (recognition pairs, generative pairs, top)."""
    n_lower = (len(params) - 3) // 4
    pairs = [params[i : i + 2] for i in range(0, 4 * n_lower, 2)]
    return Layers(pairs[:n_lower], pairs[n_lower:], params[-3:])


def untie(stack):
    """Flat wake-sleep parameters from a greedy stack of ``[W, c, b]`` RBMs.

    Recognition and generative weights of each lower layer start as copies of
    the RBM's W and W^T; the top RBM is shared (not copied).
    """
    lower = stack[:-1]
    recognition = [copy(p) for W, c, _ in lower for p in (W, c)]
    generative = [copy(p) for W, _, b in lower for p in (W.T, b)]
    return recognition + generative + list(stack[-1])


def _units(k, visible_units):
    """Visible type of layer k: the data's at the bottom, Bernoulli above."""
    return visible_units if k == 0 else "bernoulli"


def wake_states(V, recognition, rng):
    """Stochastic up-pass: ``[v, h_1, ..., h_{L-1}]``, h_k binary samples."""
    states = [V]
    for R, c in recognition:
        states.append(sample_bernoulli(mean_hiddens(states[-1], R, c), rng))
    return states


def generative_gradients(states, generative, visible_units):
    """Delta-rule gradients of G_k, b_k on wake states, and each layer's error.

    d/dG_k of -log p(h_k | h_{k+1}) = -h_{k+1}^T (h_k - E[h_k | h_{k+1}]) / n;
    the error is the squared residual per row, summed over units.
    """
    grads, errors = [], []
    for k, (G, b) in enumerate(generative):
        prediction = mean_visibles(states[k + 1], G.T, b, _units(k, visible_units))
        residual = states[k] - prediction
        n = residual.shape[0]
        grads += [-(states[k + 1].T @ residual) / n, -_column_means(residual)]
        errors.append(dot_all(residual, residual) / n)
    return grads, errors


def fantasy_states(top_sample, generative, visible_units, rng):
    """Stochastic down-pass from a sample of the top RBM's visible layer.

    Returns ``[v, h_1, ..., h_{L-1}]``; the bottom ``v`` holds the expected
    visibles rather than a sample, as in Hinton et al.'s sleep phase.
    """
    states = [top_sample]
    for k in range(len(generative) - 1, -1, -1):
        G, b = generative[k]
        mean = mean_visibles(states[0], G.T, b, _units(k, visible_units))
        states.insert(0, mean if k == 0 else sample_bernoulli(mean, rng))
    return states


def recognition_gradients(states, recognition):
    """Delta-rule gradients of R_k, c_k on fantasy states.

    d/dR_k of -log q(h_{k+1} | h_k) = -h_k^T (h_{k+1} - sigma(h_k R_k + c_k)) / n.
    """
    grads = []
    for k, (R, c) in enumerate(recognition):
        residual = states[k + 1] - mean_hiddens(states[k], R, c)
        n = residual.shape[0]
        grads += [-(states[k].T @ residual) / n, -_column_means(residual)]
    return grads


def _column_means(A):
    return xp_of(A).mean(A, axis=0)


def label_logits(V, recognition, top, visible_units):
    """-F(h, e_k) of a label-aware top RBM for every label k.

    ``h`` is the deterministic mean-field up-pass of V through the recognition
    pairs; softmax of the result is p(y | x) of the up-down classifier.
    """
    A = V
    for R, c in recognition:
        A = mean_hiddens(A, R, c)
    W, c, b = top
    units = _units(len(recognition), visible_units)
    return -label_free_energies(A, W, c, b, units, W.shape[0] - A.shape[1])


def wake_sleep_gradients(
    V, params, *, visible_units, n_gibbs_steps, rng, labels=None, alpha=0.0
):
    """One wake-sleep (or, with ``labels``, up-down) step's gradients.

    ``labels`` (n_samples, n_labels) are clamped next to the top RBM's
    visibles: one-hot rows, or p(y | x) for rows without a label. Returns
    ``(grads, error)``, the error being the generative errors of the wake
    states summed over layers plus the top RBM's reconstruction error.
    """
    layers = split_params(params)
    states = wake_states(V, layers.recognition, rng)
    generative_grads, errors = generative_gradients(
        states, layers.generative, visible_units
    )
    n_labels = 0 if labels is None else labels.shape[1]
    top = states[-1]
    top_visible = top if labels is None else xp_of(top).concat([top, labels], axis=1)
    top_units = _units(len(layers.recognition), visible_units)
    cd = cd_gradient(
        top_visible,
        layers.top,
        visible_units=top_units,
        n_gibbs_steps=n_gibbs_steps,
        rng=rng,
        alpha=alpha,
        n_labels=n_labels,
    )
    n_top_main = states[-1].shape[1]
    fantasy = fantasy_states(
        cd.fantasy[:, :n_top_main], layers.generative, visible_units, rng
    )
    grads = recognition_gradients(fantasy, layers.recognition) + generative_grads
    if alpha > 0:
        for k in range(0, len(grads), 2):  # weights, not biases
            grads[k] += alpha * params[k]
    return grads + cd.grads, sum(errors) + cd.error
