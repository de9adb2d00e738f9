"""Forward and backward passes through a stack of dense layers.

A network is a list of parameter arrays plus a list of :class:`Dense` layer
specifications that point into it. Several layers may share one weight
matrix, one of them transposed: that is how a tied autoencoder or an unrolled
deep autoencoder is expressed, and the backward pass accumulates the gradient
of a shared matrix from every layer that uses it.

The last layer's activation names an output head (see
``skdeep._core.activations.HEADS``); its loss is computed from the logits.
"""

from dataclasses import dataclass

import numpy as np

from skdeep._core.activations import (
    ACTIVATIONS,
    DERIVATIVES,
    HEADS,
    sigmoid_of_negated,
)
from skdeep._core.xp import (
    asarray,
    dot_all,
    is_numpy,
    matmul,
    numpy_dtype,
    ufunc,
    xp_of,
)


@dataclass(frozen=True)
class Dense:
    """One layer: ``activation(A @ W + b)`` with ``W = params[weight]``.

    ``transpose=True`` uses ``params[weight].T``, sharing a matrix with another
    layer.
    """

    weight: int
    bias: int
    activation: str
    transpose: bool = False


def init_weights(n_in, n_out, rng, dtype, like=None):
    """Glorot-uniform weights: U(-b, b), b = sqrt(6 / (n_in + n_out)).

    Drawn on the host (the same weights whatever the library), then put in
    like's namespace and device when ``like`` is given.
    """
    bound = np.sqrt(6.0 / (n_in + n_out))
    W = rng.uniform(-bound, bound, (n_in, n_out)).astype(numpy_dtype(dtype))
    return W if like is None else asarray(W, like, dtype)


def init_visible_bias(visible_mean, output, dtype, like=None):
    """Bias whose output matches the data mean: logit(mean) for a sigmoid output.

    Starting the reconstruction at the data mean lets the first updates go to
    the weights (Hinton's practical guide, section 8). ``visible_mean`` is a
    host (numpy) array; see ``init_weights`` for ``like``.
    """
    mean = np.asarray(visible_mean, dtype=np.float64)
    if output == "sigmoid":
        mean = np.clip(mean, 1e-3, 1 - 1e-3)
        mean = np.log(mean / (1 - mean))
    mean = mean.astype(numpy_dtype(dtype))
    return mean if like is None else asarray(mean, like, dtype)


def layer_weight(params, layer):
    """W of ``layer``, transposed when the layer shares a matrix."""
    W = params[layer.weight]
    return W.T if layer.transpose else W


def affine(A, W, b, out=None):
    """A W + b as a dense array, for dense or CSR A (written into ``out``, a
    C-ordered array of the result's shape and dtype, when given)."""
    Z = matmul(A, W, out)
    Z += b
    return Z


def affine_activation(A, W, b, activation, out=None):
    """``activation(A W + b)``, as ``ACTIVATIONS[activation](affine(...))``
    bit for bit (into ``out`` when given). A sigmoid takes one pass fewer:
    its exponent -(A W + b) is formed as (-b) - A W, the same numbers, since
    rounding a sum is symmetric in sign."""
    if activation != "sigmoid":
        return ACTIVATIONS[activation](affine(A, W, b, out))
    Z = matmul(A, W, out)
    return sigmoid_of_negated(ufunc("subtract", -b, Z, out=Z))


def _masked(acts, masks, i):
    """The input that layer i sees: ``acts[i]``, times its dropout mask if any."""
    return acts[i] * masks[i] if masks and i in masks else acts[i]


def forward(params, layers, X, masks=None, masked_inputs=None):
    """All activations: ``[X, A_1, ..., A_{L-1}, Z_L]``, Z_L the output logits.

    ``masks[i]`` (dropout) multiplies the input of layer i; the activations
    are stored unmasked, which keeps their derivatives exact. The masked
    inputs go into the dict ``masked_inputs`` when one is given, so that
    ``backward`` need not mask again.
    """
    acts = [X]
    for i, layer in enumerate(layers):
        A = _masked(acts, masks, i)
        if masked_inputs is not None and A is not acts[i]:
            masked_inputs[i] = A
        W, b = layer_weight(params, layer), params[layer.bias]
        if i < len(layers) - 1:
            acts.append(affine_activation(A, W, b, layer.activation))
        else:
            acts.append(affine(A, W, b))
    return acts


def backward(
    params,
    layers,
    acts,
    delta,
    hidden_grads=None,
    masks=None,
    masked_inputs=None,
    input_gradient=False,
):
    """Gradients of the loss for every parameter array.

    ``delta`` is dL/dZ of the output layer; ``hidden_grads[i]`` is an extra
    dL/dA added to the activation ``acts[i]`` (a penalty on a hidden layer);
    ``masks`` are the dropout masks of the forward pass and
    ``masked_inputs`` what ``forward`` kept of them. ``input_gradient``:
    return (gradients, dL/dX), X the network's input.
    """
    hidden_grads = hidden_grads or {}
    masked_inputs = masked_inputs or {}
    grads = [None] * len(params)
    for i in range(len(layers) - 1, -1, -1):
        layer = layers[i]
        A = masked_inputs[i] if i in masked_inputs else _masked(acts, masks, i)
        if layer.transpose:  # the gradient of W itself, not of W^T: no copy
            grad_W = _transposed_product(delta, A)
        else:
            grad_W = _transposed_product(A, delta)
        _accumulate(grads, layer.weight, grad_W)
        _accumulate(grads, layer.bias, xp_of(delta).sum(delta, axis=0))
        if i == 0 and not input_gradient:
            break
        grad_A = delta @ layer_weight(params, layer).T
        if masks and i in masks:
            grad_A *= masks[i]
        if i == 0:
            break
        if i in hidden_grads:
            grad_A += hidden_grads[i]
        delta = DERIVATIVES[layers[i - 1].activation](acts[i], grad_A)
    grads = [
        xp_of(p).zeros_like(p) if g is None else g
        for p, g in zip(params, grads, strict=True)
    ]
    return (grads, grad_A) if input_gradient else grads


def _transposed_product(A, B):
    """A^T B, for dense or CSR A."""
    if is_numpy(A):
        return matmul(A.T, B)
    return A.T @ B


def _accumulate(grads, index, value):
    """grads[index] += value, storing the first value without a copy."""
    if grads[index] is None:
        grads[index] = value
    else:
        grads[index] += value


def weight_indices(layers):
    """Indices of the weight matrices (not biases) used by ``layers``."""
    return sorted({layer.weight for layer in layers})


def loss_and_gradient(
    params,
    layers,
    X,
    Y,
    *,
    alpha=0.0,
    penalties=None,
    masks=None,
    sample_weight=None,
    input_gradient=False,
):
    """Mean loss per sample and its gradient for every parameter array.

    L = sum_i w_i loss(y_i, f(x_i)) / sum_i w_i + sum penalties
    + (alpha/2) sum ||W||^2, with w_i = 1 without ``sample_weight``.
    ``penalties`` maps an activation index to ``fn(A) -> (loss, dL/dA)``;
    ``masks`` maps an activation index to a dropout mask. Rows of weight 0
    contribute nothing; a minibatch whose weights are all 0 has data loss 0.
    ``input_gradient``: return (loss, gradients, dL/dX) instead.
    """
    masked_inputs = {}
    acts = forward(params, layers, X, masks, masked_inputs)
    head = HEADS[layers[-1].activation]
    logits = acts[-1]
    delta = head.output(xp_of(logits).asarray(logits, copy=True))
    delta -= Y
    if sample_weight is None:
        loss = head.loss(Y, logits) / X.shape[0]
        delta /= X.shape[0]
    else:
        weights = normalized_weights(sample_weight, logits.dtype)
        loss = head.loss(Y, logits, weights)
        delta *= weights[:, None]
    hidden_grads = {}
    for index, penalty in (penalties or {}).items():
        penalty_loss, hidden_grads[index] = penalty(acts[index])
        loss += penalty_loss
    grads = backward(
        params, layers, acts, delta, hidden_grads, masks, masked_inputs, input_gradient
    )
    grads, grad_X = grads if input_gradient else (grads, None)
    if alpha > 0:
        for k in weight_indices(layers):
            loss += weight_decay(params[k], grads[k], alpha)
    return (loss, grads, grad_X) if input_gradient else (loss, grads)


def adversarial_loss_and_gradient(params, layers, X, Y, epsilon, masks_for, **kwargs):
    """Fast-gradient-sign adversarial training (Goodfellow et al., 2015):
    the mean of ``loss_and_gradient`` on X and on X + epsilon sign(dL/dX),
    the rows moved where they raise the loss most (in max norm).

    ``masks_for(A)`` draws the dropout masks of a pass over A (None: no
    dropout); the two passes draw their own. ``kwargs`` go to
    ``loss_and_gradient`` (``alpha``, ``sample_weight``).
    """
    loss, grads, grad_X = loss_and_gradient(
        params, layers, X, Y, masks=masks_for(X), input_gradient=True, **kwargs
    )
    moved = X + epsilon * xp_of(grad_X).sign(grad_X)
    moved_loss, moved_grads = loss_and_gradient(
        params, layers, moved, Y, masks=masks_for(moved), **kwargs
    )
    for g, moved_g in zip(grads, moved_grads, strict=True):
        g += moved_g
        g *= 0.5
    return 0.5 * (loss + moved_loss), grads


def virtual_adversarial_loss_and_gradient(
    params, layers, X, epsilon, rng, *, xi=1e-1, masks=None, sample_weight=None
):
    """Virtual adversarial training (Miyato et al., 2018): the local
    distributional smoothness KL(p(x) || p(x + r_adv)) per row, p the output
    head, and its gradient for every parameter array with p(x) held fixed.

    r_adv = epsilon g / ||g|| row by row, g = d KL(p(x) || p(x + r)) / dr at
    r = xi d, d a random unit direction: one power iteration towards the
    move of L2 size ``epsilon`` that changes the prediction most. No label
    is needed. The KL is the head's loss against soft targets p(x) minus its
    value at r = 0 (for a linear head, half the squared change of the
    output). ``masks`` (dropout) apply to the moved pass only.
    """
    head = HEADS[layers[-1].activation]
    Z = forward(params, layers, X)[-1]
    P = head.output(xp_of(Z).asarray(Z, copy=True))
    d = unit_rows(random_directions(rng, X))
    g = loss_and_gradient(params, layers, X + xi * d, P, input_gradient=True)[2]
    moved = X + epsilon * unit_rows(g)
    loss, grads = loss_and_gradient(
        params, layers, moved, P, masks=masks, sample_weight=sample_weight
    )
    if sample_weight is None:
        loss -= head.loss(P, Z) / X.shape[0]
    else:
        loss -= head.loss(P, Z, normalized_weights(sample_weight, Z.dtype))
    return loss, grads


def random_directions(rng, like):
    """Random directions of ``like``'s shape and dtype, drawn the same for
    every dtype: centred 16-bit uniforms with numpy's PCG64, normals with
    another generator."""
    bits = uniform_bits(rng, like.shape)
    if bits is not None:
        return np.subtract(bits, 32767.5, dtype=like.dtype)
    if isinstance(rng, np.random.Generator):
        return rng.standard_normal(like.shape).astype(like.dtype)
    return rng.standard_normal(like.shape, dtype=like.dtype)  # a DeviceRandom


def unit_rows(A):
    """A with every row scaled to unit L2 norm (rows of zeros stay zero)."""
    xp = xp_of(A)
    norms = xp.sqrt(xp.sum(A * A, axis=1, keepdims=True))
    tiny = xp.finfo(A.dtype).tiny
    return A / xp.maximum(norms, xp.asarray(tiny, dtype=A.dtype))


def constant_output_loss(activation, Y, sample_weight=None):
    """The mean loss of the head ``activation`` against targets Y (a host
    array) when every logit is 0: the loss of a network that ignores its
    input (log K for K classes, n log 2 for n labels, half the mean square
    of standardized targets), the scale a fine-tuning loss is judged by."""
    Y = np.asarray(Y, dtype=np.float64)
    head = HEADS[activation]
    Z = np.zeros_like(Y)
    if sample_weight is None:
        return head.loss(Y, Z) / max(len(Y), 1)
    return head.loss(Y, Z, normalized_weights(np.asarray(sample_weight), Z.dtype))


def weight_decay(W, grad, alpha):
    """Add alpha W to ``grad`` in place; return the penalty (alpha/2) ||W||^2.

    (scipy's BLAS axpy would spare the temporary, but scipy's wheels carry
    their own OpenBLAS, whose thread pool then fights numpy's: measured 30x
    slower here.)
    """
    grad += alpha * W
    return 0.5 * alpha * dot_all(W, W)


def normalized_weights(sample_weight, dtype):
    """w_i / sum_i w_i (all 0 when the sum is 0)."""
    xp = xp_of(sample_weight)
    total = float(xp.sum(sample_weight))
    scale = 1.0 / total if total > 0 else 0.0
    return xp.astype(sample_weight * scale, dtype)


def uniform_bits(rng, shape):
    """Uniform 16-bit integers of ``shape``, four per 64-bit draw of a PCG64
    generator (numpy's default); None for other bit generators.

    A 16-bit uniform u decides a coin of probability p as u < 65536 p, to
    1/65536: a quarter of the random words of ``rng.random``.
    """
    if not isinstance(rng, np.random.Generator) or not isinstance(
        rng.bit_generator, np.random.PCG64
    ):
        return None
    size = int(np.prod(shape))
    words = rng.bit_generator.random_raw(-(-size // 4))
    return words.view(np.uint16)[:size].reshape(shape)


def keep_mask(rng, shape, keep, scale, dtype):
    """``scale`` with probability ``keep``, else 0, in ``dtype``.

    The draws do not depend on ``dtype``: float32 and float64 fits of one
    seed see the same masks (16-bit uniforms with numpy's PCG64, float64
    uniforms with another numpy bit generator).
    """
    bits = uniform_bits(rng, shape)
    if bits is not None:
        return np.multiply(bits < 65536 * keep, scale, dtype=dtype)
    if isinstance(rng, np.random.Generator):
        kept = rng.random(shape) < keep
    else:  # a DeviceRandom: the device's own stream
        kept = rng.random(shape, dtype=dtype) < keep
    return xp_of(kept).astype(kept, dtype) * scale


def dropout_masks(acts_shapes, rate, rng, dtype):
    """Inverted-dropout masks: 0 with probability ``rate``, else 1 / (1 - rate).

    ``acts_shapes`` maps an activation index to its shape.
    """
    keep = 1.0 - rate
    return {
        i: keep_mask(rng, shape, keep, 1.0 / keep, dtype)
        for i, shape in acts_shapes.items()
    }


def predict_output(params, layers, X):
    """The network's output: the head applied to the output logits."""
    logits = forward(params, layers, X)[-1]
    return HEADS[layers[-1].activation].output(logits)
