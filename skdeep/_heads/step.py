"""One fine-tuning minibatch step, as ``fine_tune`` calls it.

``step(params, batch) -> (loss, grads)`` gathers the minibatch's rows,
takes the supervised loss of their targets (plain, or fast-gradient-sign
adversarial), each pass with its own dropout masks, and adds the virtual
adversarial term of every row when it is on. The settings come resolved
(no "auto"): see ``skdeep._heads.settings``.
"""

from dataclasses import dataclass

from skdeep._core.arrays import Workspace, gather_rows, to_dense
from skdeep._core.network import (
    adversarial_loss_and_gradient,
    dropout_masks,
    loss_and_gradient,
    virtual_adversarial_loss_and_gradient,
)
from skdeep._core.xp import asarray


@dataclass(frozen=True)
class StepSettings:
    """What a fine-tuning step needs of the estimator, resolved."""

    alpha: float
    dropout: float
    input_dropout: float
    adversarial_epsilon: float
    virtual_epsilon: float


def dropout_masks_for(tuning, dropout, input_dropout):
    """masks_for(A) -> the dropout masks of one pass over the minibatch A
    (None without dropout): hidden units, then inputs."""
    widths = [tuning.params[layer.bias].shape[0] for layer in tuning.layers[:-1]]

    def masks_for(A):
        masks = {}
        if dropout > 0 and widths:
            shapes = {i + 1: (A.shape[0], n) for i, n in enumerate(widths)}
            masks = dropout_masks(shapes, dropout, tuning.rng, A.dtype)
        if input_dropout > 0:
            masks |= dropout_masks({0: A.shape}, input_dropout, tuning.rng, A.dtype)
        return masks or None

    return masks_for


def fine_tuning_step(tuning, rows, T, weights, virtual_weights, settings):
    """step(params, batch) -> (loss, grads) on one minibatch of ``rows`` of
    the tuning's X (``batch`` indexes ``rows``, the targets T and the row
    weights of the supervised loss, ``weights``, and of the virtual
    adversarial term, ``virtual_weights``; None: equal)."""
    workspace = Workspace()
    masks_for = dropout_masks_for(tuning, settings.dropout, settings.input_dropout)
    epsilon, virtual = settings.adversarial_epsilon, settings.virtual_epsilon

    def step(params, batch):
        A = gather_rows(tuning.X, rows[batch], tuning.prepare, workspace)
        loss, grads = supervised(params, A, batch)
        if virtual > 0:
            w = None if virtual_weights is None else virtual_weights[batch]
            term = _virtual_adversarial(tuning, params, A, virtual, w, masks_for)
            loss += _add_gradients(grads, term)
        return loss, grads

    def supervised(params, A, batch):
        targets = asarray(T[batch], A)  # the targets live on the host
        weight = None if weights is None else asarray(weights[batch], A)
        if epsilon > 0:
            return adversarial_loss_and_gradient(
                params,
                tuning.layers,
                A,
                targets,
                epsilon,
                masks_for,
                alpha=settings.alpha,
                sample_weight=weight,
            )
        return loss_and_gradient(
            params,
            tuning.layers,
            A,
            targets,
            alpha=settings.alpha,
            masks=masks_for(A),
            sample_weight=weight,
        )

    return step


def _virtual_adversarial(tuning, params, A, epsilon, weights, masks_for):
    """(loss, grads) of the virtual adversarial term of minibatch A: moves of
    L2 size ``epsilon``, rows weighted by ``weights`` (on the host; None:
    equally), the moved pass with dropout."""
    A = to_dense(A)
    return virtual_adversarial_loss_and_gradient(
        params,
        tuning.layers,
        A,
        epsilon,
        tuning.rng,
        masks=masks_for(A),
        sample_weight=None if weights is None else asarray(weights, A),
    )


def _add_gradients(grads, term):
    """Add the gradients of ``term`` = (loss, grads) to ``grads`` in place;
    return its loss."""
    loss, term_grads = term
    for g, t in zip(grads, term_grads, strict=True):
        g += t
    return loss
