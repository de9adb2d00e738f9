"""Sparse, denoising autoencoder layer math.

A layer maps visible x (n_visible) to a code h = f(x W + b_hid) and back to a
reconstruction r = g(h W_dec + b_vis), where W_dec = W^T for tied weights.
The decoder g and its loss go together: ``"sigmoid"`` with cross-entropy for
inputs in [0, 1], ``"identity"`` with half squared error for real values.

The training loss per sample is

    L = loss(x, r(x~)) + beta * sum_j KL(rho || rho_hat_j) + (alpha/2) ||W||^2

where x~ is x with a random fraction of its entries set to zero (denoising;
x~ = x when ``corruption=0``), rho_hat_j is the mean activity of hidden unit j
over the minibatch, and KL(p || q) = p log(p/q) + (1-p) log((1-p)/(1-q)).
"""

import numpy as np

from skdeep._core.activations import ACTIVATIONS, HEADS, kl_sparsity
from skdeep._core.network import (
    Dense,
    affine,
    init_visible_bias,
    init_weights,
    loss_and_gradient,
)
from skdeep._core.xp import as_numbers, zeros


def init_layer(
    n_visible, n_hidden, *, tied, decoder, visible_mean, rng, dtype, like=None
):
    """Parameters ``[W, b_hid, b_vis]`` (+ ``W_dec`` when untied).

    W (and W_dec) Glorot-uniform, b_hid zero, b_vis from the data mean (see
    ``init_visible_bias``); in like's namespace and device when given.
    """
    params = [
        init_weights(n_visible, n_hidden, rng, dtype, like),
        zeros(n_hidden, dtype, like),
        init_visible_bias(visible_mean, decoder, dtype, like),
    ]
    if not tied:
        params.append(init_weights(n_hidden, n_visible, rng, dtype, like))
    return params


def layer_specs(activation, decoder, tied):
    """The two :class:`Dense` layers of an autoencoder: encoder, decoder."""
    encoder = Dense(weight=0, bias=1, activation=activation)
    if tied:
        return [encoder, Dense(weight=0, bias=2, activation=decoder, transpose=True)]
    return [encoder, Dense(weight=3, bias=2, activation=decoder)]


def encode(X, W, b_hid, activation):
    """h = f(x W + b_hid): the deterministic mean codes of dense or CSR X."""
    return ACTIVATIONS[activation](affine(X, W, b_hid))


def decode(H, W_dec, b_vis, decoder):
    """r = g(h W_dec + b_vis), W_dec of shape (n_hidden, n_visible)."""
    return HEADS[decoder].output(affine(H, W_dec, b_vis))


def corrupt(X, fraction, rng):
    """A copy of dense X with each entry zeroed with probability ``fraction``
    (drawn in float64 from a numpy generator, so that float32 and float64
    fits of one seed see the same noise)."""
    if fraction == 0:
        return X
    if isinstance(rng, np.random.Generator):  # float64 draws for any dtype
        kept = rng.random(X.shape) >= fraction
    else:  # a DeviceRandom: the device's own stream
        kept = rng.random(X.shape, dtype=X.dtype) >= fraction
    return X * as_numbers(kept, X.dtype)


def layer_loss_and_gradient(
    params,
    X,
    *,
    activation,
    decoder,
    sparsity_target,
    sparsity_weight,
    alpha,
    X_input=None,
):
    """Mean loss per sample of one autoencoder layer and its gradients.

    ``X_input`` is the (possibly corrupted) input; the target is always the
    clean ``X``. The gradients come back in the order of ``params``.
    """
    tied = len(params) == 3
    layers = layer_specs(activation, decoder, tied)
    penalties = {}
    if sparsity_weight > 0:
        penalties[1] = lambda H: kl_sparsity(
            H, activation, sparsity_target, sparsity_weight
        )
    return loss_and_gradient(
        params,
        layers,
        X if X_input is None else X_input,
        X,
        alpha=alpha,
        penalties=penalties,
    )


def unroll(stack, activation, decoders):
    """The deep autoencoder of a pretrained stack, as shared params + layers.

    Encoders 1..L then decoders L..1; decoder k outputs layer k-1's code, so
    it uses layer k's decoder function; the bottom decoder is the output head.
    The returned parameter list holds the stack's own arrays (no copies), so
    updating them in place updates the stack.
    """
    params, encoders, decoder_layers = [], [], []
    for k, layer in enumerate(stack):
        offset = len(params)
        params.extend(layer)
        encoders.append(Dense(offset, offset + 1, activation))
        tied = len(layer) == 3
        weight = offset if tied else offset + 3
        decoder_layers.append(Dense(weight, offset + 2, decoders[k], transpose=tied))
    return params, encoders + decoder_layers[::-1]
